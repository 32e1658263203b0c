package dev.charla.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledgement coalescing (ChatConfig.ackCoalesceMinBatch / ackCoalesceDelay): on a busy server, what a sender
 * gets for its own private message ({@code stored}, and its own copy) waits for the next frame to that session, up
 * to a delay, so that a conversation costs one write per message instead of two. "Busy" is a committed batch of at
 * least ackCoalesceMinBatch sends; these tests set it to 1 to make every batch busy, or leave the default.
 */
class AckCoalescingTest {
  private static final Duration FOREVER = Duration.ofHours(1);

  @TempDir Path dir;

  private static void send(RawConnection c, String id, String to, String text) throws Exception {
    c.send("{\"type\":\"send\",\"id\":\"" + id + "\",\"to\":\"" + to + "\",\"text\":\"" + text + "\"}");
  }

  /** Waits long enough for anything the server had flushed to have arrived on loopback. */
  private static void settle() {
    await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> true);
  }

  @Test
  void onABusyServerTheSendersAcknowledgementRidesWithTheReply() throws Exception {
    try (TestServer server = new TestServer(dir,
            c -> c.toBuilder().ackCoalesceMinBatch(1).ackCoalesceDelay(FOREVER).build());
        RawConnection ana = new RawConnection(server.port()).hello().guest("ana");
        RawConnection bob = new RawConnection(server.port()).hello().guest("bob")) {
      ana.readUntil("\"room_event\""); // bob came online
      send(ana, "a1", "@bob", "hola");
      assertThat(bob.readUntil("\"msg\"")).contains("\"text\":\"hola\"");
      settle();
      assertThat(ana.unread()).as("ana's stored waits for company").isZero();

      send(bob, "b1", "@ana", "que tal");
      // One write brings ana her acknowledgement, her own copy and bob's reply, in the order they were queued.
      assertThat(ana.readLine()).contains("\"type\":\"stored\"").contains("\"re\":\"a1\"");
      assertThat(ana.readLine()).contains("\"type\":\"msg\"").contains("\"text\":\"hola\"");
      assertThat(ana.readLine()).contains("\"type\":\"msg\"").contains("\"text\":\"que tal\"");
      settle();
      assertThat(bob.unread()).as("bob's stored waits in turn").isZero();
    }
  }

  @Test
  void aDeferredAcknowledgementGoesOutAfterTheDelayWhenNothingElseComes() throws Exception {
    try (TestServer server = new TestServer(dir,
            c -> c.toBuilder().ackCoalesceMinBatch(1).ackCoalesceDelay(Duration.ofMillis(50)).build());
        RawConnection ana = new RawConnection(server.port()).hello().guest("ana");
        RawConnection bob = new RawConnection(server.port()).hello().guest("bob")) {
      for (int i = 1; i <= 3; i++) {
        send(ana, "a" + i, "@bob", "m" + i);
        assertThat(ana.readUntil("\"stored\"")).contains("\"re\":\"a" + i + "\"");
        assertThat(bob.readUntil("\"msg\"")).contains("\"text\":\"m" + i + "\"");
      }
    }
  }

  @Test
  void aZeroDelayTurnsCoalescingOff() throws Exception {
    try (TestServer server = new TestServer(dir,
            c -> c.toBuilder().ackCoalesceMinBatch(1).ackCoalesceDelay(Duration.ZERO).build());
        RawConnection ana = new RawConnection(server.port()).hello().guest("ana");
        RawConnection bob = new RawConnection(server.port()).hello().guest("bob")) {
      for (int i = 1; i <= 3; i++) {
        send(ana, "a" + i, "@bob", "m" + i);
        assertThat(ana.readUntil("\"stored\"")).contains("\"re\":\"a" + i + "\"");
      }
    }
  }

  @Test
  void aQuietServerAcknowledgesAtOnce() throws Exception {
    // Default batch threshold: a lone send is not load, so even an unbounded delay never applies to it.
    try (TestServer server = new TestServer(dir, c -> c.toBuilder().ackCoalesceDelay(FOREVER).build());
        RawConnection ana = new RawConnection(server.port()).hello().guest("ana");
        RawConnection bob = new RawConnection(server.port()).hello().guest("bob")) {
      send(ana, "a1", "@bob", "hola");
      assertThat(ana.readUntil("\"stored\"")).contains("\"re\":\"a1\"");
      assertThat(bob.readUntil("\"msg\"")).contains("\"text\":\"hola\"");
    }
  }

  @Test
  void roomMessagesAreNeverDeferred() throws Exception {
    try (TestServer server = new TestServer(dir,
            c -> c.toBuilder().ackCoalesceMinBatch(1).ackCoalesceDelay(FOREVER).build());
        RawConnection ana = new RawConnection(server.port()).hello().guest("ana")) {
      send(ana, "a1", "#lobby", "hola");
      assertThat(ana.readUntil("\"stored\"")).contains("\"re\":\"a1\"");
      assertThat(ana.readUntil("\"msg\"")).contains("\"text\":\"hola\"");
    }
  }
}
