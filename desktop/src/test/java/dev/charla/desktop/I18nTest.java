package dev.charla.desktop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class I18nTest {
  @Test
  void theLanguageComesFromTheSettingThenTheSystemThenEnglish() {
    assertThat(I18n.choose("es", Locale.ENGLISH).getLanguage()).isEqualTo("es");
    assertThat(I18n.choose(null, Locale.of("es", "MX")).getLanguage()).isEqualTo("es");
    assertThat(I18n.choose("", Locale.GERMAN)).isEqualTo(Locale.ENGLISH);
    assertThat(I18n.choose("en", Locale.of("es"))).isEqualTo(Locale.ENGLISH);
  }

  @Test
  void spanishHasEveryKeyOfEnglishAndViceVersa() throws IOException {
    Properties en = load("messages.properties");
    Properties es = load("messages_es.properties");
    assertThat(es.keySet()).containsExactlyInAnyOrderElementsOf(en.keySet());
  }

  @Test
  void bundlesAreReadAsUtf8() {
    I18n es = new I18n(Locale.of("es"));
    assertThat(es.t("banner.lost")).isEqualTo("Conexión perdida — reconectando…");
    assertThat(new I18n(Locale.ENGLISH).t("banner.lost")).isEqualTo("Connection lost — reconnecting…");
    assertThat(es.t("error.unreachable", "example.org", "7420", "x")).contains("example.org:7420");
  }

  @Test
  void anEnglishSystemDoesNotPickUpSpanishForAnUnknownLanguage() {
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.of("es"));
      assertThat(new I18n(Locale.GERMAN).t("menu.quit")).isEqualTo("Quit"); // no fallback to the default locale
    } finally {
      Locale.setDefault(before);
    }
  }

  private static Properties load(String name) throws IOException {
    Properties p = new Properties();
    try (InputStream in = I18n.class.getResourceAsStream(name)) {
      p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
    return p;
  }
}
