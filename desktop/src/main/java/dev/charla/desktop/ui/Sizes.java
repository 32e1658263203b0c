package dev.charla.desktop.ui;

import java.util.Locale;

/** Byte counts, rates and durations for people: {@code 1.5 MiB}, {@code 820 KiB/s}, {@code 1 min 5 s}. */
final class Sizes {
  private Sizes() {}

  static String bytes(long n, Locale locale) {
    if (n < 0) {
      return "?";
    }
    if (n < 1024) {
      return n + " B";
    }
    String units = "KMGTPE";
    int u = (63 - Long.numberOfLeadingZeros(n)) / 10;
    return String.format(locale, "%.1f %siB", n / (double) (1L << (u * 10)), units.charAt(u - 1));
  }

  static String duration(long millis) {
    if (millis < 0) {
      return "?";
    }
    long s = (millis + 999) / 1000;
    return s < 60 ? s + " s" : s < 3600 ? (s / 60) + " min " + (s % 60) + " s" : (s / 3600) + " h " + (s % 3600 / 60) + " min";
  }
}
