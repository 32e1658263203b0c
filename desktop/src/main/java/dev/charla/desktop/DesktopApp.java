package dev.charla.desktop;

import dev.charla.client.Transport;
import dev.charla.desktop.model.ChatModel;
import dev.charla.desktop.ui.DesktopNotifier;
import dev.charla.desktop.ui.MainFrame;
import dev.charla.desktop.ui.SignInFrame;
import java.awt.Point;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Objects;

/**
 * One desktop client: the sign-in window, then the main window of one session, and the menus that reach across
 * them (theme, language, log out, quit). {@link DesktopMain} makes one; tests make several in one JVM.
 *
 * <p>Threads: every method runs on the Swing event thread.
 */
public final class DesktopApp {

  /** Where to connect first, what to call the client, and where to put its windows. */
  public record Options(String host, int port, Transport transport, String name, String label, Point location) {}

  private final Settings settings;
  private final Runnable exit;
  private Options options;
  private I18n i18n;
  private SignInFrame signIn;
  private MainFrame main;
  private DesktopNotifier notifier;
  private ChatSession session;
  private FilePicker picker = FilePicker.swing();
  /** What the windows get: always asks the current {@link #picker}, so tests may replace it at any time. */
  private final FilePicker windowsPicker =
      new FilePicker() {
        @Override
        public java.nio.file.Path file(java.awt.Component parent, String title) {
          return picker.file(parent, title);
        }

        @Override
        public java.nio.file.Path folder(java.awt.Component parent, String title, java.nio.file.Path current) {
          return picker.folder(parent, title, current);
        }
      };

  public DesktopApp(Options options, Locale locale, Settings settings, Runnable exit) {
    this.options = Objects.requireNonNull(options);
    this.i18n = new I18n(locale);
    this.settings = Objects.requireNonNull(settings);
    this.exit = Objects.requireNonNull(exit);
  }

  /** Shows the sign-in window. */
  public void start() {
    showSignIn();
  }

  private void showSignIn() {
    signIn =
        new SignInFrame(
            i18n, options.host(), options.port(), options.transport(), options.name(),
            new SignInFrame.Handler() {
              @Override
              public void signIn(SignInFrame.Request r) {
                DesktopApp.this.signIn(r);
              }

              @Override
              public void quit() {
                DesktopApp.this.quit();
              }
            });
    signIn.setLocation(options.location());
    signIn.setVisible(true);
  }

  private void signIn(SignInFrame.Request r) {
    ChatSession s =
        new ChatSession(ChatSession.connector(r.host(), r.port(), options.label()), r.transport(), new ChatModel());
    SignInFrame frame = signIn;
    s.signIn(r.mode(), r.name(), r.password())
        .whenComplete(
            (loggedIn, err) -> {
              if (err != null) {
                SignInProblem p =
                    err instanceof ChatSession.SignInFailed f ? f.problem()
                        : err.getCause() instanceof ChatSession.SignInFailed f2 ? f2.problem() : SignInProblem.OTHER;
                String detail = err.getCause() == null ? err.getMessage() : err.getCause().getMessage();
                frame.failed(i18n.t(p.key(), r.host(), Integer.toString(r.port()), detail));
                return;
              }
              settings.server(r.host(), r.port(), r.transport(), r.name());
              options = new Options(r.host(), r.port(), r.transport(), r.name(), options.label(), options.location());
              session = s;
              s.downloads(settings::downloads);
              frame.dispose();
              signIn = null;
              showMain();
            });
  }

  private void showMain() {
    main =
        new MainFrame(
            session, i18n,
            new MainFrame.Actions() {
              @Override
              public void logout() {
                DesktopApp.this.logout();
              }

              @Override
              public void quit() {
                DesktopApp.this.quit();
              }

              @Override
              public void theme(String theme) {
                DesktopApp.this.theme(theme);
              }

              @Override
              public void language(Locale locale) {
                DesktopApp.this.language(locale);
              }

              @Override
              public void downloadsFolder() {
                DesktopApp.this.chooseDownloads();
              }
            },
            ZoneId.systemDefault(),
            windowsPicker);
    notifier = new DesktopNotifier(main, i18n);
    DesktopNotifier n = notifier;
    MainFrame frame = main;
    session.notifications(n, frame::isFocused);
    frame.addWindowFocusListener(
        new java.awt.event.WindowAdapter() {
          @Override
          public void windowGainedFocus(java.awt.event.WindowEvent e) {
            n.clear();
          }
        });
    frame.setLocation(options.location());
    frame.setVisible(true);
  }

  private void closeMain() {
    if (main != null) {
      main.detach();
      main.dispose();
      notifier.dispose();
      main = null;
    }
  }

  /** Logs out and goes back to the sign-in window. */
  public void logout() {
    ChatSession s = session;
    session = null;
    closeMain();
    if (s != null) {
      s.logout();
    }
    showSignIn();
  }

  /** Closes everything; the process ends if this was the last client ({@code exit}). */
  public void quit() {
    if (session != null) {
      session.close();
      session = null;
    }
    closeMain();
    if (signIn != null) {
      signIn.dispose();
      signIn = null;
    }
    exit.run();
  }

  /** Asks for the folder where received files go and remembers it. */
  public void chooseDownloads() {
    java.nio.file.Path chosen = picker.folder(main, i18n.t("downloads.title"), settings.downloads());
    if (chosen != null) {
      settings.downloads(chosen);
      if (session != null) {
        session.model().status("status.downloads", chosen.toAbsolutePath().toString());
      }
    }
  }

  /** Replaces the file chooser (tests answer at once instead of showing a dialog). */
  public void filePicker(FilePicker p) {
    this.picker = Objects.requireNonNull(p);
  }

  public void theme(String theme) {
    Themes.apply(theme);
    settings.theme(theme);
  }

  /** Switches the language (remembered) and rebuilds the open window in it. */
  public void language(Locale locale) {
    settings.language(locale.getLanguage());
    i18n = new I18n(locale);
    if (main != null) {
      java.awt.Rectangle bounds = main.getBounds();
      closeMain();
      showMain();
      main.setBounds(bounds);
    } else if (signIn != null) {
      signIn.dispose();
      showSignIn();
    }
  }

  // ---- for tests and the screenshot tour ----

  public SignInFrame signInFrame() {
    return signIn;
  }

  public MainFrame mainFrame() {
    return main;
  }

  public ChatSession session() {
    return session;
  }

  public I18n i18n() {
    return i18n;
  }
}
