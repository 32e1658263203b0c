package dev.charla.desktop.gui;

import dev.charla.desktop.Themes;
import dev.charla.desktop.XvfbDisplay;
import java.awt.Point;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.assertj.swing.core.BasicRobot;
import org.assertj.swing.core.Robot;
import org.assertj.swing.edt.FailOnThreadViolationRepaintManager;
import org.assertj.swing.edt.GuiActionRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Shared set-up of the GUI tests: a display (Xvfb if none), a check that Swing is only touched on the event
 * thread, the light theme, and a robot; clients opened with {@link #open} are quit after each test.
 */
@ExtendWith(XvfbDisplay.class)
abstract class GuiTestBase {
  protected Robot robot;
  private final List<DesktopDriver> drivers = new ArrayList<>();

  @BeforeAll
  static void display() {
    FailOnThreadViolationRepaintManager.install();
    GuiActionRunner.execute(() -> Themes.apply(Themes.LIGHT));
  }

  @BeforeEach
  void robot() {
    robot = BasicRobot.robotWithCurrentAwtHierarchy();
    robot.settings().delayBetweenEvents(10);
  }

  @AfterEach
  void quitClients() {
    drivers.forEach(DesktopDriver::close);
    drivers.clear();
    robot.cleanUpWithoutDisposingWindows();
  }

  /** A desktop client; the first at the left of the screen, the second at the right. */
  protected DesktopDriver open(dev.charla.desktop.TestServer server, String name, Locale locale) {
    Point where = new Point(drivers.size() % 2 == 0 ? 0 : 960, 0);
    DesktopDriver d = DesktopDriver.open(robot, server, name, where, locale);
    drivers.add(d);
    return d;
  }

  protected DesktopDriver open(dev.charla.desktop.TestServer server, String name) {
    return open(server, name, Locale.ENGLISH);
  }
}
