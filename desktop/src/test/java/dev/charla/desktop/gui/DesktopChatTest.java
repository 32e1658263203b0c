package dev.charla.desktop.gui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.charla.client.CharlaClient;
import dev.charla.client.ChatListener;
import dev.charla.client.Transport;
import dev.charla.desktop.RecordingNotifier;
import dev.charla.desktop.Settings;
import dev.charla.desktop.TestServer;
import dev.charla.desktop.Themes;
import dev.charla.desktop.model.Conversation;
import dev.charla.desktop.model.Entry;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import javax.swing.JScrollBar;
import javax.swing.JScrollPane;
import org.assertj.swing.edt.GuiActionRunner;
import org.assertj.swing.fixture.FrameFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two desktop clients and a library client against a real in-process server. */
class DesktopChatTest extends GuiTestBase {
  private static final String SESSION_ROW = "    127\\.0\\.0\\.1:\\d+ · %s · charla-desktop/0\\.1";
  private static final AtomicInteger names = new AtomicInteger();

  @TempDir static Path dir;
  private static TestServer server;

  @BeforeAll
  static void server() throws InterruptedException {
    server = new TestServer(dir);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static String unique(String base) {
    return base + names.incrementAndGet();
  }

  @Test
  void aGuestAndARegisteredUserSeeEachOtherWithAddressPortTransportAndClient() {
    String ana = unique("ana");
    String beto = unique("beto");
    DesktopDriver a = open(server, ana).register("correct horse battery");
    DesktopDriver b = open(server, beto).guest();

    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(a.people()).contains(beto + " (guest)"));
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(b.people()).contains(ana));
    int row = a.people().indexOf(beto + " (guest)") + 1;
    assertThat(a.people().get(row)).matches(SESSION_ROW.formatted("TCP"));
    assertThat(a.label("identity")).matches("You: " + ana + " · 127\\.0\\.0\\.1:\\d+ · TCP");
    assertThat(b.label("identity")).startsWith("You: " + beto + " · 127.0.0.1:");

    Settings remembered = new Settings(a.prefs);
    assertThat(remembered.name()).isEqualTo(ana);
    assertThat(remembered.port()).isEqualTo(server.port());
    assertThat(remembered.transport()).isEqualTo(Transport.TCP);
  }

  @Test
  void roomAndPrivateMessagesFlowWithStatesTransportUnreadCountsAndANotification() {
    String ana = unique("ana");
    String beto = unique("beto");
    DesktopDriver a = open(server, ana).guest();
    DesktopDriver b = open(server, beto).guest();
    RecordingNotifier notes = new RecordingNotifier();
    GuiActionRunner.execute(() -> b.app.session().notifications(notes, () -> false)); // b's window is in the back

    a.send("#lobby", "hola ñ 😀");
    a.awaitText("#lobby", ana + ": hola ñ 😀   ✓ via TCP");
    b.awaitText("#lobby", ana + ": hola ñ 😀   via TCP");
    assertThat(notes.notes).as("room messages do not notify").isEmpty();

    // a opens a private chat from the people list
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(a.people()).contains(beto + " (guest)"));
    GuiActionRunner.execute(() -> {
      javax.swing.JList<?> people = a.main().list("people").target();
      for (int i = 0; i < people.getModel().getSize(); i++) {
        if (people.getModel().getElementAt(i).toString().contains("name=" + beto + ",")) {
          people.setSelectedIndex(i);
        }
      }
    });
    DesktopDriver.click(a.main().button("message").target());
    String direct = DesktopDriver.query(() -> a.model().directId(beto));
    await().atMost(DesktopDriver.WAIT).until(() -> a.tabTitles().contains("@" + beto));
    a.send(direct, "secreto 🤫");

    b.awaitText(direct, ana + ": secreto 🤫");
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(b.tabTitles()).contains("@" + ana + " (1)"));
    assertThat(notes.notes).containsExactly(new RecordingNotifier.Note(ana, "secreto 🤫"));
    b.selectTab(direct);
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(b.tabTitles()).contains("@" + ana));

    // a library client talks in #lobby while a looks at another room: the lobby tab counts it
    DesktopDriver.type(a.main().textBox("roomField").target(), "#dev" + names.get());
    DesktopDriver.click(a.main().button("join").target());
    await().atMost(DesktopDriver.WAIT).until(() -> a.tabTitles().contains("#dev" + names.get()));
    CharlaClient carla = server.client(new ChatListener() {});
    carla.guest(unique("carla")).join();
    carla.join("#lobby").join();
    carla.send("#lobby", "¿me oís?").join();
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(a.tabTitles()).contains("#lobby (1)"));
    b.awaitText("#lobby", "¿me oís?");
    assertThat(a.text("#lobby")).containsOnlyOnce("hola ñ 😀");
  }

  @Test
  void signInProblemsAreExplainedInPlainWords() throws Exception {
    CharlaClient owner = server.client(new ChatListener() {});
    String dora = unique("dora");
    owner.register(dora, "correct horse battery").join();

    DesktopDriver d = open(server, dora);
    d.press("login", "wrong password");
    FrameFixture f = d.signIn();
    await().atMost(DesktopDriver.WAIT).untilAsserted(
        () -> assertThat(f.label("message").text()).isEqualTo("Wrong name or password."));
    d.press("guest", "");
    await().atMost(DesktopDriver.WAIT).untilAsserted(
        () -> assertThat(f.label("message").text()).isEqualTo("That name is taken. Choose another one."));

    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    DesktopDriver.type(f.textBox("port").target(), Integer.toString(closedPort));
    d.press("guest", "");
    await().atMost(DesktopDriver.WAIT).untilAsserted(
        () -> assertThat(f.label("message").text()).startsWith("Cannot reach the server 127.0.0.1:" + closedPort));

    DesktopDriver es = open(server, dora, Locale.of("es"));
    es.press("login", "otra");
    FrameFixture fs = es.signIn();
    await().atMost(DesktopDriver.WAIT).untilAsserted(
        () -> assertThat(fs.label("message").text()).isEqualTo("Nombre o contraseña incorrectos."));
  }

  @Test
  void reconnectingOverTheSameTransportKeepsTheSessionWorking() {
    String ana = unique("ana");
    String beto = unique("beto");
    DesktopDriver a = open(server, ana).register("correct horse battery");
    DesktopDriver b = open(server, beto).guest();
    String before = a.label("identity");

    a.menu("menu.reconnect");

    await().atMost(DesktopDriver.WAIT).untilAsserted(
        () -> assertThat(a.main().label("status").text()).isEqualTo("Now sending over TCP."));
    assertThat(a.label("identity")).as("a new connection, so a new port").isNotEqualTo(before).contains("· TCP");
    a.send("#lobby", "still here");
    b.awaitText("#lobby", ana + ": still here");
    a.awaitText("#lobby", "still here   ✓");
    b.send("#lobby", "welcome back");
    a.awaitText("#lobby", beto + ": welcome back");
    assertThat(a.text("#lobby")).containsOnlyOnce("welcome back").containsOnlyOnce("still here");
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(
        b.people().stream().filter(r -> r.matches(SESSION_ROW.formatted("TCP"))).count()).isEqualTo(2));
  }

  /** Needs {@code Transport.UDP} in the client library; skips with that reason where it is missing. */
  @Test
  void switchingToUdpSendsOverUdp() {
    assumeThat(Arrays.stream(Transport.values()).map(Enum::name))
        .as("Transport.UDP is not in the client library yet; this test runs once it is")
        .contains("UDP");
    Transport udp = Transport.valueOf("UDP");
    String ana = unique("ana");
    String beto = unique("beto");
    DesktopDriver a = open(server, ana).guest();
    DesktopDriver b = open(server, beto).guest();

    GuiActionRunner.execute(() -> a.main().comboBox("transport").target().setSelectedItem(udp));

    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(a.label("identity")).endsWith("· UDP"));
    assertThat(DesktopDriver.query(() -> a.app.session().transport())).isEqualTo(udp);
    a.send("#lobby", "over udp");
    b.awaitText("#lobby", ana + ": over udp   via UDP");
    // a refreshes the people list once switched (b would see it on its next periodic refresh: switching keeps the
    // user online, so there is no online/offline event to prompt it sooner)
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(a.people()).anyMatch(
        r -> r.matches(SESSION_ROW.formatted("UDP"))));
  }

  @Test
  void scrollingToTheTopLoadsOlderMessages() {
    String room = "#history" + names.incrementAndGet();
    // three senders, 25 messages each: within each one's flood burst
    for (int s = 0; s < 3; s++) {
      CharlaClient c = server.client(new ChatListener() {});
      c.guest(unique("old")).join();
      c.join(room).join();
      int base = s * 25;
      IntStream.rangeClosed(1, 25).forEach(i -> c.send(room, "m" + (base + i)).join());
    }
    DesktopDriver a = open(server, unique("ana")).guest();
    DesktopDriver.type(a.main().textBox("roomField").target(), room);
    DesktopDriver.click(a.main().button("join").target());
    // the join brings the latest 20; the tab is not full, so the next page comes by itself
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(messages(a, room)).isEqualTo(70));
    assertThat(a.text(room)).doesNotContain(": m5 ").contains(": m6 ").contains(": m75 ");

    GuiActionRunner.execute(() -> {
      JScrollBar bar = ((JScrollPane) DesktopDriver.find(a.conversation(room).target(), "messages")
          .getParent().getParent()).getVerticalScrollBar();
      bar.setValue(0);
    });

    await().atMost(DesktopDriver.WAIT).until(() -> messages(a, room) == 75);
    assertThat(a.text(room)).contains(": m1 ");
    assertThat(DesktopDriver.query(() -> a.model().conversation(room).hasOlder())).isFalse();
  }

  private static long messages(DesktopDriver d, String conv) {
    return DesktopDriver.query(() -> {
      Conversation c = d.model().conversation(conv);
      return c == null ? 0L : c.entries().stream().filter(Entry::isMessage).count();
    });
  }

  @Test
  void theLanguageAndThemeMenusRebuildTheWindow() {
    DesktopDriver a = open(server, unique("ana")).guest();
    a.send("#lobby", "antes del cambio");
    a.awaitText("#lobby", "antes del cambio   ✓");

    a.menu("lang.es");

    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(a.label("identity")).startsWith("Tú: "));
    assertThat(a.main().button("join").text()).isEqualTo("Unirse");
    assertThat(a.text("#lobby")).contains("antes del cambio   ✓ por TCP");
    assertThat(new Settings(a.prefs).language()).isEqualTo("es");

    a.menu("menu.theme.dark");
    assertThat(DesktopDriver.query(Themes::isDark)).isTrue();
    a.menu("menu.theme.light");
    assertThat(DesktopDriver.query(Themes::isDark)).isFalse();
  }
}
