package dev.charla.terminal;

import dev.charla.client.CharlaClient;
import dev.charla.client.Transport;
import dev.charla.protocol.ServerFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The terminal client: {@code charla-term}. The composition root of this module: it reads the options, builds the
 * JLine terminal and line reader, the client and the listener, logs in, and runs the read loop.
 *
 * <p>Threads: the main thread reads lines and runs commands ({@link CommandRunner}); the client's event thread runs
 * {@link TerminalListener}. Both print through {@code LineReader.printAbove}, which keeps incoming lines above
 * the prompt and the user's half-typed line intact.
 */
@Command(
    name = "charla-term",
    mixinStandardHelpOptions = true,
    version = "charla-term 0.1",
    sortOptions = false,
    description = {
      "Chat on a Charla server from the terminal.",
      "Without --user or --guest it asks: (l)ogin, (r)egister or (g)uest. Type /help once in."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:/quit, /logout at a prompt, or end of input",
      "1:the server cannot be reached",
      "2:bad options",
      "3:login failed",
      "4:the connection was closed for good"
    })
public final class TerminalMain implements java.util.concurrent.Callable<Integer> {
  static final int EXIT_OK = 0;
  static final int EXIT_UNREACHABLE = 1;
  static final int EXIT_LOGIN_FAILED = 3;
  static final int EXIT_DISCONNECTED = 4;

  private static final Duration CONNECT_WAIT = Duration.ofSeconds(10);
  // Argon2id is deliberately slow, and slower on a busy server: give a login time before giving up on it.
  private static final Duration REPLY_WAIT = Duration.ofSeconds(30);
  private static final Duration LOGOUT_WAIT = Duration.ofSeconds(2);

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--host", defaultValue = "localhost", description = "Server host (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "7420", description = "Server port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--transport",
      defaultValue = "tcp",
      paramLabel = "KIND",
      description = "How to reach the server: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Transport transport;

  @Option(names = "--user", paramLabel = "NAME", description = "Log in to this account.")
  String user;

  @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
  boolean passwordStdin;

  @Option(names = "--register", description = "Create the --user account first.")
  boolean register;

  @Option(names = "--guest", paramLabel = "NAME", description = "Join as a guest with this name.")
  String guest;

  @Option(
      names = "--label",
      defaultValue = "charla-term/0.1",
      description = "Client label others see in /users (default: ${DEFAULT-VALUE}).")
  String label;

  private final InputStream stdin;
  private final Clock clock;

  public TerminalMain() {
    this(System.in, Clock.systemDefaultZone());
  }

  TerminalMain(InputStream stdin, Clock clock) {
    this.stdin = stdin;
    this.clock = clock;
  }

  public static void main(String[] args) {
    System.exit(commandLine(new TerminalMain()).execute(args));
  }

  static CommandLine commandLine(TerminalMain main) {
    return new CommandLine(main).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public Integer call() throws IOException {
    checkOptions();
    // Read before JLine takes over the input, so a piped password is not mistaken for typing.
    String password = passwordStdin ? firstLine(stdin) : null;
    try (Terminal terminal = TerminalBuilder.builder().name("charla-term").system(true).dumb(true).build()) {
      return run(terminal, password);
    }
  }

  private void checkOptions() {
    if (user != null && guest != null) {
      throw new ParameterException(spec.commandLine(), "--user and --guest exclude each other");
    }
    if ((passwordStdin || register) && user == null) {
      throw new ParameterException(spec.commandLine(), "--password-stdin and --register need --user");
    }
  }

  /**
   * Runs the client on {@code terminal} until the user quits; returns the exit code.
   *
   * @param stdinPassword the password for {@code --user}, or null to ask for it
   */
  int run(Terminal terminal, String stdinPassword) {
    LineReader reader =
        LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("charla-term")
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // "!" in chat is text, not history
            .build();
    Screen screen = reader::printAbove;
    ChatFormatter format = new ChatFormatter(clock);
    CommandParser parser = new CommandParser();
    Credentials fromOptions = credentialsFromOptions(stdinPassword);
    boolean firstRound = true;
    while (true) {
      AtomicBoolean lost = new AtomicBoolean();
      OldestSeen seen = new OldestSeen();
      TerminalListener listener =
          new TerminalListener(
              screen,
              format,
              seen,
              () -> {
                lost.set(true);
                terminal.raise(Terminal.Signal.INT); // wakes readLine, which then sees lost
              });
      CharlaClient client =
          CharlaClient.builder()
              .host(host)
              .port(port)
              .transport(transport)
              .clientLabel(label)
              .listener(listener)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      try {
        try {
          wait(client.connect(), CONNECT_WAIT);
        } catch (ExecutionException | TimeoutException e) {
          screen.print("!! " + unreachable(e));
          return EXIT_UNREACHABLE;
        }
        ServerFrame.LoggedIn in;
        if (firstRound && fromOptions != null) {
          in = logIn(client, fromOptions, screen, format);
          if (in == null) {
            return EXIT_LOGIN_FAILED;
          }
        } else {
          in = askAndLogIn(client, reader, screen, format);
          if (in == null) {
            listener.closing();
            return EXIT_OK;
          }
        }
        firstRound = false;
        listener.loggedInAs(in.you().name());
        screen.print(format.identity(in.you()));
        CommandRunner runner =
            new CommandRunner(client, screen, format, seen, listener, parser.commands(), REPLY_WAIT);
        for (ServerFrame.RoomInfo room : in.rooms()) {
          runner.showJoin(room.name());
        }
        screen.print(format.note("talking to " + runner.target() + "; /help lists the commands"));
        CommandRunner.Outcome outcome = readLoop(reader, parser, runner, lost);
        if (outcome == null) {
          screen.print("** the connection is closed; exiting");
          return EXIT_DISCONNECTED;
        }
        if (outcome == CommandRunner.Outcome.QUIT) {
          listener.closing();
          try {
            wait(client.logout(), LOGOUT_WAIT); // so others see us leave now, and the token dies with us
          } catch (ExecutionException | TimeoutException e) {
            // Leaving anyway: closing the connection ends the session on the server too, just later.
          }
          return EXIT_OK;
        }
        // LOGGED_OUT: back to the login question with a fresh client.
      } finally {
        listener.closing(); // our own close is not news
        client.close();
      }
    }
  }

  /** Reads and runs lines; returns how the loop ended, or null if the connection was closed for good. */
  private static CommandRunner.Outcome readLoop(
      LineReader reader, CommandParser parser, CommandRunner runner, AtomicBoolean lost) {
    while (!lost.get()) {
      String line;
      try {
        line = reader.readLine(runner.target() + "> ");
      } catch (UserInterruptException e) {
        if (lost.get()) {
          return null;
        }
        if (!e.getPartialLine().isEmpty()) {
          continue; // Ctrl-C on a half-typed line drops the line; on an empty one it quits
        }
        return CommandRunner.Outcome.QUIT;
      } catch (EndOfFileException e) {
        return CommandRunner.Outcome.QUIT;
      }
      CommandRunner.Outcome outcome = runner.run(parser.parse(line));
      if (outcome != CommandRunner.Outcome.CONTINUE) {
        return outcome;
      }
    }
    return null;
  }

  /** How to log in, as the options or the user said. */
  private record Credentials(Mode mode, String name, String password) {
    enum Mode {
      LOGIN,
      REGISTER,
      GUEST
    }
  }

  private Credentials credentialsFromOptions(String stdinPassword) {
    if (guest != null) {
      return new Credentials(Credentials.Mode.GUEST, guest, null);
    }
    if (user != null) {
      return new Credentials(register ? Credentials.Mode.REGISTER : Credentials.Mode.LOGIN, user, stdinPassword);
    }
    return null;
  }

  /** One attempt with the options' credentials (asking only for a missing password); null if it failed. */
  private static ServerFrame.LoggedIn logIn(
      CharlaClient client, Credentials c, Screen screen, ChatFormatter format) {
    return attempt(client, c, screen, format);
  }

  /** Asks until a login works; null at end of input or Ctrl-C. */
  private static ServerFrame.LoggedIn askAndLogIn(
      CharlaClient client, LineReader reader, Screen screen, ChatFormatter format) {
    try {
      while (true) {
        String choice = reader.readLine("(l)ogin, (r)egister or (g)uest? ").strip().toLowerCase(Locale.ROOT);
        Credentials.Mode mode =
            switch (choice) {
              case "l", "login" -> Credentials.Mode.LOGIN;
              case "r", "register" -> Credentials.Mode.REGISTER;
              case "g", "guest" -> Credentials.Mode.GUEST;
              default -> null;
            };
        if (mode == null) {
          screen.print("!! please answer l, r or g");
          continue;
        }
        String name = reader.readLine("name: ").strip();
        String password = null;
        if (mode != Credentials.Mode.GUEST) {
          password = reader.readLine("password: ", '*');
          if (mode == Credentials.Mode.REGISTER && !password.equals(reader.readLine("password again: ", '*'))) {
            screen.print("!! the passwords differ");
            continue;
          }
        }
        ServerFrame.LoggedIn in = attempt(client, new Credentials(mode, name, password), screen, format);
        if (in != null) {
          return in;
        }
      }
    } catch (UserInterruptException | EndOfFileException e) {
      return null;
    }
  }

  private static ServerFrame.LoggedIn attempt(
      CharlaClient client, Credentials c, Screen screen, ChatFormatter format) {
    CompletableFuture<ServerFrame.LoggedIn> reply =
        switch (c.mode()) {
          case LOGIN -> client.login(c.name(), c.password());
          case REGISTER -> client.register(c.name(), c.password());
          case GUEST -> client.guest(c.name());
        };
    try {
      return wait(reply, REPLY_WAIT);
    } catch (ExecutionException e) {
      screen.print(format.error(e));
    } catch (TimeoutException e) {
      screen.print("!! no reply to the login within " + REPLY_WAIT.toSeconds() + " s");
    }
    return null;
  }

  private static <T> T wait(CompletableFuture<T> f, Duration limit) throws ExecutionException, TimeoutException {
    try {
      return f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExecutionException(e);
    }
  }

  private String unreachable(Exception e) {
    String where = "cannot reach " + host + ":" + port + " over " + transport.wire();
    if (e instanceof TimeoutException) {
      return where + ": no answer within " + CONNECT_WAIT.toSeconds() + " s";
    }
    Throwable c = e.getCause() != null ? e.getCause() : e;
    // The client's message already says "cannot reach host:port: why".
    return c instanceof dev.charla.client.ChatException ? c.getMessage() : where + ": " + c;
  }

  /** The first line of {@code in}, read byte by byte so nothing after it is consumed. */
  static String firstLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
      line.write(b);
    }
    String s = line.toString(StandardCharsets.UTF_8);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }
}
