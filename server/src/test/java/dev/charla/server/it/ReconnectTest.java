package dev.charla.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.charla.client.CharlaClient;
import dev.charla.client.ConnectionState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client that loses its connection gets back in by itself, with its token, and misses nothing. */
class ReconnectTest {
  @TempDir Path dir;

  @Test
  void aClientResumesAfterAServerRestartAndCatchesUpOnWhatItMissed() throws Exception {
    try (TestServer server = new TestServer(dir)) {
      var anaEvents = new RecordingListener();
      CharlaClient ana = server.client(anaEvents);
      ana.register("ana", "correct horse").join();
      ana.join("#ops").join();
      CharlaClient bob = server.client(new RecordingListener());
      bob.register("bob", "battery staple").join();
      bob.join("#ops").join();
      bob.send("#ops", "one").join();
      await().atMost(Duration.ofSeconds(5)).until(() -> anaEvents.textsIn("#ops").contains("one"));

      server.stop();
      await().atMost(Duration.ofSeconds(5)).until(() -> ana.state() == ConnectionState.RECONNECTING);
      // ana types while the server is down: the send waits and goes out after the resume
      CompletableFuture<?> queued = ana.send("#ops", "typed while offline");
      server.startAgain();

      // bob reconnects too; messages sent before ana is back must still reach her
      await().atMost(Duration.ofSeconds(15)).until(() -> bob.state() == ConnectionState.LOGGED_IN);
      await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
          .until(() -> bob.send("#ops", "two").join() != null);
      bob.send("#ops", "three").join();
      queued.get();

      await().atMost(Duration.ofSeconds(15))
          .until(() -> anaEvents.textsIn("#ops").containsAll(java.util.List.of("one", "two", "three", "typed while offline")));
      assertThat(anaEvents.textsIn("#ops")).doesNotHaveDuplicates();
      assertThat(anaEvents.states).contains(ConnectionState.RECONNECTING);
      assertThat(ana.state()).isEqualTo(ConnectionState.LOGGED_IN);
    }
  }

  @Test
  void aRetriedSendIsStoredOnce() throws Exception {
    try (TestServer server = new TestServer(dir)) {
      try (RawConnection c = new RawConnection(server.port()).hello().guest("ana")) {
        String send = "{\"type\":\"send\",\"id\":\"%s\",\"to\":\"#lobby\",\"text\":\"once\",\"cmid\":\"same\"}";
        c.send(send.formatted("a"));
        String first = c.readUntil("\"stored\"");
        c.send(send.formatted("b"));
        String second = c.readUntil("\"stored\"");
        assertThat(second.replace("\"re\":\"b\"", "\"re\":\"a\"")).isEqualTo(first);
        // The retry was answered from the writer's cmid window: it used no seq, so the conversation has no gap.
        c.send("{\"type\":\"send\",\"id\":\"c\",\"to\":\"#lobby\",\"text\":\"next\",\"cmid\":\"other\"}");
        String third = c.readUntil("\"stored\"");
        assertThat(seqOf(third)).isEqualTo(seqOf(first) + 1);
        c.send("{\"type\":\"history\",\"id\":\"h\",\"conv\":\"#lobby\"}");
        String page = c.readUntil("history_page");
        assertThat(page.split("\"text\":\"once\"", -1)).hasSize(2);
      }
    }
  }

  private static long seqOf(String frame) {
    Matcher m = Pattern.compile("\"seq\":(\\d+)").matcher(frame);
    assertThat(m.find()).as("a seq in %s", frame).isTrue();
    return Long.parseLong(m.group(1));
  }
}
