package dev.charla.terminal;

import java.util.List;
import java.util.function.Function;

/**
 * One row of the command table: the name and its aliases, how to use it, how many words it takes, and how to turn
 * those words into an {@link Input}. Arity is checked by {@link CommandParser} before {@code make} runs, so
 * {@code make} may read words {@code 0 .. minArgs-1} without checking.
 *
 * @param name the canonical name, with its prefix ({@code /join})
 * @param aliases other spellings ({@code /j}, {@code :add})
 * @param usage how to call it, shown by /help and on misuse
 * @param summary what it does, one line
 * @param minArgs fewest words after the command
 * @param maxArgs most words after the command ({@link Integer#MAX_VALUE} when the last argument is free text)
 * @param make builds the input; may throw {@link CommandParser.BadArgument}
 */
record CommandSpec(
    String name,
    List<String> aliases,
    String usage,
    String summary,
    int minArgs,
    int maxArgs,
    Function<CommandParser.Args, Input> make) {

  static final int TEXT = Integer.MAX_VALUE;

  /** The name followed by its aliases. */
  List<String> spellings() {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(name), aliases.stream()).toList();
  }
}
