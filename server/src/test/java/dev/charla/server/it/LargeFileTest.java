package dev.charla.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.charla.client.CharlaClient;
import dev.charla.client.TransferListener;
import dev.charla.protocol.ServerFrame;
import dev.charla.server.ServerMain;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB file up to and back from a server process whose heap is capped at 256 MiB: the transfer streams and is
 * paced by acknowledgements, so the server's memory stays bounded whatever the file's size.
 */
class LargeFileTest {
  private static final long SIZE = 1L << 30;

  @TempDir Path dir;

  @Test
  @Timeout(300)
  void aOneGibFileGoesThroughAServerWithA256MibHeap() throws Exception {
    Path src = dir.resolve("big.bin");
    String sha = writeFile(src, SIZE);
    int port = freePort();
    Process server = startServer(dir.resolve("charla.db"), port);
    try {
      CharlaClient ana = connectWhenUp(port);
      ana.register("ana", "correct horse battery").join();
      AtomicLong peakRss = new AtomicLong();
      Thread sampler = Thread.ofVirtual().start(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          peakRss.accumulateAndGet(rssKib(server.pid()), Math::max);
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            return;
          }
        }
      });

      long t0 = System.nanoTime();
      ServerFrame.FileInfo stored = ana.upload(src, TransferListener.NONE).join();
      long t1 = System.nanoTime();
      Path saved = ana.download(stored.id(), Files.createDirectories(dir.resolve("out")), TransferListener.NONE)
          .join();
      long t2 = System.nanoTime();
      sampler.interrupt();

      assertThat(stored.sha256()).isEqualTo(sha);
      assertThat(Files.size(saved)).isEqualTo(SIZE);
      assertThat(sha256(saved)).isEqualTo(sha);
      System.out.printf("1 GiB: upload %.1f s (%.0f MB/s), download %.1f s (%.0f MB/s), server peak RSS %d MiB%n",
          (t1 - t0) / 1e9, SIZE / ((t1 - t0) / 1e3), (t2 - t1) / 1e9, SIZE / ((t2 - t1) / 1e3),
          peakRss.get() >> 10);
      // Heap 256 MiB (the server would die of OutOfMemoryError if it held the file) plus the JVM's own needs.
      assertThat(server.isAlive()).isTrue();
      assertThat(peakRss.get()).isLessThan(700L << 10);
      ana.close();
    } finally {
      server.destroy();
      server.waitFor(20, TimeUnit.SECONDS);
    }
  }

  /** Writes incompressible, non-repeating bytes, streamed; returns their SHA-256. */
  private static String writeFile(Path file, long size) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    byte[] block = new byte[1 << 20];
    Random random = new Random(42);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < size; written += block.length) {
        random.nextBytes(block);
        out.write(block);
        digest.update(block);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 20];
    try (var in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        digest.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static long rssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process is gone, or this is not Linux
    }
    return 0;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Process startServer(Path db, int port) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path log = dir.resolve("server.log");
    return new ProcessBuilder(java, "-Xmx256m", "-XX:MaxDirectMemorySize=64m", "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), ServerMain.class.getName(), "--host", "127.0.0.1", "--port",
        Integer.toString(port), "--db", db.toString(), "--unlimited", "--max-file-size", "2048")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static CharlaClient connectWhenUp(int port) {
    CharlaClient[] holder = new CharlaClient[1];
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
      CharlaClient c = CharlaClient.builder().host("127.0.0.1").port(port).reconnect(false).build();
      try {
        c.connect().join();
      } catch (RuntimeException e) {
        c.close();
        throw e;
      }
      holder[0] = c;
      return true;
    });
    return holder[0];
  }
}
