package dev.charla.desktop.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charla.client.ConnectionState;
import dev.charla.client.DirectMode;
import dev.charla.client.TransferProgress;
import dev.charla.protocol.ServerFrame.FileInfo;
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

  @Test
  void aDirectConversationOpensOnceRecordsEachModeChangeAndStaysEndedOnceClosed() {
    List<DirectMode> modeWhenOpened = new ArrayList<>();
    model.addListener((c, conv) -> {
      if (c == ChatModel.Change.OPENED) {
        modeWhenOpened.add(model.conversation(conv).mode());
      }
    });
    model.directState("L1", "beto", DirectMode.ASKING, "");
    model.directState("L1", "beto", DirectMode.ASKING, "waiting for beto"); // the request's reply and the event
    model.directState("L1", "beto", DirectMode.CONNECTING, "trying 2 addresses");
    model.directState("L1", "beto", DirectMode.DIRECT, "10.0.0.2:4000");
    model.directState("L1", "beto", DirectMode.RELAYED, "direct connection lost");
    model.directState("L1", "beto", DirectMode.CLOSED, "closed by beto");
    model.directState("L1", "beto", DirectMode.RELAYED, "late");

    Conversation c = model.conversation(ChatModel.linkConversation("L1"));
    assertThat(c.isDirectLink()).isTrue();
    assertThat(c.title()).isEqualTo("⇄ beto");
    assertThat(c.hasOlder()).as("the server keeps nothing of it").isFalse();
    assertThat(c.mode()).isEqualTo(DirectMode.CLOSED);
    assertThat(c.modeDetail()).isEqualTo("closed by beto");
    assertThat(c.entries()).extracting(Entry::text)
        .containsExactly("ASKING", "CONNECTING", "DIRECT", "RELAYED", "CLOSED");
    assertThat(changes).containsOnlyOnce("OPENED direct:L1");
    assertThat(modeWhenOpened).as("views read the mode when the tab opens").containsExactly(DirectMode.ASKING);
    assertThat(model.directLinkWith("beto")).as("ended").isNull();
  }

  @Test
  void directMessagesSayHowTheyTravelledAndOwnOnesAreSentOverTheCurrentMode() {
    model.directState("L1", "beto", DirectMode.DIRECT, "10.0.0.2:4000");
    String conv = ChatModel.linkConversation("L1");

    model.directMessage("L1", "beto", "hola", false);
    long mine = model.outgoingDirect(conv, "qué tal");
    model.sent(conv, mine);
    model.directState("L1", "beto", DirectMode.RELAYED, "lost");
    model.directMessage("L1", "beto", "por el servidor", true);

    assertThat(model.conversation(conv).entries()).filteredOn(Entry::isMessage)
        .extracting(Entry::text, Entry::via, Entry::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("hola", "direct", MessageState.STORED),
            org.assertj.core.groups.Tuple.tuple("qué tal", "direct", MessageState.STORED),
            org.assertj.core.groups.Tuple.tuple("por el servidor", "relayed", MessageState.STORED));
    assertThat(model.conversation(conv).unread()).isEqualTo(2);
  }

  @Test
  void aRequestWithdrawnBeforeAnAnswerOnlyLeavesTheListOfRequests() {
    model.directRequested("L2", "carla");
    model.directRequested("L2", "carla");
    assertThat(model.directRequests()).containsExactly(new ChatModel.DirectRequest("L2", "carla"));

    model.directState("L2", "carla", DirectMode.CLOSED, "closed by carla");

    assertThat(model.directRequests()).isEmpty();
    assertThat(model.conversation(ChatModel.linkConversation("L2"))).isNull();
  }

  @Test
  void anOfferRepeatedAtTheNextLoginIsShownOnceAndNotAgainOnceAnswered() {
    FileInfo f = new FileInfo("F1", "a.txt", 3, "ab", "beto", 0, "Ana");
    model.offered(f);
    model.offered(f);
    assertThat(model.offers()).containsExactly(f);

    assertThat(model.offerAnswered("F1")).isEqualTo(f);
    model.offered(f); // the server's repeat, before it learned of the answer

    assertThat(model.offers()).isEmpty();
    model.offerUnanswered(f); // accepting failed: ask again
    assertThat(model.offers()).containsExactly(f);
  }

  @Test
  void aTransferReportsProgressThenEndsOnceWithItsOutcome() {
    long id = model.transferStarted(Transfer.Kind.OFFER_IN, "a.txt", "beto", 1000);
    model.transferProgress(id, new TransferProgress("a.txt", 250, 1000, 500, 1500));
    assertThat(model.transfer(id).fraction()).isEqualTo(0.25);
    assertThat(model.transfer(id).etaMillis()).isEqualTo(1500);

    model.transferDone(id, "/tmp/a.txt");
    model.transferFailed(id, "too late");
    model.transferProgress(id, new TransferProgress("a.txt", 300, 1000, 500, 1500));

    Transfer t = model.transfer(id);
    assertThat(t.state()).isEqualTo(Transfer.State.DONE);
    assertThat(t.detail()).isEqualTo("/tmp/a.txt");
    assertThat(t.fraction()).isEqualTo(1.0);
    long failed = model.transferStarted(Transfer.Kind.UPLOAD, "b.txt", null, 10);
    model.transferFailed(failed, "forbidden");
    model.transferStarted(Transfer.Kind.DOWNLOAD, "c.txt", null, 10);

    model.clearFinishedTransfers();

    assertThat(model.transfers()).extracting(Transfer::name).containsExactly("c.txt");
  }
}
