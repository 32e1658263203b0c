package dev.charla.protocol;

import java.util.Locale;

/**
 * Naming rules, shared by server and clients.
 *
 * <p>A user name is 2 to 24 characters: ASCII letters, digits, {@code _} and {@code -}, starting with a letter.
 * Names are unique without regard to case ({@code Ana} and {@code ana} are the same name); the spelling chosen
 * at registration is kept for display. A room name is {@code #} followed by 1 to 32 of the same characters and is
 * always lower case. A private conversation is named {@code @a,b}: the two user keys, sorted, after an {@code @}.
 */
public final class Names {
  public static final String LOBBY = "#lobby";

  private Names() {}

  // Checked by hand rather than with a regex: the server checks a name on every private message, and the
  // regex's matcher was 3 % of its CPU in the ping-pong benchmark.

  /** {@code [A-Za-z][A-Za-z0-9_-]{1,23}}. */
  public static boolean isValidUser(String name) {
    return name != null && name.length() >= 2 && name.length() <= 24 && isAsciiLetter(name.charAt(0))
        && nameChars(name, 1);
  }

  /** {@code #[A-Za-z0-9_-]{1,32}}. */
  public static boolean isValidRoom(String room) {
    return room != null && room.length() >= 2 && room.length() <= 33 && room.charAt(0) == '#' && nameChars(room, 1);
  }

  private static boolean nameChars(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /** The case-insensitive key of a user name. */
  public static String userKey(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  /** The canonical form of a room name (lower case). */
  public static String roomKey(String room) {
    return room.toLowerCase(Locale.ROOT);
  }

  /** The conversation id of the private conversation between two users, independent of order. */
  public static String directConversation(String userA, String userB) {
    String a = userKey(userA);
    String b = userKey(userB);
    return a.compareTo(b) <= 0 ? "@" + a + "," + b : "@" + b + "," + a;
  }

  public static boolean isDirectConversation(String conv) {
    return conv != null && conv.startsWith("@") && conv.indexOf(',') > 0;
  }

  /** Given a direct conversation id and one participant, the other participant's key. */
  public static String otherParticipant(String conv, String userKey) {
    int comma = conv.indexOf(',');
    String a = conv.substring(1, comma);
    String b = conv.substring(comma + 1);
    return a.equals(userKey) ? b : a;
  }
}
