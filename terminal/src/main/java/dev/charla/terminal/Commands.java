package dev.charla.terminal;

import static dev.charla.terminal.CommandSpec.TEXT;

import dev.charla.terminal.CommandParser.Args;
import java.util.List;

/**
 * The command table: every command the terminal understands, with its aliases, usage and arity. To add a command:
 * add an {@link Input} record, a row here, and a case in {@link CommandRunner#run}; the compiler finds the last.
 *
 * <p>The colon spellings ({@code :q}, {@code :h}, {@code :i}, {@code :add}) come from the original system; its
 * {@code :p-name-msg} private message is a prefix rule, handled by {@link CommandParser}.
 */
final class Commands {
  /** Messages loaded by one {@code /history} when no count is given. */
  static final int DEFAULT_HISTORY = 20;

  static final List<CommandSpec> ALL =
      List.of(
          new CommandSpec(
              "/help", List.of(":h", "/?"), "/help", "list the commands", 0, 0, a -> new Input.Help()),
          new CommandSpec(
              "/quit", List.of(":q", "/exit", ":exit"), "/quit", "leave the program (the session ends)", 0, 0,
              a -> new Input.Quit()),
          new CommandSpec(
              "/msg", List.of("/m", "/query"), "/msg <user> [text]",
              "send a private message; without text, talk to <user> from now on", 1, TEXT,
              a ->
                  a.count() == 1
                      ? new Input.SwitchTarget("@" + CommandParser.user(a.word(0)))
                      : new Input.PrivateMessage(CommandParser.user(a.word(0)), a.rest(1))),
          new CommandSpec(
              "/join", List.of("/j", ":add"), "/join <#room>", "join a room (created if new) and talk there", 1, 1,
              a -> new Input.Join(CommandParser.room(a.word(0)))),
          new CommandSpec(
              "/leave", List.of("/part"), "/leave [#room]", "leave a room (default: the current one)", 0, 1,
              a -> new Input.Leave(a.count() == 0 ? null : CommandParser.room(a.word(0)))),
          new CommandSpec(
              "/rooms", List.of("/list"), "/rooms", "list the rooms", 0, 0, a -> new Input.ListRooms()),
          new CommandSpec(
              "/topic", List.of(), "/topic [#room] [text]",
              "set a room's topic (default: the current room); with only a room, show it", 1, TEXT,
              Commands::topic),
          new CommandSpec(
              "/history", List.of("/h"), "/history [#room|@user] [n]",
              "show n (default " + DEFAULT_HISTORY + ") older messages; repeat to go further back", 0, 2,
              Commands::history),
          new CommandSpec(
              "/users", List.of("/who"), "/users", "everyone online: name, address, transport, client", 0, 0,
              a -> new Input.Users()),
          new CommandSpec(
              "/whoami", List.of(":i"), "/whoami", "who you are, as the server sees you", 0, 0,
              a -> new Input.WhoAmI()),
          new CommandSpec(
              "/via", List.of(), "/via [tcp|udp]",
              "send over TCP or UDP from now on (a TCP login gets a UDP path attached); alone: show it", 0, 1,
              Commands::via),
          new CommandSpec(
              "/files", List.of("/ls", ":ls", ":list"), "/files", "list the server's file area", 0, 0,
              a -> new Input.ListFiles()),
          new CommandSpec(
              "/put", List.of(":put"), "/put <path>", "upload a file to the area (resumes if interrupted)", 1, TEXT,
              a -> new Input.PutFile(a.rest(0))),
          new CommandSpec(
              "/get", List.of(":get"), "/get <id> [dest]",
              "download a file of the area into dest (a folder or name; default here)", 1, TEXT,
              a -> new Input.GetFile(a.word(0), a.count() == 1 ? null : a.rest(1))),
          new CommandSpec(
              "/rm", List.of(":rm", "/delete"), "/rm <id>", "delete your file from the area", 1, 1,
              a -> new Input.RemoveFile(a.word(0))),
          new CommandSpec(
              "/send", List.of("/offer"), "/send <user> <path>",
              "offer a file to a user (online or not; over your direct connection with them if there is one)", 2, TEXT,
              a -> new Input.OfferFile(CommandParser.user(a.word(0)), a.rest(1))),
          new CommandSpec(
              "/accept", List.of(), "/accept <id> [dest]", "accept a file offered to you, saving it into dest", 1, TEXT,
              a -> new Input.AcceptOffer(a.word(0), a.count() == 1 ? null : a.rest(1))),
          new CommandSpec(
              "/decline", List.of(), "/decline <id>", "decline a file offered to you", 1, 1,
              a -> new Input.DeclineOffer(a.word(0))),
          new CommandSpec(
              "/direct", List.of(), "/direct <user>",
              "ask a user for a direct conversation (they must accept; relayed if no direct path)", 1, 1,
              a -> new Input.DirectAsk(CommandParser.user(a.word(0)))),
          new CommandSpec(
              "/accept-direct", List.of(), "/accept-direct [user]", "accept a direct conversation request", 0, 1,
              a -> new Input.DirectAccept(a.count() == 0 ? null : CommandParser.user(a.word(0)))),
          new CommandSpec(
              "/decline-direct", List.of(), "/decline-direct [user]", "decline a direct conversation request", 0, 1,
              a -> new Input.DirectDecline(a.count() == 0 ? null : CommandParser.user(a.word(0)))),
          new CommandSpec(
              "/dm", List.of(), "/dm <user> <text>",
              "say something in the direct conversation with a user (not through the server when direct)", 2, TEXT,
              a -> new Input.DirectSay(CommandParser.user(a.word(0)), a.rest(1))),
          new CommandSpec(
              "/close-direct", List.of(), "/close-direct <user>", "end the direct conversation with a user", 1, 1,
              a -> new Input.DirectClose(CommandParser.user(a.word(0)))),
          new CommandSpec(
              "/logout", List.of(), "/logout", "end the session (revoking its token), then log in again or leave", 0, 0,
              a -> new Input.Logout()));

  private Commands() {}

  private static Input topic(Args a) {
    String first = a.word(0);
    if (first.startsWith("#")) {
      String room = CommandParser.room(first);
      return new Input.Topic(room, a.count() == 1 ? null : a.rest(1));
    }
    return new Input.Topic(null, a.rest(0));
  }

  private static Input via(Args a) {
    if (a.count() == 0) {
      return new Input.Via(null);
    }
    return switch (a.word(0).toLowerCase(java.util.Locale.ROOT)) {
      case "tcp" -> new Input.Via(dev.charla.client.Transport.TCP);
      case "udp" -> new Input.Via(dev.charla.client.Transport.UDP);
      default -> throw new CommandParser.BadArgument("expected tcp or udp, got '" + a.word(0) + "'");
    };
  }

  private static Input history(Args a) {
    String conv = null;
    Integer count = null;
    for (int i = 0; i < a.count(); i++) {
      String w = a.word(i);
      if (count == null && w.chars().allMatch(Character::isDigit)) {
        count = CommandParser.count(w);
      } else if (conv == null && count == null) {
        conv = CommandParser.conversation(w);
      } else {
        throw new CommandParser.BadArgument("expected [#room|@user] [n], got '" + a.rest(0) + "'");
      }
    }
    return new Input.History(conv, count == null ? DEFAULT_HISTORY : count);
  }
}
