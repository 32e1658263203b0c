package dev.charla.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.charla.protocol.ClientFrame;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.ServerFrame;
import dev.charla.server.security.PasswordHasher;
import dev.charla.server.store.sqlite.SqliteChatStore;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The core alone: no sockets, a real store, and a clock the test moves. */
class ChatCoreTest {
  @TempDir Path dir;
  FakeTicker ticker = new FakeTicker();
  SqliteChatStore store;
  ChatCore core;
  int nextPort = 40_000;

  @BeforeEach
  void start() {
    store = SqliteChatStore.open(dir.resolve("core.db"));
    ChatConfig config = ChatConfig.defaults().toBuilder()
        .messagesPerSecond(1).messageBurst(2).loginAttemptsPerMinute(2).tokenLifetime(Duration.ofHours(1)).build();
    core = new ChatCore(config, store, new PasswordHasher(PasswordHasher.Params.OWASP, new SecureRandom()), ticker);
  }

  @AfterEach
  void stop() {
    core.close();
    store.close();
  }

  private Session connect(RecordingLink link) {
    Session s = core.open(link);
    core.onFrame(s, new ClientFrame.Hello(null, 1, "unit"));
    return s;
  }

  private ServerFrame.LoggedIn guest(Session s, RecordingLink link, String name) {
    core.onFrame(s, new ClientFrame.Guest("g", name));
    await().atMost(Duration.ofSeconds(5)).until(() -> !link.of(ServerFrame.LoggedIn.class).isEmpty());
    return link.of(ServerFrame.LoggedIn.class).get(0);
  }

  @Test
  void floodControlRefillsAsTimePasses() {
    RecordingLink link = new RecordingLink(nextPort++);
    Session s = connect(link);
    guest(s, link, "ana");
    core.onFrame(s, new ClientFrame.Send("1", "#lobby", "a", null));
    core.onFrame(s, new ClientFrame.Send("2", "#lobby", "b", null));
    core.onFrame(s, new ClientFrame.Send("3", "#lobby", "c", null));
    assertThat(link.hasError("3", ErrorCode.RATE_LIMITED)).isTrue();

    ticker.advance(Duration.ofSeconds(1));
    core.onFrame(s, new ClientFrame.Send("4", "#lobby", "d", null));
    await().atMost(Duration.ofSeconds(5)).until(() -> link.of(ServerFrame.Stored.class).size() == 3);
    assertThat(link.of(ServerFrame.Stored.class)).extracting(ServerFrame.Stored::re).containsExactly("1", "2", "4");
  }

  @Test
  void messagesAreStampedWithTheInjectedClock() {
    RecordingLink link = new RecordingLink(nextPort++);
    Session s = connect(link);
    guest(s, link, "ana");
    core.onFrame(s, new ClientFrame.Send("1", "#lobby", "now", null));
    await().atMost(Duration.ofSeconds(5)).until(() -> !link.of(ServerFrame.Msg.class).isEmpty());
    assertThat(link.of(ServerFrame.Msg.class).get(0).ts()).isEqualTo(ticker.nowMillis());
  }

  @Test
  void theWriterCheckpointsTheStoreOnceItsMessagesAreOut() {
    RecordingLink link = new RecordingLink(nextPort++);
    Session s = connect(link);
    guest(s, link, "ana");
    core.onFrame(s, new ClientFrame.Send("1", "#lobby", "marker-checkpoint-marker", null));
    await().atMost(Duration.ofSeconds(5)).until(() -> !link.of(ServerFrame.Stored.class).isEmpty());

    // No write follows: only the writer's upkeep between batches moves the message from the WAL into the file.
    await().atMost(Duration.ofSeconds(5)).until(() -> inDatabaseFile("marker-checkpoint-marker"));
  }

  /** Whether {@code text} has reached the store's database file (what is only in its WAL has not). */
  private boolean inDatabaseFile(String text) throws java.io.IOException {
    byte[] content = java.nio.file.Files.readAllBytes(dir.resolve("core.db"));
    return new String(content, java.nio.charset.StandardCharsets.ISO_8859_1).contains(text);
  }

  /** The writer's JFR events, which {@code charla bench stages} reads to say what delayed messages waited for. */
  @Test
  void theWriterRecordsWhereItsTimeWent() throws Exception {
    RecordingLink link = new RecordingLink(nextPort++);
    Session s = connect(link);
    guest(s, link, "ana");
    List<RecordedEvent> events;
    try (Recording recording = new Recording()) {
      recording.enable(WriterBatchEvent.NAME);
      recording.enable("dev.charla.StoreSync");
      recording.enable("dev.charla.StoreCheckpoint");
      recording.start();
      core.onFrame(s, new ClientFrame.Send("1", "#lobby", "recorded", null));
      await().atMost(Duration.ofSeconds(5)).until(() -> !link.of(ServerFrame.Stored.class).isEmpty());
      await().atMost(Duration.ofSeconds(5)).until(() -> inDatabaseFile("recorded"));
      recording.stop();
      Path file = dir.resolve("writer.jfr");
      recording.dump(file);
      events = RecordingFile.readAllEvents(file);
    }

    assertThat(named(events, WriterBatchEvent.NAME)).singleElement().satisfies(batch -> {
      assertThat(batch.getThread().getJavaName()).isEqualTo("charla-writer");
      assertThat(batch.getInt("sends")).isEqualTo(1);
      assertThat(batch.getBoolean("inline")).isTrue();
      assertThat(batch.getLong("oldestWait")).isNotNegative();
      assertThat(batch.getLong("store")).isPositive();
      assertThat(batch.getLong("fanout")).isPositive();
    });
    // The commit's sync, then the upkeep's checkpoint and its sync of the database file, all on the writer.
    assertThat(named(events, "dev.charla.StoreSync"))
        .filteredOn(e -> e.getThread().getJavaName().equals("charla-writer"))
        .extracting(e -> e.getString("file")).contains("wal", "database");
    assertThat(named(events, "dev.charla.StoreCheckpoint")).isNotEmpty()
        .allSatisfy(e -> assertThat(e.getLong("copiedFrames")).isPositive());
  }

  private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
    return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
  }

  @Test
  void loginAttemptsRefillAfterAMinute() {
    RecordingLink link = new RecordingLink(nextPort++);
    Session s = connect(link);
    core.onFrame(s, new ClientFrame.Guest("1", "x")); // a bad name is refused before it costs an attempt
    assertThat(link.hasError("1", ErrorCode.BAD_NAME)).isTrue();
    core.onFrame(s, new ClientFrame.Resume("2", "nope"));
    await().atMost(Duration.ofSeconds(5)).until(() -> link.hasError("2", ErrorCode.BAD_TOKEN));
    core.onFrame(s, new ClientFrame.Resume("3", "nope"));
    await().atMost(Duration.ofSeconds(5)).until(() -> link.hasError("3", ErrorCode.BAD_TOKEN));
    core.onFrame(s, new ClientFrame.Resume("4", "nope"));
    assertThat(link.hasError("4", ErrorCode.THROTTLED)).isTrue();

    ticker.advance(Duration.ofSeconds(31)); // 2 per minute: one token back after 30 s
    core.onFrame(s, new ClientFrame.Resume("5", "nope"));
    await().atMost(Duration.ofSeconds(5)).until(() -> link.hasError("5", ErrorCode.BAD_TOKEN));
  }

  @Test
  void aResumeTokenExpiresAfterItsLifetime() {
    RecordingLink first = new RecordingLink(nextPort++);
    Session s1 = connect(first);
    String token = guest(s1, first, "ana").token();
    core.onClosed(s1, "test");

    RecordingLink second = new RecordingLink(nextPort++);
    Session s2 = connect(second);
    core.onFrame(s2, new ClientFrame.Resume("r", token));
    await().atMost(Duration.ofSeconds(5)).until(() -> !second.of(ServerFrame.LoggedIn.class).isEmpty());
    core.onClosed(s2, "test");

    ticker.advance(Duration.ofHours(1).plusSeconds(1));
    RecordingLink third = new RecordingLink(nextPort++);
    Session s3 = connect(third);
    core.onFrame(s3, new ClientFrame.Resume("r", token));
    await().atMost(Duration.ofSeconds(5)).until(() -> third.hasError("r", ErrorCode.BAD_TOKEN));
  }

  @Test
  void sessionsAreListedWithTheirAddressesUnlessThePolicyHidesThem() {
    RecordingLink a = new RecordingLink(nextPort++);
    Session sa = connect(a);
    guest(sa, a, "ana");
    RecordingLink b = new RecordingLink(nextPort++);
    Session sb = connect(b);
    guest(sb, b, "bob");
    core.onFrame(sa, new ClientFrame.Who("w"));
    ServerFrame.Users users = a.of(ServerFrame.Users.class).get(0);
    assertThat(users.sessions()).extracting(ServerFrame.SessionInfo::port).containsExactly(a.port, b.port);
    assertThat(users.sessions()).extracting(ServerFrame.SessionInfo::ip).containsOnly("192.0.2.1");
  }

  @Test
  void aClosedSessionLeavesPresenceAndRoomsAndMembersAreTold() {
    RecordingLink a = new RecordingLink(nextPort++);
    Session sa = connect(a);
    guest(sa, a, "ana");
    RecordingLink b = new RecordingLink(nextPort++);
    Session sb = connect(b);
    guest(sb, b, "bob");
    core.onClosed(sb, "test");
    assertThat(a.of(ServerFrame.RoomEvent.class))
        .contains(new ServerFrame.RoomEvent("#lobby", "bob", "online"), new ServerFrame.RoomEvent("#lobby", "bob", "offline"));
    core.onFrame(sa, new ClientFrame.Who("w"));
    assertThat(a.of(ServerFrame.Users.class).get(0).sessions()).extracting(ServerFrame.SessionInfo::name)
        .containsExactly("ana");
  }
}
