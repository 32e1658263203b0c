package dev.charla.desktop;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives the test JVM a display, so {@code ./mvnw verify} passes on a machine with Xvfb installed but no
 * {@code DISPLAY} (CI). If {@code DISPLAY} is set it is used. Otherwise this starts {@code Xvfb -displayfd}, which
 * picks a free display number itself, and sets {@code DISPLAY} in the process environment with libc's
 * {@code setenv} (AWT's native code reads it there; {@link System#getenv} is a copy taken at startup), then turns
 * off the headless default that AWT chose from the missing variable. Must run before AWT starts: use it as the
 * first extension of every GUI test, and touch no AWT class in static initializers.
 *
 * <p>Xvfb runs with {@code -terminate}: it exits when its last client (this JVM's AWT connection) goes away. It is
 * not killed from a shutdown hook, because AWT treats a display that vanishes under it as fatal and the JVM would
 * exit with status 1, which Surefire reports as a crashed fork.
 */
public final class XvfbDisplay implements BeforeAllCallback {
  private static String display;

  @Override
  public void beforeAll(ExtensionContext context) {
    ensure();
  }

  /** The display in use, starting Xvfb first if there is none. */
  public static synchronized String ensure() {
    if (display != null) {
      return display;
    }
    String existing = System.getenv("DISPLAY");
    if (existing != null && !existing.isBlank()) {
      display = existing;
    } else {
      display = startXvfb();
      if (LibC.INSTANCE.setenv("DISPLAY", display, 1) != 0) {
        throw new IllegalStateException("setenv(DISPLAY) failed");
      }
    }
    System.setProperty("java.awt.headless", "false");
    return display;
  }

  private static String startXvfb() {
    Process xvfb;
    try {
      xvfb =
          new ProcessBuilder("Xvfb", "-displayfd", "1", "-screen", "0", "1920x1080x24", "-nolisten", "tcp", "-ac",
              "-terminate")
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "The desktop GUI tests need a display: set DISPLAY or install Xvfb (apt-get install xvfb)", e);
    }
    BufferedReader out = new BufferedReader(new InputStreamReader(xvfb.getInputStream(), StandardCharsets.US_ASCII));
    CompletableFuture<String> number = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    try {
      String n = number.get(20, TimeUnit.SECONDS);
      if (n == null || n.isBlank()) {
        throw new IllegalStateException("Xvfb exited without a display number (exit " + xvfb.waitFor() + ")");
      }
      return ":" + n.trim();
    } catch (Exception e) {
      xvfb.destroy();
      throw new IllegalStateException("Xvfb did not start within 20 s", e);
    }
  }

  private interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int setenv(String name, String value, int overwrite);
  }
}
