package dev.charla.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charla.client.ChatException;
import dev.charla.client.ConnectionState;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.ServerFrame;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ChatFormatterTest {
  private static final ZoneId MADRID = ZoneId.of("Europe/Madrid");
  /** 2025-03-10 12:30 in Madrid (UTC+1 in winter). */
  private static final Instant NOW = Instant.parse("2025-03-10T11:30:00Z");

  private final ChatFormatter format = new ChatFormatter(Clock.fixed(NOW, MADRID));

  private static ServerFrame.Msg room(String from, String text, Instant at) {
    return new ServerFrame.Msg(1, "#lobby", 7, from, "#lobby", at.toEpochMilli(), text, "tcp", "c1", null);
  }

  private static ServerFrame.Msg direct(String from, String to, String text, Instant at) {
    return new ServerFrame.Msg(2, "@ana,bob", 3, from, to, at.toEpochMilli(), text, "tcp", "c2", null);
  }

  @Test
  void roomMessageShowsTimeRoomAndSenderInTheClockZone() {
    Instant at = Instant.parse("2025-03-10T11:03:00Z");
    assertThat(format.message(room("ana", "hola", at), "bob")).isEqualTo("[12:03] #lobby <ana> hola");
  }

  @Test
  void sameInstantReadsDifferentlyInAnotherZone() {
    ChatFormatter utc = new ChatFormatter(Clock.fixed(NOW, ZoneId.of("UTC")));
    Instant at = Instant.parse("2025-03-10T11:03:00Z");
    assertThat(utc.message(room("ana", "hola", at), "bob")).isEqualTo("[11:03] #lobby <ana> hola");
  }

  @Test
  void messagesFromAnotherDayCarryTheDate() {
    Instant yesterday = Instant.parse("2025-03-09T22:59:00Z"); // 23:59 on the 9th in Madrid
    assertThat(format.message(room("ana", "late", yesterday), "bob")).isEqualTo("[2025-03-09 23:59] #lobby <ana> late");
    Instant justAfterMidnight = Instant.parse("2025-03-09T23:01:00Z"); // 00:01 on the 10th in Madrid
    assertThat(format.timestamp(justAfterMidnight.toEpochMilli())).isEqualTo("00:01");
  }

  @Test
  void privateMessageToMeNamesMeYou() {
    Instant at = Instant.parse("2025-03-10T11:03:00Z");
    assertThat(format.message(direct("ana", "bob", "hi", at), "bob")).isEqualTo("[12:03] <ana → you> hi");
    assertThat(format.message(direct("ana", "Bob", "hi", at), "bob")).isEqualTo("[12:03] <ana → you> hi");
  }

  @Test
  void privateMessageFromMeNamesTheRecipient() {
    Instant at = Instant.parse("2025-03-10T11:03:00Z");
    assertThat(format.message(direct("bob", "ana", "hey", at), "bob")).isEqualTo("[12:03] <you → ana> hey");
  }

  @Test
  void roomEventsAndTopics() {
    assertThat(format.roomEvent(new ServerFrame.RoomEvent("#lobby", "bob", "join"))).isEqualTo("-- bob joined #lobby");
    assertThat(format.roomEvent(new ServerFrame.RoomEvent("#dev", "bob", "leave"))).isEqualTo("-- bob left #dev");
    assertThat(format.roomEvent(new ServerFrame.RoomEvent("#dev", "bob", "online"))).isEqualTo("-- bob is online (#dev)");
    assertThat(format.roomEvent(new ServerFrame.RoomEvent("#dev", "bob", "offline")))
        .isEqualTo("-- bob went offline (#dev)");
    assertThat(format.topic(new ServerFrame.TopicSet(null, "#dev", "friday", "ana")))
        .isEqualTo("-- ana set topic of #dev: friday");
    assertThat(format.topic(new ServerFrame.TopicSet(null, "#dev", "", null))).isEqualTo("-- topic of #dev: (none)");
  }

  @Test
  void errorsShowTheStableCodeEvenWhenWrapped() {
    ChatException taken = new ChatException(ErrorCode.NAME_TAKEN, "ana is taken");
    assertThat(format.error(taken)).isEqualTo("!! name_taken: ana is taken");
    assertThat(format.error(new CompletionException(taken))).isEqualTo("!! name_taken: ana is taken");
    assertThat(format.error(new IllegalStateException("boom"))).startsWith("!! internal: ");
  }

  @Test
  void connectionChangesWorthShowing() {
    assertThat(format.state(ConnectionState.LOGGED_IN, ConnectionState.RECONNECTING, "connection lost"))
        .isEqualTo("** connection lost, reconnecting… (connection lost)");
    assertThat(format.state(ConnectionState.RECONNECTING, ConnectionState.RECONNECTING, "again")).isNull();
    assertThat(format.state(ConnectionState.RECONNECTING, ConnectionState.LOGGED_IN, "reconnected as ana"))
        .isEqualTo("** reconnected");
    assertThat(format.state(ConnectionState.CONNECTED, ConnectionState.LOGGED_IN, "logged in")).isNull();
    assertThat(format.state(ConnectionState.LOGGED_IN, ConnectionState.CLOSED, "connection lost"))
        .isEqualTo("** disconnected: connection lost");
  }

  @Test
  void sessionsShowNameGuestAddressTransportAndClient() {
    ServerFrame.SessionInfo ana = new ServerFrame.SessionInfo("ana", false, "127.0.0.1", 50412, "tcp", "charla-term/0.1", 0);
    ServerFrame.SessionInfo zoe = new ServerFrame.SessionInfo("zoe", true, "::1", 7, "tcp", null, 0);
    ServerFrame.SessionInfo hidden = new ServerFrame.SessionInfo("max", false, null, null, "tcp", "x", 0);
    assertThat(format.session(ana)).contains("ana", "127.0.0.1:50412", "tcp", "charla-term/0.1").doesNotContain("guest");
    assertThat(format.session(zoe)).contains("zoe", "guest", "[::1]:7");
    assertThat(format.session(hidden)).contains("(address hidden)");
    assertThat(format.identity(ana)).isEqualTo("** you are ana (127.0.0.1:50412 via tcp, charla-term/0.1)");
    assertThat(format.identity(zoe)).isEqualTo("** you are zoe (guest) ([::1]:7 via tcp)");
  }

  @Test
  void joinedListsTopicAndMembers() {
    ServerFrame.Joined j =
        new ServerFrame.Joined(null, new ServerFrame.RoomInfo("#dev", "builds", 2, 0), List.of("ana", "bob"), List.of());
    assertThat(format.joined(j)).isEqualTo("-- you are in #dev — builds (2 members: ana, bob)");
  }
}
