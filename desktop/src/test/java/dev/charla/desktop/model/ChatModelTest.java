package dev.charla.desktop.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charla.client.ConnectionState;
import dev.charla.protocol.ServerFrame.Msg;
import dev.charla.protocol.ServerFrame.SessionInfo;
import dev.charla.protocol.ServerFrame.Stored;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChatModelTest {
  private final List<String> changes = new ArrayList<>();
  private ChatModel model;

  @BeforeEach
  void signedInAsAna() {
    model = new ChatModel(() -> 1_000L);
    model.identity(session("Ana", false, "10.0.0.1", 5000, "tcp"));
    model.addListener((c, conv) -> changes.add(c + (conv == null ? "" : " " + conv)));
  }

  private static SessionInfo session(String name, boolean guest, String ip, Integer port, String transport) {
    return new SessionInfo(name, guest, ip, port, transport, "charla-desktop/0.1", 0);
  }

  private static Msg msg(long sid, String conv, long seq, String from, String text) {
    return new Msg(sid, conv, seq, from, conv, 5_000L, text, "tcp", "c" + sid, null);
  }

  @Test
  void messagesInAnotherConversationCountAsUnreadUntilItIsActive() {
    model.openRoom("#lobby");
    model.openRoom("#dev");
    model.active("#lobby");

    model.receive(msg(1, "#dev", 1, "beto", "hola"));
    model.receive(msg(2, "#dev", 2, "beto", "¿hay alguien?"));
    model.receive(msg(3, "#lobby", 1, "beto", "here"));

    assertThat(model.conversation("#dev").unread()).isEqualTo(2);
    assertThat(model.conversation("#lobby").unread()).isZero();
    model.active("#dev");
    assertThat(model.conversation("#dev").unread()).isZero();
  }

  @Test
  void yourOwnMessagesAreNeverUnread() {
    model.openRoom("#lobby");
    model.openRoom("#dev");
    model.active("#lobby");

    ChatModel.Received r = model.receive(msg(1, "#dev", 1, "ANA", "from my phone"));

    assertThat(r.news()).isFalse();
    assertThat(model.conversation("#dev").unread()).isZero();
    assertThat(model.conversation("#dev").entries().get(0).own()).isTrue();
  }

  @Test
  void aMessageAlreadyShownIsIgnored() {
    model.openRoom("#lobby");
    model.receive(msg(1, "#lobby", 1, "beto", "once"));
    ChatModel.Received again = model.receive(msg(1, "#lobby", 1, "beto", "once"));

    assertThat(again.news()).isFalse();
    assertThat(model.conversation("#lobby").entries()).hasSize(1);
  }

  @Test
  void ownMessageGoesFromSendingToStoredAndTheEchoIsMergedNotDuplicated() {
    model.openRoom("#lobby");
    long id = model.outgoing("#lobby", "hola ñ 😀", "tcp");
    assertThat(model.conversation("#lobby").entries().get(0).state()).isEqualTo(MessageState.SENDING);

    model.stored("#lobby", id, new Stored("1", 42, "#lobby", 7, 9_000L, "cm"));
    model.receive(new Msg(42, "#lobby", 7, "ana", "#lobby", 9_000L, "hola ñ 😀", "udp", "cm", null));

    List<Entry> entries = model.conversation("#lobby").entries();
    assertThat(entries).hasSize(1);
    assertThat(entries.get(0).state()).isEqualTo(MessageState.STORED);
    assertThat(entries.get(0).seq()).isEqualTo(7);
    assertThat(entries.get(0).via()).isEqualTo("udp");
    assertThat(entries.get(0).text()).isEqualTo("hola ñ 😀");
  }

  @Test
  void anEchoArrivingBeforeTheStoredReplyIsMergedToo() {
    model.openRoom("#lobby");
    long id = model.outgoing("#lobby", "race", "tcp");

    model.receive(new Msg(43, "#lobby", 8, "ana", "#lobby", 9_000L, "race", "tcp", "cm", null));
    model.stored("#lobby", id, new Stored("1", 43, "#lobby", 8, 9_000L, "cm"));

    assertThat(model.conversation("#lobby").entries())
        .singleElement()
        .satisfies(e -> assertThat(e.state()).isEqualTo(MessageState.STORED));
  }

  @Test
  void aRefusedMessageIsMarkedFailed() {
    model.openRoom("#lobby");
    long id = model.outgoing("#lobby", "x", "tcp");
    model.failed("#lobby", id);

    assertThat(model.conversation("#lobby").entries().get(0).state()).isEqualTo(MessageState.FAILED);
  }

  @Test
  void aPrivateMessageFromSomeoneNewOpensAConversationTitledWithTheirName() {
    ChatModel.Received r = model.receive(msg(5, "@ana,beto", 1, "Beto", "hi"));

    assertThat(r.news()).isTrue();
    Conversation c = model.conversation("@ana,beto");
    assertThat(c.isRoom()).isFalse();
    assertThat(c.title()).isEqualTo("@Beto");
    assertThat(c.target()).isEqualTo("@beto");
    assertThat(c.unread()).isEqualTo(1);
    assertThat(changes).contains("OPENED @ana,beto");
    assertThat(model.directId("BETO")).isEqualTo("@ana,beto");
  }

  @Test
  void olderPagesArePrependedWithoutDuplicatesAndTrackTheOldestSeq() {
    model.openRoom("#lobby");
    model.older("#lobby", LongStream.rangeClosed(51, 70).mapToObj(i -> msg(i, "#lobby", i, "beto", "m" + i)).toList(),
        true);
    assertThat(model.conversation("#lobby").oldestSeq()).isEqualTo(51);
    assertThat(model.startLoadingOlder("#lobby")).isTrue();
    assertThat(model.startLoadingOlder("#lobby")).as("already loading").isFalse();

    model.older("#lobby", LongStream.rangeClosed(1, 51).mapToObj(i -> msg(i, "#lobby", i, "beto", "m" + i)).toList(),
        false);

    Conversation c = model.conversation("#lobby");
    assertThat(c.entries()).hasSize(70);
    assertThat(c.entries().get(0).seq()).isEqualTo(1);
    assertThat(c.entries().get(69).seq()).isEqualTo(70);
    assertThat(c.hasOlder()).isFalse();
    assertThat(model.startLoadingOlder("#lobby")).as("nothing older").isFalse();
  }

  @Test
  void roomEventsBecomeNoticesInOpenRoomsOnly() {
    model.openRoom("#lobby");
    model.roomEvent("#lobby", "beto", "join");
    model.roomEvent("#lobby", "beto", "offline");
    model.roomEvent("#elsewhere", "beto", "join");
    model.roomEvent("#lobby", "beto", "something-new");

    assertThat(model.conversation("#lobby").entries())
        .extracting(Entry::kind)
        .containsExactly(Entry.Kind.JOINED, Entry.Kind.OFFLINE);
  }

  @Test
  void peopleAreGroupedByUserSortedByNameWithEachSession() {
    model.people(List.of(
        session("zoe", false, null, null, "udp"),
        session("Ana", false, "10.0.0.1", 5000, "tcp"),
        session("beto", true, "10.0.0.2", 6000, "tcp"),
        session("ana", false, "10.0.0.3", 7000, "udp")));

    assertThat(model.people()).extracting(Person::name).containsExactly("Ana", "beto", "zoe");
    assertThat(model.people().get(0).sessions()).extracting(SessionInfo::ip).containsExactly("10.0.0.1", "10.0.0.3");
    assertThat(model.people().get(1).guest()).isTrue();
    assertThat(changes).containsOnlyOnce("PEOPLE");

    model.people(List.of(
        session("zoe", false, null, null, "udp"),
        session("Ana", false, "10.0.0.1", 5000, "tcp"),
        session("beto", true, "10.0.0.2", 6000, "tcp"),
        session("ana", false, "10.0.0.3", 7000, "udp")));
    assertThat(changes).as("no change, no event").containsOnlyOnce("PEOPLE");
  }

  @Test
  void theBannerShowsWhileReconnectingAndAfterGivingUp() {
    model.connection(ConnectionState.LOGGED_IN, "");
    assertThat(model.connectionLost()).isFalse();
    model.connection(ConnectionState.RECONNECTING, "connection lost");
    assertThat(model.connectionLost()).isTrue();
    model.connection(ConnectionState.LOGGED_IN, "reconnected");
    assertThat(model.connectionLost()).isFalse();
    model.connection(ConnectionState.CLOSED, "closed");
    assertThat(model.connectionLost()).isTrue();
  }

  @Test
  void closingTheActiveConversationClearsIt() {
    model.openRoom("#lobby");
    model.active("#lobby");
    model.close("#lobby");

    assertThat(model.active()).isNull();
    assertThat(model.conversations()).isEmpty();
    assertThat(changes).contains("CLOSED #lobby");
  }

  @Test
  void catchingUpAfterAReconnectAddsOnlyWhatWasMissedInSequenceOrder() {
    model.openRoom("#lobby");
    model.openRoom("#dev");
    model.active("#dev");
    model.receive(msg(1, "#lobby", 1, "beto", "one"));
    model.receive(msg(4, "#lobby", 4, "beto", "four, live after the reconnect"));

    int added = model.caughtUp("#lobby", List.of(msg(1, "#lobby", 1, "beto", "one"), msg(2, "#lobby", 2, "beto", "two"),
        msg(3, "#lobby", 3, "beto", "three"), msg(4, "#lobby", 4, "beto", "four, live after the reconnect")));

    assertThat(added).isEqualTo(2);
    assertThat(model.conversation("#lobby").entries()).extracting(Entry::seq).containsExactly(1L, 2L, 3L, 4L);
    assertThat(model.conversation("#lobby").unread()).isEqualTo(4);
  }
}
