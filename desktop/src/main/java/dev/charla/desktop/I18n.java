package dev.charla.desktop;

import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;

/**
 * The UI's strings, from {@code dev/charla/desktop/messages*.properties} (UTF-8). English is the base bundle;
 * Spanish is {@code messages_es}.
 */
public final class I18n {
  /** The languages the desktop client speaks, in menu order. */
  public static final List<Locale> SUPPORTED = List.of(Locale.ENGLISH, Locale.of("es"));

  private final Locale locale;
  private final ResourceBundle bundle;

  public I18n(Locale locale) {
    this.locale = locale;
    this.bundle = ResourceBundle.getBundle("dev.charla.desktop.messages", locale,
        ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
  }

  /**
   * The language to use: {@code choice} (a language tag such as {@code es}) if given and supported, otherwise the
   * system's language if supported, otherwise English.
   */
  public static Locale choose(String choice, Locale system) {
    for (String tag : new String[] {choice, system == null ? null : system.getLanguage()}) {
      if (tag != null && !tag.isBlank()) {
        for (Locale l : SUPPORTED) {
          if (l.getLanguage().equals(Locale.forLanguageTag(tag).getLanguage())) {
            return l;
          }
        }
      }
    }
    return Locale.ENGLISH;
  }

  public Locale locale() {
    return locale;
  }

  /** The string for {@code key}; with arguments, formatted by {@link MessageFormat} (so {@code ''} is a quote). */
  public String t(String key, Object... args) {
    String s = bundle.getString(key);
    return args.length == 0 ? s : new MessageFormat(s, locale).format(args);
  }
}
