package dev.charla.protocol;

import java.util.Locale;
import java.util.Set;

/**
 * Turns a file name chosen by someone else into one that is safe to show and to save: the name a sender gives
 * is only ever a suggestion.
 *
 * <p>{@link #safe} keeps the last path segment (both {@code /} and {@code \} separate), removes control and
 * format characters and the characters Windows forbids ({@code <>:"|?*}), drops leading dots and spaces (no
 * hidden files, no {@code ..}) and trailing dots and spaces, renames Windows device names ({@code CON},
 * {@code NUL}, {@code COM1}, … with any extension) by prefixing {@code _}, and shortens to
 * {@link #MAX_SAVED_CHARS} keeping the extension. An empty result becomes {@code file}.
 */
public final class FileNames {
  /** Longest name {@link #safe} returns, in chars. */
  public static final int MAX_SAVED_CHARS = 200;

  private static final Set<String> RESERVED =
      Set.of("CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "COM0", "COM1", "COM2", "COM3", "COM4", "COM5",
          "COM6", "COM7", "COM8", "COM9", "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8",
          "LPT9");

  private FileNames() {}

  public static String safe(String name) {
    if (name == null) {
      return "file";
    }
    String s = name;
    int cut = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
    if (cut >= 0) {
      s = s.substring(cut + 1);
    }
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints()
        .filter(c -> !Character.isISOControl(c) && Character.getType(c) != Character.FORMAT && "<>:\"|?*".indexOf(c) < 0)
        .forEach(b::appendCodePoint);
    s = b.toString();
    s = s.replaceAll("^[. ]+", "").replaceAll("[. ]+$", "");
    if (s.isEmpty()) {
      return "file";
    }
    int dot = s.indexOf('.');
    String stem = (dot < 0 ? s : s.substring(0, dot)).toUpperCase(Locale.ROOT).strip();
    if (RESERVED.contains(stem)) {
      s = "_" + s;
    }
    if (s.length() > MAX_SAVED_CHARS) {
      int ext = s.lastIndexOf('.');
      String extension = ext > 0 && s.length() - ext <= 16 ? s.substring(ext) : "";
      s = s.substring(0, MAX_SAVED_CHARS - extension.length()) + extension;
    }
    return s;
  }

  /**
   * The {@code n}-th alternative of a name for when it is taken: {@code report.pdf} becomes
   * {@code report (1).pdf}, {@code report (2).pdf}, …
   */
  public static String numbered(String safeName, int n) {
    int dot = safeName.lastIndexOf('.');
    if (dot <= 0) {
      return safeName + " (" + n + ")";
    }
    return safeName.substring(0, dot) + " (" + n + ")" + safeName.substring(dot);
  }
}
