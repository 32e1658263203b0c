package dev.charla.desktop;

import com.formdev.flatlaf.FlatDarkLaf;
import com.formdev.flatlaf.FlatLaf;
import com.formdev.flatlaf.FlatLightLaf;

/** FlatLaf light and dark. Call on the UI thread. */
public final class Themes {
  public static final String LIGHT = "light";
  public static final String DARK = "dark";

  private Themes() {}

  /** Installs the theme and repaints every open window. */
  public static void apply(String theme) {
    if (DARK.equals(theme)) {
      FlatDarkLaf.setup();
    } else {
      FlatLightLaf.setup();
    }
    FlatLaf.updateUI();
  }

  public static boolean isDark() {
    return FlatLaf.isLafDark();
  }
}
