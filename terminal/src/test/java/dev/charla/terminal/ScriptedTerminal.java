package dev.charla.terminal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.jline.terminal.Terminal;
import org.jline.terminal.Size;
import org.jline.terminal.impl.DumbTerminal;

/**
 * A dumb JLine terminal on pipes, for running {@link TerminalMain} in tests: {@link #type} feeds the keyboard,
 * {@link #output} is everything the program printed so far. Runs the program on its own thread.
 */
final class ScriptedTerminal implements AutoCloseable {
  private final PipedOutputStream keyboard = new PipedOutputStream();
  private final SynchronizedBytes screen = new SynchronizedBytes();
  private final Terminal terminal;

  ScriptedTerminal() {
    try {
      PipedInputStream in = new PipedInputStream(keyboard, 64 * 1024);
      // A DumbTerminal writes straight to our stream; TerminalBuilder would pick a pty whose output arrives later.
      terminal = new DumbTerminal("scripted", Terminal.TYPE_DUMB, in, screen, StandardCharsets.UTF_8);
      terminal.setSize(new Size(200, 50));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts {@code main} (options already parsed) on a new thread; completes with its exit code. */
  CompletableFuture<Integer> start(TerminalMain main, String stdinPassword) {
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                exit.complete(main.run(terminal, stdinPassword));
              } catch (Throwable e) {
                exit.completeExceptionally(e);
              }
            },
            "charla-term-under-test");
    t.setDaemon(true);
    t.start();
    return exit;
  }

  /** Types a line and presses Enter. */
  void type(String line) {
    try {
      keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      keyboard.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Closes the keyboard: the program reads end of input. */
  void endOfInput() {
    try {
      keyboard.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String output() {
    return screen.text();
  }

  @Override
  public void close() throws IOException {
    keyboard.close();
    terminal.close();
  }

  private static final class SynchronizedBytes extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }
}
