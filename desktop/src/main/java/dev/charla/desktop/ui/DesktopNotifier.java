package dev.charla.desktop.ui;

import dev.charla.desktop.I18n;
import dev.charla.desktop.Notifier;
import java.awt.AWTException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.SystemTray;
import java.awt.Toolkit;
import java.awt.TrayIcon;
import java.awt.image.BufferedImage;

/**
 * Tells about private messages while the window is not focused: the title counts them ("(2) Charla — ana"), and
 * the system tray shows a balloon where there is one; where there is none, the terminal bell rings instead.
 */
public final class DesktopNotifier implements Notifier {
  private final MainFrame frame;
  private final I18n i18n;
  private TrayIcon tray;
  private int unseen;

  public DesktopNotifier(MainFrame frame, I18n i18n) {
    this.frame = frame;
    this.i18n = i18n;
  }

  @Override
  public void privateMessage(String from, String text) {
    unseen++;
    frame.updateTitle(unseen);
    if (trayIcon() != null) {
      tray.displayMessage(i18n.t("notify.title", from), text, TrayIcon.MessageType.INFO);
    } else {
      Toolkit.getDefaultToolkit().beep();
    }
  }

  @Override
  public void clear() {
    unseen = 0;
    frame.updateTitle(0);
  }

  private TrayIcon trayIcon() {
    if (tray == null && SystemTray.isSupported()) {
      try {
        TrayIcon icon = new TrayIcon(icon(), "Charla");
        icon.setImageAutoSize(true);
        icon.addActionListener(e -> frame.toFront());
        SystemTray.getSystemTray().add(icon);
        tray = icon;
      } catch (AWTException | UnsupportedOperationException e) {
        return null;
      }
    }
    return tray;
  }

  /** Removes the tray icon, if one was added. */
  public void dispose() {
    if (tray != null) {
      SystemTray.getSystemTray().remove(tray);
      tray = null;
    }
  }

  private static BufferedImage icon() {
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(new Color(0x3d8fd9));
    g.fillRoundRect(2, 4, 28, 20, 10, 10);
    g.fillPolygon(new int[] {8, 16, 8}, new int[] {20, 22, 30}, 3);
    g.dispose();
    return img;
  }
}
