package dev.charla.protocol;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Naming rules, shared by server and clients.
 *
 * <p>A user name is 2 to 24 characters: ASCII letters, digits, {@code _} and {@code -}, starting with a letter.
 * Names are unique without regard to case ({@code Ana} and {@code ana} are the same name); the spelling chosen
 * at registration is kept for display. A room name is {@code #} followed by 1 to 32 of the same characters and is
 * always lower case. A private conversation is named {@code @a,b}: the two user keys, sorted, after an {@code @}.
 */
public final class Names {
  private static final Pattern USER = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{1,23}");
  private static final Pattern ROOM = Pattern.compile("#[A-Za-z0-9_-]{1,32}");

  public static final String LOBBY = "#lobby";

  private Names() {}

  public static boolean isValidUser(String name) {
    return name != null && USER.matcher(name).matches();
  }

  public static boolean isValidRoom(String room) {
    return room != null && ROOM.matcher(room).matches();
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
