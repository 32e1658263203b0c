package dev.charla.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.charla.client.CharlaClient;
import dev.charla.protocol.ServerFrame;
import dev.charla.server.ServerMain;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What is acknowledged is stored: across graceful restarts and across SIGKILL of the server process. */
class DurabilityTest {
  @TempDir Path dir;

  @Test
  void accountsRoomsAndHistorySurviveARestart() throws Exception {
    try (TestServer server = new TestServer(dir)) {
      CharlaClient ana = server.client(new RecordingListener());
      ana.register("ana", "correct horse").join();
      ana.join("#keep").join();
      ana.topic("#keep", "kept").join();
      ana.send("#keep", "before restart").join();
      ana.close();

      server.restart();

      CharlaClient again = server.client(new RecordingListener());
      ServerFrame.LoggedIn in = again.login("ana", "correct horse").join();
      assertThat(in.rooms()).extracting(ServerFrame.RoomInfo::name).containsExactly("#keep", "#lobby");
      assertThat(in.rooms()).contains(new ServerFrame.RoomInfo("#keep", "kept", 1, 1));
      ServerFrame.HistoryPage page = again.history("#keep", null, 10).join();
      assertThat(page.messages()).extracting(ServerFrame.Msg::text).containsExactly("before restart");
      ServerFrame.Stored next = again.send("#keep", "after restart").join();
      assertThat(next.seq()).isEqualTo(2);
      // the registered name is still not free for a guest
      CharlaClient imposter = server.client(new RecordingListener());
      assertThatThrownBy(() -> imposter.guest("ANA").join())
          .satisfies(e -> assertThat(ChatConversationTest.codeOf(e)).isEqualTo(dev.charla.protocol.ErrorCode.NAME_TAKEN));
    }
  }

  @Test
  void everyAcknowledgedMessageSurvivesSigkillExactlyOnce() throws Exception {
    Path db = dir.resolve("kill.db");
    int port = freePort();
    Process server = startServerProcess(db, port);
    List<String> acknowledged = new ArrayList<>();
    try {
      CharlaClient writer = connectWhenUp(port);
      writer.guest("writer").join();
      ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
      List<CompletableFuture<?>> inFlight = new ArrayList<>();
      // Stream with many sends in flight, and kill the server while they are being committed.
      for (int i = 0; i < 3_000; i++) {
        String text = "m" + i;
        inFlight.add(writer.send("#lobby", text).thenRun(() -> acked.add(text)));
        if (i == 1_500) {
          await().atMost(Duration.ofSeconds(20)).until(() -> acked.size() > 200);
          server.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
          server.waitFor(10, TimeUnit.SECONDS);
        }
      }
      writer.close();
      acknowledged.addAll(acked);
    } finally {
      server.destroyForcibly();
      server.waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(acknowledged).hasSizeGreaterThan(200);

    Process restarted = startServerProcess(db, port);
    try {
      CharlaClient reader = connectWhenUp(port);
      reader.guest("reader").join();
      List<String> stored = new ArrayList<>();
      Long before = null;
      for (int page = 0; page < 100; page++) {
        ServerFrame.HistoryPage p = reader.history("#lobby", before, 200).join();
        List<String> texts = p.messages().stream().map(ServerFrame.Msg::text).toList();
        stored.addAll(0, texts);
        if (!p.more()) {
          break;
        }
        before = p.messages().get(0).seq();
      }
      assertThat(stored).doesNotHaveDuplicates();
      assertThat(stored).containsAll(acknowledged);
      reader.close();
    } finally {
      restarted.destroy();
      restarted.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void sigtermTellsClientsAndKeepsEverythingAcknowledged() throws Exception {
    Path db = dir.resolve("term.db");
    int port = freePort();
    Process server = startServerProcess(db, port);
    var events = new RecordingListener();
    List<String> acked = new java.util.concurrent.CopyOnWriteArrayList<>();
    try {
      CharlaClient c = connectWhenUp(port, events);
      c.guest("stayer").join();
      for (int i = 0; i < 50; i++) {
        String text = "t" + i;
        c.send("#lobby", text).thenRun(() -> acked.add(text));
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> acked.size() == 50);
      server.destroy(); // SIGTERM: the shutdown hook runs
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> !events.errors.isEmpty());
      assertThat(events.errors).anySatisfy(e -> assertThat(e.getMessage()).contains("shutting down"));
      c.close();
    } finally {
      server.destroyForcibly();
    }
    Process restarted = startServerProcess(db, port);
    try {
      CharlaClient reader = connectWhenUp(port, new RecordingListener());
      reader.guest("reader").join();
      List<String> stored = reader.history("#lobby", null, 200).join().messages().stream()
          .map(ServerFrame.Msg::text).toList();
      assertThat(stored).containsExactlyInAnyOrderElementsOf(acked);
      reader.close();
    } finally {
      restarted.destroy();
      restarted.waitFor(20, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Process startServerProcess(Path db, int port) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path log = Files.createTempFile(dir, "server", ".log");
    return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        ServerMain.class.getName(), "--host", "127.0.0.1", "--port", Integer.toString(port), "--db", db.toString(),
        "--unlimited")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static CharlaClient connectWhenUp(int port) {
    return connectWhenUp(port, new RecordingListener());
  }

  private static CharlaClient connectWhenUp(int port, RecordingListener listener) {
    CharlaClient[] holder = new CharlaClient[1];
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
      CharlaClient c = CharlaClient.builder().host("127.0.0.1").port(port).reconnect(false).listener(listener)
          .build();
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
