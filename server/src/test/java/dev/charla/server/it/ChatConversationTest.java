package dev.charla.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.charla.client.ChatException;
import dev.charla.client.CharlaClient;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.ServerFrame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole conversations over real sockets: the real server, the real client library, a real SQLite file. */
class ChatConversationTest {
  @TempDir Path dir;
  TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = new TestServer(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static ErrorCode codeOf(Throwable t) {
    Throwable c = t instanceof CompletionException ? t.getCause() : t;
    return ((ChatException) c).code();
  }

  @Test
  void theClientLibrarysCmidsBeginWithTheTimeSoTheServersIndexGrowsAtItsEnd() {
    CharlaClient ana = server.client(new RecordingListener());
    ana.guest("ana").join();
    long before = System.currentTimeMillis();
    String first = ana.send("#lobby", "one").join().cmid();
    assertThat(first).matches("[0-9a-z]{9}-[A-Za-z0-9_-]{16}");
    long millis = Long.parseLong(first.substring(0, 9), 36);
    assertThat(millis).isBetween(before, before + 60_000);

    await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > millis);
    String second = ana.send("#lobby", "two").join().cmid();
    assertThat(second).isGreaterThan(first); // a later send sorts after, whatever its random part
  }

  @Test
  void guestsTalkInTheLobby() {
    var anaEvents = new RecordingListener();
    var bobEvents = new RecordingListener();
    CharlaClient ana = server.client(anaEvents);
    CharlaClient bob = server.client(bobEvents);
    ServerFrame.LoggedIn anaIn = ana.guest("ana").join();
    bob.guest("bob").join();
    assertThat(anaIn.rooms()).extracting(ServerFrame.RoomInfo::name).containsExactly("#lobby");

    ServerFrame.Stored stored = ana.send("#lobby", "hola bob").join();
    assertThat(stored.conv()).isEqualTo("#lobby");
    assertThat(stored.seq()).isEqualTo(1);

    await().atMost(Duration.ofSeconds(5)).until(() -> bobEvents.texts().contains("hola bob"));
    ServerFrame.Msg got = bobEvents.messages.get(0);
    assertThat(got.from()).isEqualTo("ana");
    assertThat(got.via()).isEqualTo("tcp");
    assertThat(got.sid()).isEqualTo(stored.sid());
    // the sender sees its own message too, once
    await().atMost(Duration.ofSeconds(5)).until(() -> anaEvents.texts().equals(List.of("hola bob")));
    // bob saw ana come online in the lobby
    assertThat(bobEvents.roomEvents).isEmpty();
  }

  @Test
  void roomsCanBeCreatedJoinedListedLeftAndHaveTopics() {
    var anaEvents = new RecordingListener();
    var bobEvents = new RecordingListener();
    CharlaClient ana = server.client(anaEvents);
    CharlaClient bob = server.client(bobEvents);
    ana.guest("ana").join();
    bob.guest("bob").join();

    ServerFrame.Joined joined = ana.join("#Dev").join();
    assertThat(joined.room().name()).isEqualTo("#dev");
    assertThat(joined.members()).containsExactly("ana");
    bob.join("#dev").join();
    await().atMost(Duration.ofSeconds(5))
        .until(() -> anaEvents.roomEvents.contains(new ServerFrame.RoomEvent("#dev", "bob", "join")));

    ana.topic("#dev", "shipping v1").join();
    await().atMost(Duration.ofSeconds(5))
        .until(() -> bobEvents.topics.stream().anyMatch(t -> t.topic().equals("shipping v1")));
    assertThat(bob.rooms().join())
        .contains(new ServerFrame.RoomInfo("#dev", "shipping v1", 2, 0))
        .extracting(ServerFrame.RoomInfo::name).contains("#lobby");

    bob.send("#dev", "in dev").join();
    await().atMost(Duration.ofSeconds(5)).until(() -> anaEvents.textsIn("#dev").contains("in dev"));

    bob.leave("#dev").join();
    await().atMost(Duration.ofSeconds(5))
        .until(() -> anaEvents.roomEvents.contains(new ServerFrame.RoomEvent("#dev", "bob", "leave")));
    assertThatThrownBy(() -> bob.send("#dev", "still here?").join())
        .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NOT_MEMBER));
  }

  @Test
  void privateMessagesReachEverySessionOfBothUsers() {
    var ana1 = new RecordingListener();
    var ana2 = new RecordingListener();
    var bobEvents = new RecordingListener();
    CharlaClient a1 = server.client(ana1);
    a1.register("ana", "correct horse").join();
    CharlaClient a2 = server.client(ana2);
    a2.login("ana", "correct horse").join();
    CharlaClient bob = server.client(bobEvents);
    bob.guest("bob").join();

    bob.send("@ana", "psst").join();
    await().atMost(Duration.ofSeconds(5)).until(() -> ana1.texts().contains("psst") && ana2.texts().contains("psst"));
    ServerFrame.Msg m = ana1.messages.get(0);
    assertThat(m.conv()).isEqualTo("@ana,bob");
    assertThat(m.to()).isEqualTo("ana");
    a2.send("bob", "hi back").join();
    await().atMost(Duration.ofSeconds(5)).until(() -> bobEvents.texts().contains("hi back") && ana1.texts().contains("hi back"));
  }

  @Test
  void privateMessagesToAnOfflineUserAreDeliveredInOrderAtLogin() {
    CharlaClient ana = server.client(new RecordingListener());
    ana.register("ana", "correct horse").join();
    ana.logout().join();

    CharlaClient bob = server.client(new RecordingListener());
    bob.register("bob", "battery staple").join();
    for (int i = 1; i <= 5; i++) {
      bob.send("@ana", "note " + i).join();
    }
    var later = new RecordingListener();
    CharlaClient ana2 = server.client(later);
    ana2.login("ana", "correct horse").join();
    await().atMost(Duration.ofSeconds(5)).until(() -> later.texts().size() == 5);
    assertThat(later.texts()).containsExactly("note 1", "note 2", "note 3", "note 4", "note 5");
    assertThat(later.messages).allSatisfy(msg -> assertThat(msg.pending()).isTrue());

    // acknowledged: a third login gets nothing again
    var third = new RecordingListener();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      CharlaClient ana3 = server.client(third);
      ana3.login("ana", "correct horse").join();
      ana3.whoami().join();
      ana3.close();
      assertThat(third.messages).isEmpty();
    });
  }

  @Test
  void messagesToUnknownUsersAreRejected() {
    CharlaClient ana = server.client(new RecordingListener());
    ana.guest("ana").join();
    assertThatThrownBy(() -> ana.send("@nobody", "hello?").join())
        .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NO_SUCH_USER));
  }

  @Test
  void presenceListsEverySessionWithAddressTransportAndLabel() {
    CharlaClient ana = server.client(new RecordingListener());
    ana.guest("ana").join();
    CharlaClient bob = server.client(new RecordingListener());
    bob.guest("bob").join();
    List<ServerFrame.SessionInfo> who = ana.who().join();
    assertThat(who).extracting(ServerFrame.SessionInfo::name).containsExactly("ana", "bob");
    assertThat(who).allSatisfy(s -> {
      assertThat(s.ip()).isEqualTo("127.0.0.1");
      assertThat(s.port()).isPositive();
      assertThat(s.transport()).isEqualTo("tcp");
      assertThat(s.client()).isEqualTo("test-tcp");
      assertThat(s.guest()).isTrue();
    });
    assertThat(who.get(0).port()).isNotEqualTo(who.get(1).port());
    ServerFrame.SessionInfo me = ana.whoami().join();
    assertThat(me.name()).isEqualTo("ana");
    assertThat(me.port()).isEqualTo(who.get(0).port());
  }

  @Test
  void historyPagesBackwards() {
    CharlaClient ana = server.client(new RecordingListener());
    ana.guest("ana").join();
    for (int i = 1; i <= 30; i++) {
      ana.send("#lobby", "m" + i).join();
    }
    ServerFrame.HistoryPage last = ana.history("#lobby", null, 10).join();
    assertThat(last.messages()).extracting(ServerFrame.Msg::text)
        .containsExactly("m21", "m22", "m23", "m24", "m25", "m26", "m27", "m28", "m29", "m30");
    assertThat(last.more()).isTrue();
    ServerFrame.HistoryPage before = ana.history("#lobby", last.messages().get(0).seq(), 25).join();
    assertThat(before.messages()).hasSize(20);
    assertThat(before.messages().get(0).text()).isEqualTo("m1");
    assertThat(before.more()).isFalse();

    // a newcomer gets the latest messages with its join reply
    CharlaClient bob = server.client(new RecordingListener());
    bob.guest("bob").join();
    ServerFrame.Joined joined = bob.join("#lobby").join();
    assertThat(joined.recent()).hasSize(20);
    assertThat(joined.recent().get(19).text()).isEqualTo("m30");
  }

  @Test
  void wrongPasswordAndTakenNamesAreRefused() {
    CharlaClient ana = server.client(new RecordingListener());
    ana.register("Ana", "correct horse").join();

    CharlaClient imposter = server.client(new RecordingListener());
    assertThatThrownBy(() -> imposter.login("ana", "wrong password").join())
        .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.AUTH_FAILED));
    assertThatThrownBy(() -> imposter.register("ANA", "another password").join())
        .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NAME_TAKEN));
    assertThatThrownBy(() -> imposter.guest("ana").join())
        .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NAME_TAKEN));
    // the same connection may still log in properly after failures
    ServerFrame.LoggedIn in = imposter.login("aNa", "correct horse").join();
    assertThat(in.you().name()).isEqualTo("Ana");

    CharlaClient g1 = server.client(new RecordingListener());
    g1.guest("zoe").join();
    CharlaClient g2 = server.client(new RecordingListener());
    assertThatThrownBy(() -> g2.guest("ZOE").join())
        .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NAME_TAKEN));
    assertThatThrownBy(() -> g2.register("zoe", "a long password").join())
        .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NAME_TAKEN));
  }
}
