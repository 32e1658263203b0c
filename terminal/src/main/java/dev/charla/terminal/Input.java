package dev.charla.terminal;

/**
 * One line the user typed, parsed: a message for the current conversation, a command with its arguments already
 * validated, or the reason the line was rejected. Made by {@link CommandParser} (pure), carried out by
 * {@link CommandRunner}, whose exhaustive switch makes a forgotten input a compile error.
 *
 * <p>Conversation arguments are canonical: rooms are {@code #lower-case}, users are {@code @name}.
 */
public sealed interface Input {

  /** Plain text for the current conversation. */
  record Say(String text) implements Input {}

  /** A private message to {@code user} (a bare name, no {@code @}). */
  record PrivateMessage(String user, String text) implements Input {}

  /** Make {@code conv} ({@code #room} or {@code @user}) the current conversation. */
  record SwitchTarget(String conv) implements Input {}

  record Join(String room) implements Input {}

  /** Leave {@code room}, or the current conversation if null. */
  record Leave(String room) implements Input {}

  record ListRooms() implements Input {}

  /** Set the topic of {@code room} (null: the current one); a null {@code text} shows the topic instead. */
  record Topic(String room, String text) implements Input {}

  /** Load {@code count} older messages of {@code conv} (null: the current conversation). */
  record History(String conv, int count) implements Input {}

  record Users() implements Input {}

  /** Send over this transport from now on (the original system's TCP/UDP switch); null: say which is used. */
  record Via(dev.charla.client.Transport transport) implements Input {}

  record WhoAmI() implements Input {}

  record Help() implements Input {}

  record Quit() implements Input {}

  record Logout() implements Input {}

  /** List the server's file area. */
  record ListFiles() implements Input {}

  /** Upload a local file to the area. */
  record PutFile(String path) implements Input {}

  /** Download file {@code id} into {@code dest} (a folder or a file name; null: the current folder). */
  record GetFile(String id, String dest) implements Input {}

  /** Delete your file {@code id} from the area. */
  record RemoveFile(String id) implements Input {}

  /** Offer a local file to {@code user} (a bare name). */
  record OfferFile(String user, String path) implements Input {}

  /** Accept the file offered as {@code id}: download it into {@code dest} (null: the current folder). */
  record AcceptOffer(String id, String dest) implements Input {}

  record DeclineOffer(String id) implements Input {}

  /** An empty line: nothing to do. */
  /** Ask a user for a direct conversation. */
  record DirectAsk(String user) implements Input {}

  /** Accept the direct request from a user (null: the only one waiting). */
  record DirectAccept(String user) implements Input {}

  record DirectDecline(String user) implements Input {}

  /** A message in the direct conversation with a user. */
  record DirectSay(String user, String text) implements Input {}

  record DirectClose(String user) implements Input {}

  record Blank() implements Input {}

  /** The line was not understood; {@code message} says why, for people. */
  record Invalid(String message) implements Input {}
}
