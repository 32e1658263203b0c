package dev.charla.desktop;

import dev.charla.client.Transport;
import java.nio.file.Path;
import java.util.prefs.Preferences;

/**
 * What the client remembers between runs: the last server, transport and name, the theme, the language and the
 * folder where received and downloaded files go. Never the password. Stored with {@link Preferences} (on Linux under {@code ~/.java/.userPrefs}).
 */
public final class Settings {
  private final Preferences node;

  public Settings(Preferences node) {
    this.node = node;
  }

  /** The settings of the current user. */
  public static Settings forUser() {
    return new Settings(Preferences.userRoot().node("dev/charla/desktop"));
  }

  public String host() {
    return node.get("host", "localhost");
  }

  public int port() {
    return node.getInt("port", 7420);
  }

  public Transport transport() {
    String t = node.get("transport", Transport.TCP.name());
    for (Transport x : Transport.values()) {
      if (x.name().equals(t)) {
        return x;
      }
    }
    return Transport.TCP;
  }

  public String name() {
    return node.get("name", "");
  }

  /** {@code light} or {@code dark}. */
  public String theme() {
    return node.get("theme", "light");
  }

  /** A language tag, or empty to follow the system. */
  public String language() {
    return node.get("language", "");
  }

  /**
   * Where accepted offers and downloads from the file area are saved: the folder chosen in the menu, else
   * {@code ~/Downloads/Charla}. The client library picks a safe name inside it and never overwrites a file.
   */
  public Path downloads() {
    String chosen = node.get("downloads", "");
    return chosen.isBlank() ? defaultDownloads() : Path.of(chosen);
  }

  static Path defaultDownloads() {
    return Path.of(System.getProperty("user.home"), "Downloads", "Charla");
  }

  public void downloads(Path folder) {
    node.put("downloads", folder.toAbsolutePath().toString());
    flush();
  }

  public void server(String host, int port, Transport transport, String name) {
    node.put("host", host);
    node.putInt("port", port);
    node.put("transport", transport.name());
    node.put("name", name);
    flush();
  }

  public void theme(String theme) {
    node.put("theme", theme);
    flush();
  }

  public void language(String tag) {
    node.put("language", tag);
    flush();
  }

  private void flush() {
    try {
      node.flush();
    } catch (java.util.prefs.BackingStoreException e) {
      // Not fatal: the values stay for this run.
    }
  }
}
