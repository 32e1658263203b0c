package dev.charla.desktop;

import static org.awaitility.Awaitility.await;

import dev.charla.client.CharlaClient;
import dev.charla.client.ChatListener;
import dev.charla.client.DirectMode;
import dev.charla.client.TransferListener;
import dev.charla.client.Transport;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.prefs.Preferences;
import javax.imageio.ImageIO;
import javax.swing.JFrame;
import javax.swing.SwingUtilities;

/**
 * Starts a real server and two desktop clients (plus a library client), has them chat, and saves screenshots:
 * {@code signin.png}, {@code main-light.png}, {@code main-dark.png}, {@code main-es.png}, then a direct request and a
 * file offer waiting for an answer ({@code prompts.png}), a direct conversation with a received file
 * ({@code direct.png}) and the server's file area ({@code files.png}). Run by
 * {@code desktop/screenshots.sh}; starts Xvfb itself when there is no display.
 */
public final class ScreenshotTour {
  /** Long enough for Argon2id registrations on a loaded machine. */
  private static final Duration WAIT = Duration.ofSeconds(60);

  public static void main(String[] args) {
    try {
      tour(args);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1); // the windows' threads would otherwise keep the JVM alive
    }
  }

  private static void tour(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "docs/screenshots");
    Files.createDirectories(out);
    XvfbDisplay.ensure();
    Path dir = Files.createTempDirectory("charla-tour");
    Preferences prefs = Preferences.userRoot().node("dev/charla/desktop-tour/" + UUID.randomUUID());
    try (TestServer server = new TestServer(dir)) {
      on(() -> { Themes.apply(Themes.LIGHT); return null; });
      DesktopApp ana = app(server, "ana", prefs.node("ana"), new Point(0, 0));
      DesktopApp beto = app(server, "beto", prefs.node("beto"), new Point(960, 0));
      on(() -> { ana.start(); beto.start(); return null; });
      shoot(ana.signInFrame(), out.resolve("signin.png"));

      signIn(ana, ChatSession.Mode.REGISTER, "correct horse battery");
      signIn(beto, ChatSession.Mode.GUEST, "");
      CharlaClient carla = server.client(new ChatListener() {});
      carla.register("carla", "correct horse battery").join();
      carla.join("#lobby").join();
      carla.send("#lobby", "¡Hola a todos! ☀ Bienvenidos a Charla").join();
      await().atMost(WAIT).until(() -> on(() -> ana.session().model().people().size() == 3));
      on(() -> { ana.session().send("#lobby", "Hi! Unicode works: ñ, ü, 日本語, emoji 😀🎉"); return null; });
      on(() -> { beto.session().send("#lobby", "Hola ana 👋 — ¿qué tal?"); return null; });
      on(() -> { ana.session().openRoom("#random"); return null; });
      on(() -> { ana.session().openRoom("#lobby"); return null; });
      on(() -> { beto.session().openDirect("ana"); return null; });
      on(() -> { beto.session().send(beto.session().model().directId("ana"), "psst, a private one"); return null; });
      await().atMost(WAIT).until(() -> on(() ->
          ana.session().model().conversation(ana.session().model().directId("beto")) != null
              && ana.session().model().conversation("#lobby").entries().stream()
                  .filter(e -> e.isMessage()).count() >= 3));
      carla.send("#lobby", "Two desktop clients and a library client, one server.").join();
      await().atMost(WAIT).until(() -> on(() -> ana.session().model().conversation("#lobby").entries().stream()
          .filter(e -> e.isMessage()).count() >= 4));
      settle();
      shoot(ana.mainFrame(), out.resolve("main-light.png"));
      on(() -> { ana.theme(Themes.DARK); return null; });
      settle();
      shoot(ana.mainFrame(), out.resolve("main-dark.png"));
      on(() -> { ana.theme(Themes.LIGHT); beto.language(Locale.of("es")); return null; });
      settle();
      shoot(beto.mainFrame(), out.resolve("main-es.png"));
      on(() -> { beto.language(Locale.ENGLISH); return null; });

      // a direct request and a file offer wait for beto's answer
      // a short folder name, so the offer's line fits the picture; emptied and removed at the end
      Path downloads = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "Charla");
      new Settings(prefs.node("beto")).downloads(downloads);
      Path photo = Files.write(dir.resolve("holiday-photo.jpg"), new byte[180_000]);
      carla.offer("beto", photo, TransferListener.NONE).join();
      on(() -> { ana.session().requestDirect("beto"); return null; });
      await().atMost(WAIT).until(() -> on(() -> beto.session().model().directRequests().size() == 1
          && beto.session().model().offers().size() == 1));
      settle();
      shoot(beto.mainFrame(), out.resolve("prompts.png"));
      on(() -> {
        beto.session().acceptDirect(beto.session().model().directRequests().get(0).link());
        beto.session().acceptOffer(beto.session().model().offers().get(0).id());
        return null;
      });
      await().atMost(WAIT).until(() -> on(() -> {
        var c = ana.session().model().directLinkWith("beto");
        return c != null && c.mode() != DirectMode.ASKING && c.mode() != DirectMode.CONNECTING;
      }));
      String link = on(() -> ana.session().model().directLinkWith("beto").id());
      on(() -> { ana.session().send(link, "Direct now: the server does not see this."); return null; });
      await().atMost(WAIT).until(() -> on(() -> beto.session().model().directLinkWith("ana") != null
          && beto.session().model().conversation(link).entries().stream().anyMatch(e -> e.isMessage())));
      on(() -> { beto.session().send(link, "Got the photo too, thanks!"); return null; });
      await().atMost(WAIT).until(() -> on(() -> beto.session().model().transfers().stream()
          .allMatch(t -> t.finished())));
      settle();
      shoot(beto.mainFrame(), out.resolve("direct.png"));

      // the file area, as ana (registered) sees it after two uploads
      on(() -> {
        ana.session().upload(Files.write(dir.resolve("minutes-2026-11.txt"), "Minutes".repeat(3000).getBytes()));
        ana.session().upload(Files.write(dir.resolve("charla-logo.png"), new byte[42_000]));
        return null;
      });
      await().atMost(WAIT).until(() -> on(() -> ana.session().model().transfers().stream()
          .filter(t -> t.kind() == dev.charla.desktop.model.Transfer.Kind.UPLOAD && t.finished()).count() == 2));
      on(() -> { ana.mainFrame().openFiles(); return null; });
      await().atMost(WAIT).until(() -> on(() -> ana.session().model().files() != null
          && ana.session().model().files().files().size() == 2));
      settle();
      shoot((JFrame) on(() -> ana.mainFrame().filesFrame()), out.resolve("files.png"));
      on(() -> { ana.quit(); beto.quit(); return null; });
      try (var saved = Files.list(downloads)) {
        for (Path p : saved.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(downloads);
    } finally {
      prefs.removeNode();
    }
    System.out.println("screenshots in " + out.toAbsolutePath());
    System.exit(0);
  }

  private static DesktopApp app(TestServer server, String name, Preferences node, Point where) throws Exception {
    return on(() -> new DesktopApp(
        new DesktopApp.Options("127.0.0.1", server.port(), Transport.TCP, name, "charla-desktop/0.1", where),
        Locale.ENGLISH, new Settings(node), () -> {}));
  }

  private static void signIn(DesktopApp app, ChatSession.Mode mode, String password) throws Exception {
    on(() -> {
      JFrame f = app.signInFrame();
      ((javax.swing.JPasswordField) find(f, "password")).setText(password);
      ((javax.swing.JButton) find(f, mode == ChatSession.Mode.GUEST ? "guest" : "register")).doClick();
      return null;
    });
    await().atMost(WAIT).until(() -> on(() -> app.mainFrame() != null && app.mainFrame().isShowing()));
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

  /** Lets queued events (replies, repaints) run. */
  private static void settle() throws Exception {
    for (int i = 0; i < 5; i++) {
      SwingUtilities.invokeAndWait(() -> {});
      Thread.sleep(100); // a tour, not a test: give repaints and history replies a moment
    }
  }

  private static void shoot(JFrame frame, Path file) throws Exception {
    on(() -> {
      BufferedImage img = new BufferedImage(frame.getWidth(), frame.getHeight(), BufferedImage.TYPE_INT_RGB);
      Graphics2D g = img.createGraphics();
      frame.getRootPane().paint(g);
      g.dispose();
      ImageIO.write(img, "png", new File(file.toString()));
      return null;
    });
  }

  static <T> T on(Callable<T> task) throws Exception {
    Object[] result = new Object[1];
    Exception[] error = new Exception[1];
    SwingUtilities.invokeAndWait(() -> {
      try {
        result[0] = task.call();
      } catch (Exception e) {
        error[0] = e;
      }
    });
    if (error[0] != null) {
      throw error[0];
    }
    @SuppressWarnings("unchecked")
    T t = (T) result[0];
    return t;
  }
}
