package dev.charla.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.charla.protocol.ClientFrame;
import dev.charla.protocol.ServerFrame;
import dev.charla.server.security.PasswordHasher;
import dev.charla.server.store.sqlite.SqliteChatStore;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery order across the two threads that fan out: a big batch goes to the fan-out thread, a small one may be
 * fanned out by the writer itself, and neither may overtake the other.
 */
class FanoutOrderTest {
  /** Enough members that a room message is too big for the writer to fan out itself. */
  private static final int MEMBERS = MessageLog.INLINE_FANOUT_MAX_WRITES + 44;
  private static final int ROUNDS = 40;

  @TempDir Path dir;
  SqliteChatStore store;
  ChatCore core;

  @BeforeEach
  void start() {
    store = SqliteChatStore.open(dir.resolve("order.db"));
    core = new ChatCore(ChatConfig.defaults().unlimited(), store,
        new PasswordHasher(PasswordHasher.Params.OWASP, new SecureRandom()), new FakeTicker());
  }

  @AfterEach
  void stop() {
    core.close();
    store.close();
  }

  private Session guest(RecordingLink link, String name) {
    Session s = core.open(link);
    core.onFrame(s, new ClientFrame.Hello(null, 1, "unit"));
    core.onFrame(s, new ClientFrame.Guest("g", name));
    soon().until(() -> !link.of(ServerFrame.LoggedIn.class).isEmpty());
    return s;
  }

  /** Polls every millisecond: the test waits hundreds of times, each for about a millisecond. */
  private static org.awaitility.core.ConditionFactory soon() {
    return await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1));
  }

  @Test
  void aSmallBatchNeverOvertakesABigOneStillBeingFannedOut() {
    List<RecordingLink> links = new ArrayList<>();
    for (int i = 0; i < MEMBERS; i++) {
      RecordingLink link = new RecordingLink(30_000 + i);
      guest(link, "m" + i);
      links.add(link);
    }
    RecordingLink anaLink = new RecordingLink(29_999);
    Session ana = guest(anaLink, "ana");
    for (int round = 0; round < ROUNDS; round++) {
      core.onFrame(ana, new ClientFrame.Send("r" + round, "#lobby", "room " + round, null));
      int roomStored = round * 2 + 1;
      // Once ana has `stored`, the room message's fan-out has begun: the private message that follows is a
      // batch of its own, small enough for the writer, while the fan-out thread is still at work on the room.
      soon()
          .until(() -> anaLink.of(ServerFrame.Stored.class).size() >= roomStored);
      core.onFrame(ana, new ClientFrame.Send("p" + round, "@m" + round, "private " + round, null));
      soon()
          .until(() -> anaLink.of(ServerFrame.Stored.class).size() >= roomStored + 1);
    }
    for (RecordingLink link : links) {
      soon().until(() -> link.of(ServerFrame.Msg.class).stream()
          .filter(m -> m.text().startsWith("room ")).count() == ROUNDS);
    }
    for (int i = 0; i < MEMBERS; i++) {
      List<ServerFrame.Msg> got = links.get(i).of(ServerFrame.Msg.class).stream()
          .filter(m -> m.text().startsWith("room ") || m.text().startsWith("private ")).toList();
      // sid order is commit order: every session must see the messages meant for it in that order.
      assertThat(got).as("messages at member m%d, in arrival order", i)
          .extracting(ServerFrame.Msg::sid).isSorted();
      assertThat(got.stream().filter(m -> m.text().startsWith("private ")).count()).isEqualTo(i < ROUNDS ? 1 : 0);
    }
  }
}
