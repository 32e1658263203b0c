package dev.charla.terminal;

/**
 * Where finished lines go. The terminal's implementation prints above the prompt ({@code LineReader.printAbove}),
 * so a line never lands in the middle of what the user is typing; it may be called from any thread.
 */
@FunctionalInterface
interface Screen {
  void print(String line);
}
