package dev.charla.desktop.gui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.charla.client.Transport;
import dev.charla.desktop.DesktopApp;
import dev.charla.desktop.Settings;
import dev.charla.desktop.TestServer;
import dev.charla.desktop.model.ChatModel;
import java.awt.Point;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;
import javax.swing.JTabbedPane;
import javax.swing.JTextPane;
import org.assertj.swing.core.Robot;
import org.assertj.swing.edt.GuiActionRunner;
import org.assertj.swing.edt.GuiQuery;
import org.assertj.swing.fixture.FrameFixture;
import org.assertj.swing.fixture.JPanelFixture;

/** Drives one desktop client (a {@link DesktopApp} in this JVM) through its windows, as a user would. */
final class DesktopDriver implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(15);
  /** Signing in: a registration or login hashes with Argon2id, which takes seconds on a loaded 2-core machine. */
  static final Duration SIGN_IN_WAIT = Duration.ofSeconds(60);

  final String name;
  final DesktopApp app;
  final Preferences prefs;
  private final Robot robot;
  private FrameFixture main;

  private DesktopDriver(String name, DesktopApp app, Preferences prefs, Robot robot) {
    this.name = name;
    this.app = app;
    this.prefs = prefs;
    this.robot = robot;
  }

  static DesktopDriver open(Robot robot, TestServer server, String name, Point where, Locale locale) {
    Preferences prefs = Preferences.userRoot().node("dev/charla/desktop-test/" + UUID.randomUUID());
    DesktopApp app =
        GuiActionRunner.execute(
            () -> {
              DesktopApp a = new DesktopApp(
                  new DesktopApp.Options("127.0.0.1", server.port(), Transport.TCP, name, "charla-desktop/0.1", where),
                  locale, new Settings(prefs), () -> {});
              a.start();
              return a;
            });
    return new DesktopDriver(name, app, prefs, robot);
  }

  /** The sign-in window, once it is on the screen (a click on a window the X server has not mapped is lost). */
  FrameFixture signIn() {
    java.awt.Frame frame = query(app::signInFrame);
    await().atMost(WAIT).until(() -> frame.isShowing());
    return new FrameFixture(robot, frame);
  }

  /** Fills the password (if any) and presses Log in, Register or Guest. */
  DesktopDriver press(String button, String password) {
    FrameFixture f = signIn();
    type(f.textBox("password").target(), password);
    click(f.button(button).target());
    return this;
  }

  DesktopDriver guest() {
    press("guest", "");
    return awaitMain();
  }

  DesktopDriver register(String password) {
    press("register", password);
    return awaitMain();
  }

  DesktopDriver awaitMain() {
    await().atMost(SIGN_IN_WAIT).untilAsserted(() -> assertThat(query(() -> app.mainFrame() != null && app.mainFrame().isShowing()))
        .as(() -> "signed in; screen saved to " + saveScreen() + "; the sign-in screen says: " + query(() -> app.signInFrame() == null ? "(closed)"
            : ((javax.swing.JLabel) find(app.signInFrame().getContentPane(), "message")).getText()))
        .isTrue());
    main = new FrameFixture(robot, query(app::mainFrame));
    await().atMost(WAIT).until(() -> main.target().isShowing());
    // Two windows side by side on the 1920-pixel test screen, so clicks never land on the other one.
    GuiActionRunner.execute(() -> app.mainFrame().setSize(940, 640));
    await().atMost(WAIT).until(() -> query(() -> app.session().model().conversation("#lobby") != null));
    return this;
  }

  /** The main window; after a language switch it is a new frame, so this looks it up again. */
  FrameFixture main() {
    if (main == null || main.target() != query(app::mainFrame)) {
      main = new FrameFixture(robot, query(app::mainFrame));
    }
    return main;
  }

  ChatModel model() {
    return query(() -> app.session().model());
  }

  JPanelFixture conversation(String conv) {
    return main().panel("conv:" + conv);
  }

  /** Types into a conversation's box and presses Send. */
  void send(String conv, String text) {
    selectTab(conv);
    JPanelFixture p = conversation(conv);
    type(p.textBox("input").target(), text);
    click(p.button("send").target());
  }

  /**
   * Presses a button or menu item on the event thread ({@code doClick}: the same action a mouse click fires). The
   * robot's mouse clicks proved unreliable on a bare Xvfb with two windows and no window manager (a click on the
   * second window was sometimes lost), so the tests press buttons this way and leave the pixels to the X server.
   */
  static void click(javax.swing.AbstractButton b) {
    GuiActionRunner.execute(() -> b.doClick());
  }

  /** Selects a person's row in the people list (once they are listed). */
  void selectPerson(String person) {
    await().atMost(WAIT).untilAsserted(() -> assertThat(people()).anyMatch(r -> r.equals(person)
        || r.equals(person + " (guest)")));
    GuiActionRunner.execute(() -> {
      javax.swing.JList<?> list = main().list("people").target();
      for (int i = 0; i < list.getModel().getSize(); i++) {
        if (list.getModel().getElementAt(i) instanceof dev.charla.desktop.model.Person p && p.name().equals(person)) {
          list.setSelectedIndex(i);
        }
      }
    });
  }

  /** A question on top of the main window ({@code request:<from>}, {@code offer:<file name>}), once it is shown. */
  JPanelFixture prompt(String name) {
    await().atMost(WAIT).until(() -> query(() -> find(app.mainFrame().getContentPane(), name) != null));
    return main().panel(name);
  }

  boolean hasPrompt(String name) {
    return query(() -> find(app.mainFrame().getContentPane(), name) != null);
  }

  /** The direct/relayed indicator of a direct conversation's tab, or null if it has no tab. */
  String indicator(String conv) {
    return query(() -> app.mainFrame().directIndicator(conv));
  }

  /** The id of the open direct conversation with {@code peer}, once there is one. */
  String directConversation(String peer) {
    await().atMost(WAIT).until(() -> query(() -> app.session().model().directLinkWith(peer) != null));
    return query(() -> app.session().model().directLinkWith(peer).id());
  }

  /** The lines of the transfers shown in a window (the main window's offers, or the file area's). */
  List<String> transfers(java.awt.Container window) {
    return query(() -> {
      List<String> out = new java.util.ArrayList<>();
      collect(window, "transferText", out);
      return out;
    });
  }

  private static void collect(java.awt.Container root, String name, List<String> out) {
    for (java.awt.Component c : root.getComponents()) {
      if (name.equals(c.getName()) && c instanceof javax.swing.JLabel l) {
        out.add(l.getText());
      }
      if (c instanceof java.awt.Container k) {
        collect(k, name, out);
      }
    }
  }

  /** The file area window, opened from the menu. */
  FrameFixture files() {
    menu("menu.files");
    await().atMost(WAIT).until(() -> query(() -> app.mainFrame().filesFrame() != null
        && app.mainFrame().filesFrame().isShowing()));
    return new FrameFixture(robot, query(() -> app.mainFrame().filesFrame()));
  }

  /** Picks a menu item by name, wherever it is in the menu bar. */
  void menu(String name) {
    click((javax.swing.AbstractButton) query(() -> findMenuItem(app.mainFrame().getJMenuBar(), name)));
  }

  private static java.awt.Component findMenuItem(javax.swing.MenuElement root, String name) {
    for (javax.swing.MenuElement e : root.getSubElements()) {
      if (name.equals(e.getComponent().getName())) {
        return e.getComponent();
      }
      java.awt.Component found = findMenuItem(e, name);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  /**
   * Puts text in a field on the event thread. The robot's own setText first moves the keyboard focus there, which
   * without a window manager (Xvfb) fails when another test window was active; clicks need no focus.
   */
  static void type(javax.swing.text.JTextComponent field, String text) {
    GuiActionRunner.execute(() -> field.setText(text));
  }

  void selectTab(String conv) {
    GuiActionRunner.execute(() -> {
      JTabbedPane tabs = (JTabbedPane) main().tabbedPane("tabs").target();
      for (int i = 0; i < tabs.getTabCount(); i++) {
        if (("conv:" + conv).equals(tabs.getComponentAt(i).getName())) {
          tabs.setSelectedIndex(i);
        }
      }
    });
  }

  /** The text of a conversation's lines, as in the document model. */
  String text(String conv) {
    return query(() -> {
      var frame = app.mainFrame();
      var panel = find(frame.getContentPane(), "conv:" + conv);
      if (panel == null) {
        return "";
      }
      JTextPane pane = (JTextPane) find((java.awt.Container) panel, "messages");
      return pane.getDocument().getText(0, pane.getDocument().getLength());
    });
  }

  void awaitText(String conv, String expected) {
    await().atMost(WAIT).untilAsserted(() -> assertThat(text(conv))
        .as(() -> name + "'s " + conv + " (tabs " + tabTitles() + ", model " + query(() -> app.session() == null ? null
            : app.session().model().conversation(conv) == null ? null
            : app.session().model().conversation(conv).entries()) + ")")
        .contains(expected));
  }

  List<String> tabTitles() {
    return query(() -> {
      JTabbedPane tabs = (JTabbedPane) find(app.mainFrame().getContentPane(), "tabs");
      return java.util.stream.IntStream.range(0, tabs.getTabCount()).mapToObj(tabs::getTitleAt).toList();
    });
  }

  List<String> people() {
    return List.of(main().list("people").contents());
  }

  String label(String componentName) {
    return main().label(componentName).text();
  }

  /** Saves what the display shows, for a failure message. */
  static String saveScreen() {
    try {
      java.io.File f = java.io.File.createTempFile("charla-screen-", ".png");
      var size = java.awt.Toolkit.getDefaultToolkit().getScreenSize();
      javax.imageio.ImageIO.write(new java.awt.Robot().createScreenCapture(new java.awt.Rectangle(size)), "png", f);
      return f.getPath();
    } catch (Exception e) {
      return "(no screenshot: " + e + ")";
    }
  }

  boolean bannerShown() {
    return query(() -> find(app.mainFrame().getContentPane(), "banner").isVisible());
  }

  String banner() {
    return query(() -> ((javax.swing.JLabel) find(app.mainFrame().getContentPane(), "banner")).getText());
  }

  static java.awt.Component find(java.awt.Container root, String name) {
    for (java.awt.Component c : root.getComponents()) {
      if (name.equals(c.getName())) {
        return c;
      }
      if (c instanceof java.awt.Container k) {
        java.awt.Component found = find(k, name);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  @FunctionalInterface
  interface Query<T> {
    T get() throws Exception;
  }

  static <T> T query(Query<T> q) {
    return GuiActionRunner.execute(new GuiQuery<T>() {
      @Override
      protected T executeInEDT() throws Exception {
        return q.get();
      }
    });
  }

  @Override
  public void close() {
    GuiActionRunner.execute(app::quit);
    try {
      prefs.removeNode();
    } catch (BackingStoreException | IllegalStateException e) {
      // test settings only
    }
  }
}
