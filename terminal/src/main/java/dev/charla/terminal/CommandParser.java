package dev.charla.terminal;

import dev.charla.protocol.Limits;
import dev.charla.protocol.Names;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a typed line into an {@link Input}. Pure: no I/O, no client, so every rule is unit-tested.
 *
 * <ul>
 *   <li>A line starting with {@code /} is a command from {@link Commands#ALL}; an unknown one is rejected with a
 *       hint. {@code //text} sends {@code /text}.
 *   <li>A line starting with {@code :} is a command only if its first word is a known colon alias or it is
 *       {@code :p-name-msg}; anything else ({@code :)}) is plain text.
 *   <li>{@code :p-name-msg} sends {@code msg} privately to {@code name}. The name ends at the first dash after
 *       it (so names with dashes need {@code /msg}); the message may contain dashes. {@code :p-name} alone
 *       switches to that user.
 *   <li>Everything else is text for the current conversation.
 * </ul>
 */
final class CommandParser {
  private static final String PRIVATE_PREFIX = ":p-";

  private final List<CommandSpec> table;
  private final Map<String, CommandSpec> bySpelling = new HashMap<>();

  CommandParser() {
    this(Commands.ALL);
  }

  CommandParser(List<CommandSpec> table) {
    this.table = List.copyOf(table);
    for (CommandSpec spec : table) {
      for (String s : spec.spellings()) {
        CommandSpec previous = bySpelling.put(s, spec);
        if (previous != null) {
          throw new IllegalArgumentException("'" + s + "' names both " + previous.name() + " and " + spec.name());
        }
      }
    }
  }

  /** The table this parser reads, in display order. */
  List<CommandSpec> commands() {
    return table;
  }

  Input parse(String line) {
    String trimmed = line.strip();
    if (trimmed.isEmpty()) {
      return new Input.Blank();
    }
    if (trimmed.startsWith("//")) {
      return new Input.Say(trimmed.substring(1));
    }
    if (trimmed.regionMatches(true, 0, PRIVATE_PREFIX, 0, PRIVATE_PREFIX.length())) {
      return privateShortcut(trimmed.substring(PRIVATE_PREFIX.length()));
    }
    if (!trimmed.startsWith("/") && !trimmed.startsWith(":")) {
      return new Input.Say(line);
    }
    int space = indexOfWhitespace(trimmed);
    String word = (space < 0 ? trimmed : trimmed.substring(0, space)).toLowerCase(Locale.ROOT);
    CommandSpec spec = bySpelling.get(word);
    if (spec == null) {
      return word.startsWith(":")
          ? new Input.Say(line)
          : new Input.Invalid("unknown command " + word + " (/help lists the commands; //text sends /text)");
    }
    Args args = Args.of(space < 0 ? "" : trimmed.substring(space));
    if (args.count() < spec.minArgs() || args.count() > spec.maxArgs()) {
      return new Input.Invalid("usage: " + spec.usage() + "  (" + spec.summary() + ")");
    }
    try {
      return spec.make().apply(args);
    } catch (BadArgument e) {
      return new Input.Invalid(e.getMessage() + "  (usage: " + spec.usage() + ")");
    }
  }

  private static Input privateShortcut(String rest) {
    int dash = rest.indexOf('-');
    String name = dash < 0 ? rest : rest.substring(0, dash);
    try {
      String user = user(name);
      if (dash < 0) {
        return new Input.SwitchTarget("@" + user);
      }
      String text = rest.substring(dash + 1);
      if (text.isBlank()) {
        return new Input.Invalid("empty message (usage: :p-name-message)");
      }
      return new Input.PrivateMessage(user, text);
    } catch (BadArgument e) {
      return new Input.Invalid(e.getMessage() + "  (usage: :p-name-message)");
    }
  }

  // ---- argument rules, shared by the table's rows ----

  /** A room argument: {@code #} added if missing, lower case, checked against the naming rules. */
  static String room(String word) {
    String room = Names.roomKey(word.startsWith("#") ? word : "#" + word);
    if (!Names.isValidRoom(room)) {
      throw new BadArgument("bad room name '" + word + "': # then 1 to 32 letters, digits, _ or -");
    }
    return room;
  }

  /** A user argument: an optional leading {@code @} dropped, checked against the naming rules. */
  static String user(String word) {
    String name = word.startsWith("@") ? word.substring(1) : word;
    if (!Names.isValidUser(name)) {
      throw new BadArgument(
          "bad user name '" + word + "': 2 to 24 letters, digits, _ or -, starting with a letter");
    }
    return name;
  }

  /** A conversation argument: {@code @user}, or a room ({@code #} optional). */
  static String conversation(String word) {
    return word.startsWith("@") ? "@" + user(word) : room(word);
  }

  /** A message count: 1 to the protocol's page limit. */
  static int count(String word) {
    int n;
    try {
      n = Integer.parseInt(word);
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 1 || n > Limits.MAX_HISTORY_PAGE) {
      throw new BadArgument("bad count '" + word + "': 1 to " + Limits.MAX_HISTORY_PAGE);
    }
    return n;
  }

  private static int indexOfWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** An argument broke a rule; the message says which, for people. */
  static final class BadArgument extends RuntimeException {
    BadArgument(String message) {
      super(message, null, false, false);
    }
  }

  /** The words after a command, with access to the raw text from any word on (for free-text arguments). */
  static final class Args {
    private final String line;
    private final List<Integer> starts;
    private final List<String> words;

    private Args(String line, List<Integer> starts, List<String> words) {
      this.line = line;
      this.starts = starts;
      this.words = words;
    }

    static Args of(String line) {
      List<Integer> starts = new ArrayList<>();
      List<String> words = new ArrayList<>();
      int i = 0;
      while (i < line.length()) {
        while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
          i++;
        }
        if (i == line.length()) {
          break;
        }
        int start = i;
        while (i < line.length() && !Character.isWhitespace(line.charAt(i))) {
          i++;
        }
        starts.add(start);
        words.add(line.substring(start, i));
      }
      return new Args(line, starts, words);
    }

    int count() {
      return words.size();
    }

    String word(int i) {
      return words.get(i);
    }

    /** The text from word {@code i} to the end of the line, inner spacing kept. */
    String rest(int i) {
      return line.substring(starts.get(i)).strip();
    }
  }
}
