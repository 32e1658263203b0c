package dev.charla.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * A server started by the generator as a child process, on a free port and a fresh temporary database, so that
 * its CPU time and RSS can be read from /proc. Its output goes to a log file next to the database.
 */
final class ServerProcess implements ServerUnderTest {
  /** The JVM options the {@code charla} launcher gives a server (see there why), so the bench measures the same. */
  static final List<String> SERVER_JVM_OPTIONS =
      List.of("-XX:G1PeriodicGCInterval=5000", "-XX:MaxHeapFreeRatio=30", "-XX:MinHeapFreeRatio=10");

  private static final int START_TIMEOUT_SECONDS = 120;

  private final Process process;
  private final int port;
  private final Path dir;

  private ServerProcess(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** A port number free for TCP and for UDP right now (the server takes both; tests nearby hold UDP ports). */
  static int freeTcpAndUdpPort() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      try (ServerSocket tcp = new ServerSocket(0)) {
        int port = tcp.getLocalPort();
        try (java.net.DatagramSocket udp = new java.net.DatagramSocket(port)) {
          return port;
        } catch (java.net.SocketException taken) {
          // next
        }
      }
    }
    throw new IOException("no port free for both TCP and UDP after 50 tries");
  }

  /**
   * Starts {@code java -jar serverJar --unlimited} and waits until it accepts connections.
   *
   * @param jvmArgs extra JVM options, e.g. a flight recording
   * @param serverArgs extra server options, e.g. {@code --ack-coalesce-ms=0}
   */
  static ServerProcess start(Path serverJar, String durability, int ioThreads, List<String> jvmArgs,
      List<String> serverArgs) throws IOException, InterruptedException {
    int port = freeTcpAndUdpPort();
    Path dir = Files.createTempDirectory("charla-bench-");
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.addAll(SERVER_JVM_OPTIONS);
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-jar", serverJar.toString(), "--port", String.valueOf(port),
        "--db", dir.resolve("bench.db").toString(), "--unlimited", "--durability", durability));
    if (ioThreads > 0) {
      cmd.addAll(List.of("--io-threads", String.valueOf(ioThreads)));
    }
    cmd.addAll(serverArgs);
    // Generous: a JVM that starts in 2 s on a quiet machine took over 30 s on a busy one (load average 20 on 2 cores).
    return launch(cmd, port, dir, "server.log", START_TIMEOUT_SECONDS);
  }

  /**
   * Starts {@code command} with its output in {@code dir/logName}, and returns once it accepts TCP connections
   * on {@code port} of 127.0.0.1; {@link #close} stops it and deletes {@code dir}.
   */
  static ServerProcess launch(List<String> command, int port, Path dir, String logName, int timeoutSeconds)
      throws IOException, InterruptedException {
    Path log = dir.resolve(logName);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    String name = Path.of(command.getFirst()).getFileName().toString();
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException(name + " exited with " + p.exitValue() + "; see " + log);
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return new ServerProcess(p, port, dir);
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    p.destroyForcibly();
    throw new IOException(name + " did not listen on port " + port + " within " + timeoutSeconds + " s; see " + log);
  }

  @Override
  public String host() {
    return "127.0.0.1";
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public OptionalLong pid() {
    return OptionalLong.of(process.pid());
  }

  /**
   * SIGTERM (Charla's graceful shutdown, which also ends a flight recording), then SIGKILL after 15 s; deletes
   * the server's directory.
   */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temp dir left behind is harmless
    }
  }
}
