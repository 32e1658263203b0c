package dev.charla.terminal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.charla.client.CharlaClient;
import dev.charla.client.ChatListener;
import dev.charla.protocol.ServerFrame;
import dev.charla.server.ChatServer;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The terminal against a real server in this JVM (port 0, SQLite in a temp dir), typed into through a piped
 * dumb terminal, with other people played by the client library.
 */
@Timeout(60)
class TerminalConversationTest {
  private static final Duration WAIT = Duration.ofSeconds(30); // generous: Argon2id logins on a busy 2-core machine

  @TempDir Path dir;
  private ChatServer server;
  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @BeforeEach
  void startServer() throws InterruptedException {
    server = ChatServer.start(ChatServer.Options.forTests(dir.resolve("charla.db")));
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (AutoCloseable c : closeLater.reversed()) {
      c.close();
    }
    server.close();
  }

  private ScriptedTerminal terminal() {
    ScriptedTerminal t = new ScriptedTerminal();
    closeLater.add(t);
    return t;
  }

  private TerminalMain main(String... args) {
    TerminalMain main = new TerminalMain(new ByteArrayInputStream(new byte[0]), Clock.systemDefaultZone());
    List<String> all = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", Integer.toString(server.tcpPort())));
    all.addAll(List.of(args));
    TerminalMain.commandLine(main).parseArgs(all.toArray(String[]::new));
    return main;
  }

  /** Another person, on the client library, already logged in as a guest. */
  private Person person(String name) {
    Person p = new Person();
    CharlaClient c =
        CharlaClient.builder().host("127.0.0.1").port(server.tcpPort()).clientLabel("test-lib").listener(p).build();
    closeLater.add(c);
    c.connect().join();
    c.guest(name).join();
    p.client = c;
    return p;
  }

  private static final class Person implements ChatListener {
    final List<ServerFrame.Msg> messages = new CopyOnWriteArrayList<>();
    CharlaClient client;

    @Override
    public void onMessage(ServerFrame.Msg message) {
      messages.add(message);
    }

    List<String> texts() {
      return messages.stream().map(ServerFrame.Msg::text).toList();
    }
  }

  private static void expect(ScriptedTerminal term, String text) {
    await("terminal shows '" + text + "'").atMost(WAIT).until(() -> term.output().contains(text));
  }

  private static int exitCode(CompletableFuture<Integer> exit) throws Exception {
    return exit.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void guestJoinsARoomTalksListsUsersAndQuits() throws Exception {
    ScriptedTerminal term = terminal();
    CompletableFuture<Integer> exit = term.start(main("--guest", "ana"), null);

    expect(term, "** you are ana (guest) (127.0.0.1:");
    expect(term, "-- you are in #lobby");
    expect(term, "#lobby> ");

    term.type("/join #x");
    expect(term, "-- you are in #x");
    term.type("hola a todos");
    expect(term, "#x <ana> hola a todos");

    term.type("/users");
    expect(term, "1 session online:");
    String users = term.output().substring(term.output().indexOf("1 session online:"));
    assertThat(users.lines().skip(1).findFirst().orElseThrow())
        .contains("ana", "guest", "127.0.0.1:", "tcp", "charla-term/0.1");

    term.type("/quit");
    assertThat(exitCode(exit)).isZero();
  }

  @Test
  void aUdpTerminalTalksWithATcpUserAndShowsTheTransport() throws Exception {
    ScriptedTerminal term = terminal();
    CompletableFuture<Integer> exit = term.start(main("--transport", "udp", "--guest", "ana"), null);
    expect(term, "** you are ana (guest) (127.0.0.1:");
    expect(term, "via udp");
    expect(term, "#lobby> ");
    Person bob = person("bob");
    term.type("hola por udp");
    await().atMost(WAIT).until(() -> bob.texts().contains("hola por udp"));
    assertThat(bob.messages.get(0).via()).isEqualTo("udp");
    expect(term, "#lobby <ana> hola por udp  (udp)");
    bob.client.send("#lobby", "hola por tcp").join();
    expect(term, "#lobby <bob> hola por tcp");
    term.type("/users");
    expect(term, "2 sessions online:");
    term.type("/quit");
    assertThat(exitCode(exit)).isZero();
  }

  @Test
  void viaUdpAttachesAUdpPathToATcpLoginAndSendsOverIt() throws Exception {
    ScriptedTerminal term = terminal();
    CompletableFuture<Integer> exit = term.start(main("--guest", "ana"), null);
    expect(term, "#lobby> ");
    Person bob = person("bob");
    term.type("/via udp");
    expect(term, "UDP path attached (127.0.0.1:");
    expect(term, "sending over udp from now on");
    term.type("switched");
    await().atMost(WAIT).until(() -> bob.texts().contains("switched"));
    assertThat(bob.messages).filteredOn(m -> m.text().equals("switched")).singleElement()
        .satisfies(m -> assertThat(m.via()).isEqualTo("udp"));
    term.type("/via tcp");
    expect(term, "sending over tcp from now on");
    term.type("back on tcp");
    await().atMost(WAIT).until(() -> bob.texts().contains("back on tcp"));
    assertThat(bob.messages).filteredOn(m -> m.text().equals("back on tcp")).singleElement()
        .satisfies(m -> assertThat(m.via()).isEqualTo("tcp"));
    term.type("/quit");
    assertThat(exitCode(exit)).isZero();
  }

  @Test
  void messagesFromOthersAppearInTheTerminal() throws Exception {
    ScriptedTerminal term = terminal();
    CompletableFuture<Integer> exit = term.start(main("--guest", "ana"), null);
    expect(term, "#lobby> ");
    term.type("/join x");
    expect(term, "#x> ");

    Person bob = person("bob");
    bob.client.join("#x").join();
    expect(term, "-- bob joined #x");
    bob.client.send("#x", "que tal").join();
    expect(term, "#x <bob> que tal");
    bob.client.send("@ana", "psst").join();
    expect(term, "<bob → you> psst");

    term.type(":p-bob-hola que tal, sin-guiones-no");
    await().atMost(WAIT).until(() -> bob.texts().contains("hola que tal, sin-guiones-no"));
    expect(term, "<you → bob> hola que tal, sin-guiones-no");

    term.type("/msg bob");
    expect(term, "@bob> ");
    term.type("directo");
    await().atMost(WAIT).until(() -> bob.texts().contains("directo"));

    term.type("/topic #x release on friday");
    expect(term, "-- ana set topic of #x: release on friday");

    term.type(":q");
    assertThat(exitCode(exit)).isZero();
  }

  @Test
  void historyGoesFurtherBackEachTime() throws Exception {
    Person dan = person("dan");
    dan.client.join("#hist").join();
    for (int i = 1; i <= 30; i++) {
      dan.client.send("#hist", "m" + i).join();
    }
    ScriptedTerminal term = terminal();
    CompletableFuture<Integer> exit = term.start(main("--guest", "ana"), null);
    expect(term, "#lobby> ");
    term.type(":add hist");
    expect(term, "#hist <dan> m30");
    assertThat(term.output()).doesNotContain("<dan> m10\n").contains("<dan> m11");

    term.type("/history 5");
    expect(term, "5 older messages in #hist:");
    expect(term, "<dan> m6");
    assertThat(term.output()).doesNotContain("<dan> m5");

    term.type("/history");
    expect(term, "that is the beginning of #hist");
    String last = term.output().substring(term.output().lastIndexOf("older messages in #hist:"));
    assertThat(last).contains("<dan> m1", "<dan> m5").doesNotContain("<dan> m6");

    term.type("/history");
    expect(term, "-- no older messages in #hist");
    term.type("/quit");
    assertThat(exitCode(exit)).isZero();
  }

  @Test
  void interactiveRegistrationThenLogoutAndLoginAgain() throws Exception {
    ScriptedTerminal term = terminal();
    CompletableFuture<Integer> exit = term.start(main(), null);
    expect(term, "(l)ogin, (r)egister or (g)uest?");
    term.type("r");
    term.type("carla");
    term.type("correct horse");
    term.type("correct horse");
    expect(term, "** you are carla (");
    term.type(":i");
    expect(term, "charla-term/0.1)");

    term.type("/logout");
    expect(term, "** logged out");
    await().atMost(WAIT).until(() -> count(term.output(), "(l)ogin, (r)egister or (g)uest?") == 2);
    term.type("l");
    term.type("carla");
    term.type("wrong password");
    expect(term, "!! auth_failed:");
    term.type("l");
    term.type("carla");
    term.type("correct horse");
    try {
      // Three: the first login, :i (whoami prints the same line), and this login.
      await().atMost(WAIT).until(() -> count(term.output(), "** you are carla (") == 3);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("no second login as carla; the screen was:\n" + term.output(), e);
    }
    term.endOfInput();
    assertThat(exitCode(exit)).isZero();
  }

  @Test
  void filesArePutListedFetchedOfferedAndRemoved() throws Exception {
    java.nio.file.Path src = java.nio.file.Files.writeString(dir.resolve("notes.txt"), "hola ".repeat(20_000));
    java.nio.file.Path into = java.nio.file.Files.createDirectories(dir.resolve("into"));
    ScriptedTerminal term = terminal();
    CompletableFuture<Integer> exit = term.start(main("--user", "erin", "--register"), "s3cret-pass");
    expect(term, "** you are erin (");
    term.type("/put " + src);
    expect(term, "-- stored ");
    term.type(":ls");
    expect(term, "-- 1 file (you use 97.7 KiB of 5.0 GiB; largest file 2.0 GiB):");
    String line = term.output().lines().filter(l -> l.startsWith("   ") && l.contains("notes.txt")).findFirst()
        .orElseThrow();
    String id = line.strip().split("\\s+")[0];
    term.type(":get " + id + " " + into);
    expect(term, "-- saved " + into.resolve("notes.txt"));
    assertThat(into.resolve("notes.txt")).hasContent("hola ".repeat(20_000));

    Person fran = person("fran");
    term.type("/send fran " + src);
    expect(term, "offered ");
    term.type("/rm " + id);
    expect(term, "-- deleted " + id);
    term.type("/files");
    expect(term, "-- 0 files");
    term.type(":exit");
    assertThat(exitCode(exit)).isZero();
  }

  @Test
  void directConversationIsAskedAcceptedShownAsDirectAndClosed() throws Exception {
    ScriptedTerminal term = terminal();
    CompletableFuture<Integer> exit = term.start(main("--guest", "ana"), null);
    expect(term, "#lobby> ");
    DirectPerson bob = new DirectPerson();
    CharlaClient c = CharlaClient.builder().host("127.0.0.1").port(server.tcpPort()).listener(bob).build();
    closeLater.add(c);
    c.connect().join();
    c.guest("bob").join();

    String link = c.requestDirect("ana").join();
    expect(term, "-- bob asks for a direct conversation: /accept-direct bob or /decline-direct bob");
    term.type("/accept-direct");
    expect(term, "-- direct conversation with bob: DIRECT, the server does not see it");
    await().atMost(WAIT).until(() -> c.directMode(link) == dev.charla.client.DirectMode.DIRECT);
    c.sendDirect(link, "hola ana").join();
    expect(term, "[direct] bob: hola ana");
    term.type("/dm bob hola bob");
    await().atMost(WAIT).until(() -> bob.messages.contains("hola bob direct"));
    expect(term, "[direct] ana: hola bob");
    term.type("/close-direct bob");
    expect(term, "-- direct conversation with bob ended (closed by you)");
    await().atMost(WAIT).until(() -> c.directMode(link) == dev.charla.client.DirectMode.CLOSED);
    term.type("/dm bob still there?");
    expect(term, "!! no direct conversation with bob");
    term.type(":q");
    assertThat(exitCode(exit)).isZero();
  }

  private static final class DirectPerson implements ChatListener {
    final List<String> messages = new CopyOnWriteArrayList<>();

    @Override
    public void onDirectMessage(String link, String from, String text, boolean relayed) {
      messages.add(text + (relayed ? " relayed" : " direct"));
    }
  }

  @Test
  void takenGuestNameFailsWithItsCode() throws Exception {
    person("bob");
    ScriptedTerminal term = terminal();
    CompletableFuture<Integer> exit = term.start(main("--guest", "bob"), null);
    assertThat(exitCode(exit)).isEqualTo(TerminalMain.EXIT_LOGIN_FAILED);
    assertThat(term.output()).contains("!! name_taken: ");
  }

  @Test
  void passwordFromStdinLogsIn() throws Exception {
    ScriptedTerminal first = terminal();
    CompletableFuture<Integer> registered = first.start(main("--user", "dora", "--register"), "s3cret-pass");
    expect(first, "** you are dora (");
    first.type("/quit");
    assertThat(exitCode(registered)).isZero();

    ScriptedTerminal second = terminal();
    CompletableFuture<Integer> exit = second.start(main("--user", "dora", "--password-stdin"), "s3cret-pass");
    expect(second, "** you are dora (");
    second.type("/frobnicate");
    expect(second, "!! unknown command /frobnicate");
    second.type("/join #bad!room");
    expect(second, "!! bad room name '#bad!room'");
    second.type("/quit");
    assertThat(exitCode(exit)).isZero();
  }

  @Test
  void aServerRestartIsShownAsLostThenReconnected() throws Exception {
    ScriptedTerminal term = terminal();
    CompletableFuture<Integer> exit = term.start(main("--user", "ana", "--register"), "correct horse");
    expect(term, "#lobby> ");
    int port = server.tcpPort();
    server.close();
    expect(term, "** connection lost, reconnecting…");
    server = ChatServer.start(ChatServer.Options.forTests(dir.resolve("charla.db")).withPort(port));
    expect(term, "** reconnected");
    term.type("still here");
    expect(term, "#lobby <ana> still here");
    term.type("/quit");
    assertThat(exitCode(exit)).isZero();
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
