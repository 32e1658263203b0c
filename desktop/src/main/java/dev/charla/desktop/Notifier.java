package dev.charla.desktop;

/** Tells the user about a private message that arrived while the window was not focused. */
public interface Notifier {
  void privateMessage(String from, String text);

  /** The window got the focus back: stop flashing, clear counters. */
  default void clear() {}
}
