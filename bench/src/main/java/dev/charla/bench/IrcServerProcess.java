package dev.charla.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * An established IRC server (ngircd, as packaged by Debian: {@code apt-get install ngircd}) started as a child
 * process on a free loopback port, as the baseline the reference figures come from. Configured like
 * Charla's {@code --unlimited}: no connection, join or flood limits (penalties off), no DNS or ident lookups; it
 * keeps no history and stores nothing.
 */
final class IrcServerProcess implements ServerUnderTest {
  private static final int START_TIMEOUT_SECONDS = 30;

  private final Process process;
  private final int port;
  private final Path dir;

  private IrcServerProcess(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  static IrcServerProcess startNgircd(String executable) throws IOException, InterruptedException {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Path dir = Files.createTempDirectory("charla-bench-irc-");
    Path conf = dir.resolve("ngircd.conf");
    Files.writeString(conf, """
        [Global]
        Name = bench.irc
        Info = Charla bench baseline
        Listen = 127.0.0.1
        Ports = %d
        [Limits]
        MaxConnections = 0
        MaxConnectionsIP = 0
        MaxJoins = 0
        MaxNickLength = 30
        MaxPenaltyTime = 0
        PingTimeout = 600
        PongTimeout = 600
        [Options]
        DNS = no
        Ident = no
        PAM = no
        """.formatted(port));
    Process p;
    try {
      p = new ProcessBuilder(List.of(executable, "--nodaemon", "--config", conf.toString()))
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("ngircd.log").toFile())
          .start();
    } catch (IOException e) {
      throw new IOException("cannot start " + executable + " (install it with: apt-get install ngircd): "
          + e.getMessage(), e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException(executable + " exited with " + p.exitValue() + "; see " + dir.resolve("ngircd.log"));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return new IrcServerProcess(p, port, dir);
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    p.destroyForcibly();
    throw new IOException(executable + " did not listen on port " + port + " within " + START_TIMEOUT_SECONDS + " s");
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

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
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
