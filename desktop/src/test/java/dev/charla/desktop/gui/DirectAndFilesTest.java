package dev.charla.desktop.gui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.charla.desktop.FilePicker;
import dev.charla.desktop.Settings;
import dev.charla.desktop.TestServer;
import java.awt.Component;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import javax.swing.JTable;
import org.assertj.swing.edt.GuiActionRunner;
import org.assertj.swing.fixture.FrameFixture;
import org.assertj.swing.fixture.JPanelFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Direct conversations, files offered to a user and the server's file area, between two desktop clients and a real
 * in-process server. File choosers are answered by a {@link FilePicker} that returns a prepared file.
 */
class DirectAndFilesTest extends GuiTestBase {
  private static final AtomicInteger names = new AtomicInteger();
  private static final long SEED = System.nanoTime();

  @TempDir static Path dir;
  private static TestServer server;

  @BeforeAll
  static void server() throws InterruptedException {
    System.out.println("DirectAndFilesTest seed " + SEED);
    server = new TestServer(dir.resolve("server"));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static String unique(String base) {
    return base + names.incrementAndGet();
  }

  /** A file of {@code size} seeded random bytes. */
  private static Path file(String name, int size) throws Exception {
    byte[] bytes = new byte[size];
    new Random(SEED + size).nextBytes(bytes);
    Path p = Files.createDirectories(dir.resolve("outbox-" + names.incrementAndGet())).resolve(name);
    return Files.write(p, bytes);
  }

  private static FilePicker answering(Path file) {
    return new FilePicker() {
      @Override
      public Path file(Component parent, String title) {
        return file;
      }

      @Override
      public Path folder(Component parent, String title, Path current) {
        return null;
      }
    };
  }

  /** Gives a client its own downloads folder (the setting the menu changes). */
  private static Path downloadsOf(DesktopDriver d) throws Exception {
    Path folder = dir.resolve("downloads-" + d.name);
    new Settings(d.prefs).downloads(folder);
    return folder;
  }

  @Test
  void anAcceptedDirectRequestShowsTheDirectIndicatorCarriesMessagesAndClosingEndsItForBoth() {
    String ana = unique("ana");
    String beto = unique("beto");
    DesktopDriver a = open(server, ana).guest();
    DesktopDriver b = open(server, beto).guest();

    a.selectPerson(beto);
    DesktopDriver.click(a.main().button("direct").target());

    JPanelFixture request = b.prompt("request:" + ana);
    assertThat(request.label("promptText").text()).isEqualTo(ana + " wants to talk with you directly.");
    String conv = a.directConversation(beto);
    assertThat(a.indicator(conv)).isEqualTo("Asking " + beto + " to talk directly…");
    DesktopDriver.click(request.button("acceptDirect").target());

    // the address is whichever of a's candidates b reached first: an interface address or the one the server saw
    String direct = "Direct \\([0-9a-f.:\\[\\]]+:\\d+\\) — the server does not see this conversation";
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(a.indicator(conv)).matches(direct));
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(b.indicator(conv)).matches(direct));
    assertThat(b.hasPrompt("request:" + ana)).isFalse();
    assertThat(b.tabTitles()).contains("⇄ " + ana);

    a.send(conv, "solo entre nosotros");
    b.awaitText(conv, ana + ": solo entre nosotros   direct");
    a.awaitText(conv, ana + ": solo entre nosotros   ✓ direct");
    b.send(conv, "de acuerdo");
    a.awaitText(conv, beto + ": de acuerdo   direct");

    DesktopDriver.click(b.conversation(conv).button("close").target());

    await().atMost(DesktopDriver.WAIT).untilAsserted(
        () -> assertThat(a.indicator(conv)).isEqualTo("Ended (closed by " + beto + ")"));
    assertThat(DesktopDriver.query(() -> a.conversation(conv).textBox("input").target().isEnabled())).isFalse();
    assertThat(b.tabTitles()).doesNotContain("⇄ " + ana);
  }

  @Test
  void aDeclinedDirectRequestEndsOnTheAskingSideAndLeavesNothingOnTheOther() {
    String ana = unique("ana");
    String beto = unique("beto");
    DesktopDriver a = open(server, ana).guest();
    DesktopDriver b = open(server, beto).guest();

    a.selectPerson(beto);
    DesktopDriver.click(a.main().button("direct").target());
    String conv = a.directConversation(beto);
    DesktopDriver.click(b.prompt("request:" + ana).button("declineDirect").target());

    await().atMost(DesktopDriver.WAIT).untilAsserted(
        () -> assertThat(a.indicator(conv)).isEqualTo("Ended (declined by " + beto + ")"));
    a.awaitText(conv, "— Ended (declined by " + beto + ")");
    assertThat(b.hasPrompt("request:" + ana)).isFalse();
    assertThat(b.tabTitles()).doesNotContain("⇄ " + ana);
  }

  @Test
  void anAcceptedFileOfferIsSavedInTheDownloadsFolderVerifiedAndADeclinedOneGoesAway() throws Exception {
    String ana = unique("ana");
    String beto = unique("beto");
    DesktopDriver a = open(server, ana).register("correct horse battery");
    DesktopDriver b = open(server, beto).guest();
    Path downloads = downloadsOf(b);
    Path notes = file("notes 1.bin", 100_000); // four chunks
    GuiActionRunner.execute(() -> a.app.filePicker(answering(notes)));

    a.selectPerson(beto);
    DesktopDriver.click(a.main().button("sendFile").target());

    JPanelFixture offer = b.prompt("offer:notes 1.bin");
    assertThat(offer.label("promptText").text())
        .isEqualTo(ana + " offers you notes 1.bin (97.7 KiB). Accepting saves it in " + downloads + ".");
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(a.transfers(a.main().target()))
        .containsExactly("✓ ↑ notes 1.bin to " + beto + ": done — SHA-256 verified by the server"));
    DesktopDriver.click(offer.button("acceptOffer").target());

    Path saved = downloads.resolve("notes 1.bin");
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(b.transfers(b.main().target()))
        .containsExactly("✓ ↓ notes 1.bin from " + ana + ": saved to " + saved + " — SHA-256 verified"));
    assertThat(Files.readAllBytes(saved)).isEqualTo(Files.readAllBytes(notes));
    assertThat(b.hasPrompt("offer:notes 1.bin")).isFalse();

    // a second offer, declined: the question goes away and nothing is saved
    Path other = file("other.txt", 10);
    GuiActionRunner.execute(() -> a.app.filePicker(answering(other)));
    a.selectPerson(beto);
    DesktopDriver.click(a.main().button("sendFile").target());
    DesktopDriver.click(b.prompt("offer:other.txt").button("declineOffer").target());
    await().atMost(DesktopDriver.WAIT).until(() -> !b.hasPrompt("offer:other.txt"));
    assertThat(downloads.resolve("other.txt")).doesNotExist();
  }

  @Test
  void theFileAreaListsUploadsDownloadsAndDeletesAndAGuestIsToldWhyItCannotUpload() throws Exception {
    String ana = unique("ana");
    String beto = unique("beto");
    DesktopDriver a = open(server, ana).register("correct horse battery");
    DesktopDriver b = open(server, beto).guest();
    Path downloads = downloadsOf(a);
    String name = "report-" + names.get() + ".pdf";
    Path report = file(name, 70_000);
    GuiActionRunner.execute(() -> a.app.filePicker(answering(report)));
    GuiActionRunner.execute(() -> b.app.filePicker(answering(report)));

    FrameFixture fa = a.files();
    DesktopDriver.click(fa.button("upload").target());
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(rows(fa)).contains(List.of(name, "68.4 KiB", ana)));
    assertThat(fa.label("filesStatus").text()).isEqualTo("Uploaded " + name + ".");
    assertThat(a.transfers(fa.target())).containsExactly("✓ ↑ " + name + " (upload): done — SHA-256 verified by the server");
    assertThat(fa.label("quota").text()).startsWith("You use 68.4 KiB of ");

    // a guest sees the file and may download it, but the server refuses its upload, and the window says why
    FrameFixture fb = b.files();
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(rows(fb)).contains(List.of(name, "68.4 KiB", ana)));
    DesktopDriver.click(fb.button("upload").target());
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(fb.label("filesStatus").text()).isEqualTo(
        "Upload of " + name + " failed: guests may list and download files but not upload; register to share files"));

    select(fa, name);
    DesktopDriver.click(fa.button("download").target());
    Path saved = downloads.resolve(name);
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(fa.label("filesStatus").text())
        .isEqualTo("Saved " + name + " to " + saved + " (SHA-256 verified)."));
    assertThat(Files.readAllBytes(saved)).isEqualTo(Files.readAllBytes(report));

    select(fa, name);
    DesktopDriver.click(fa.button("delete").target());
    await().atMost(DesktopDriver.WAIT).untilAsserted(() -> assertThat(rows(fa)).noneMatch(r -> r.get(0).equals(name)));
    assertThat(fa.label("filesStatus").text()).isEqualTo("Deleted " + name + ".");
  }

  private static List<List<String>> rows(FrameFixture files) {
    return DesktopDriver.query(() -> {
      JTable t = files.table("fileTable").target();
      return IntStream.range(0, t.getRowCount())
          .mapToObj(r -> IntStream.range(0, 3).mapToObj(c -> String.valueOf(t.getValueAt(r, c))).toList())
          .toList();
    });
  }

  private static void select(FrameFixture files, String name) {
    GuiActionRunner.execute(() -> {
      JTable t = files.table("fileTable").target();
      for (int r = 0; r < t.getRowCount(); r++) {
        if (name.equals(t.getValueAt(r, 0))) {
          t.setRowSelectionInterval(r, r);
        }
      }
    });
  }
}
