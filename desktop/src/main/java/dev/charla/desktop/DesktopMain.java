package dev.charla.desktop;

import dev.charla.client.Transport;
import java.awt.Point;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.swing.SwingUtilities;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The desktop client: {@code charla-desktop}. The composition root of this module: it reads the options and the
 * remembered settings, installs the theme and opens the sign-in window on the Swing event thread.
 */
@Command(
    name = "charla-desktop",
    mixinStandardHelpOptions = true,
    version = "charla-desktop 0.1",
    sortOptions = false,
    description = {
      "Chat on a Charla server in a window.",
      "Options fill in the sign-in screen; without them it shows the server, transport and name used last time."
    })
public final class DesktopMain implements Callable<Integer> {
  static final String LABEL = "charla-desktop/0.1";

  @Option(names = "--host", description = "Server host (default: the last one used, else localhost).")
  String host;

  @Option(names = "--port", description = "Server port (default: the last one used, else 7420).")
  Integer port;

  @Option(
      names = "--transport",
      paramLabel = "KIND",
      description = "How to reach the server: ${COMPLETION-CANDIDATES} (default: the last one used, else tcp).")
  Transport transport;

  @Option(names = "--name", description = "Name to sign in with (default: the last one used).")
  String name;

  @Option(
      names = "--lang",
      paramLabel = "LANG",
      description = "Language: en or es (default: the one chosen in the menu, else the system's).")
  String lang;

  @Option(
      names = "--theme",
      paramLabel = "THEME",
      description = "light or dark (default: the one chosen in the menu, else light).")
  String theme;

  @Option(
      names = "--label",
      defaultValue = LABEL,
      description = "Client label others see in the people list (default: ${DEFAULT-VALUE}).")
  String label;

  public static void main(String[] args) {
    int code = new CommandLine(new DesktopMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    if (code != 0) {
      System.exit(code);
    }
    // Otherwise the windows keep the process alive; quitting calls System.exit(0).
  }

  @Override
  public Integer call() {
    if (theme != null && !theme.equals(Themes.LIGHT) && !theme.equals(Themes.DARK)) {
      System.err.println("charla-desktop: --theme must be light or dark, not " + theme);
      return 2;
    }
    Settings settings = Settings.forUser();
    Locale locale = I18n.choose(lang != null ? lang : settings.language(), Locale.getDefault());
    DesktopApp.Options options =
        new DesktopApp.Options(
            host != null ? host : settings.host(),
            port != null ? port : settings.port(),
            transport != null ? transport : settings.transport(),
            name != null ? name : settings.name(),
            label,
            new Point(120, 80));
    String chosenTheme = theme != null ? theme : settings.theme();
    SwingUtilities.invokeLater(
        () -> {
          Themes.apply(chosenTheme);
          new DesktopApp(options, locale, settings, () -> System.exit(0)).start();
        });
    return 0;
  }
}
