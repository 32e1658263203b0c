package dev.charla.terminal;

import dev.charla.client.ChatException;
import dev.charla.client.ConnectionState;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.Names;
import dev.charla.protocol.ServerFrame;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Renders what the terminal shows as plain lines. Pure apart from the injected clock, which decides whether a
 * timestamp needs its date.
 *
 * <p>Line kinds, by their first characters: {@code [12:03]} a message, {@code --} something that happened in a
 * conversation, {@code **} about the connection or the user, {@code !!} an error with its stable code.
 */
final class ChatFormatter {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
  private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

  private final Clock clock;

  /** @param clock supplies "today" and the zone timestamps are shown in */
  ChatFormatter(Clock clock) {
    this.clock = clock;
  }

  /** {@code [12:03] #lobby <ana> hola}, or for a private message {@code [12:03] <ana → you> hi}. */
  String message(ServerFrame.Msg m, String me) {
    String stamp = "[" + timestamp(m.ts()) + "] ";
    // TCP is the norm; a message sent over UDP says so, as the original system's window did.
    String via = "udp".equals(m.via()) ? "  (udp)" : "";
    if (isPrivate(m)) {
      return stamp + "<" + self(m.from(), me) + " → " + self(m.to(), me) + "> " + m.text() + via;
    }
    return stamp + m.to() + " <" + m.from() + "> " + m.text() + via;
  }

  /** {@code 12:03} today, with the date otherwise, in the clock's zone. */
  String timestamp(long epochMillis) {
    ZoneId zone = clock.getZone();
    ZonedDateTime at = Instant.ofEpochMilli(epochMillis).atZone(zone);
    boolean today = at.toLocalDate().equals(LocalDate.now(clock));
    return (today ? TIME : DATE_TIME).format(at);
  }

  /** {@code -- bob joined #lobby}; also {@code left}, and presence ({@code online}, {@code offline}) per room. */
  String roomEvent(ServerFrame.RoomEvent e) {
    return switch (e.event()) {
      case "join" -> "-- " + e.user() + " joined " + e.room();
      case "leave" -> "-- " + e.user() + " left " + e.room();
      case "online" -> "-- " + e.user() + " is online (" + e.room() + ")";
      case "offline" -> "-- " + e.user() + " went offline (" + e.room() + ")";
      default -> "-- " + e.user() + " " + e.event() + " " + e.room();
    };
  }

  String topic(ServerFrame.TopicSet t) {
    String by = t.by() == null ? "" : t.by() + " set ";
    return "-- " + by + "topic of " + t.room() + ": " + (t.topic() == null || t.topic().isEmpty() ? "(none)" : t.topic());
  }

  /** What a {@code joined} reply looks like: the room, its topic and who is there. Its recent messages follow. */
  String joined(ServerFrame.Joined j) {
    ServerFrame.RoomInfo r = j.room();
    String topic = r.topic() == null || r.topic().isEmpty() ? "" : " — " + r.topic();
    return "-- you are in " + r.name() + topic + " (" + members(j.members()) + ")";
  }

  private static String members(List<String> members) {
    return members.size() + (members.size() == 1 ? " member: " : " members: ") + String.join(", ", members);
  }

  String room(ServerFrame.RoomInfo r) {
    String topic = r.topic() == null || r.topic().isEmpty() ? "" : "  " + r.topic();
    return String.format(Locale.ROOT, "   %-20s %3d %s%s", r.name(), r.members(), r.members() == 1 ? "member " : "members", topic);
  }

  /** One session, as in /users: name, guest flag, address, transport, client label. */
  String session(ServerFrame.SessionInfo s) {
    return String.format(
        Locale.ROOT,
        "   %-24s %-6s %-22s %-4s %s",
        s.name(),
        s.guest() ? "guest" : "",
        address(s),
        s.transport() == null ? "?" : s.transport(),
        s.client() == null ? "" : s.client());
  }

  /** Who you are: {@code ** you are ana (127.0.0.1:50412 via tcp, charla-term/0.1)}. */
  String identity(ServerFrame.SessionInfo s) {
    return "** you are "
        + s.name()
        + (s.guest() ? " (guest)" : "")
        + " ("
        + address(s)
        + " via "
        + (s.transport() == null ? "?" : s.transport())
        + (s.client() == null ? "" : ", " + s.client())
        + ")";
  }

  private static String address(ServerFrame.SessionInfo s) {
    if (s.ip() == null) {
      return "(address hidden)";
    }
    String ip = s.ip().contains(":") ? "[" + s.ip() + "]" : s.ip();
    return s.port() == null ? ip : ip + ":" + s.port();
  }

  /** Connection changes worth telling the user about, or null for those that are not. */
  String state(ConnectionState previous, ConnectionState now, String detail) {
    return switch (now) {
      case RECONNECTING -> previous == ConnectionState.RECONNECTING ? null : "** connection lost, reconnecting… (" + detail + ")";
      case LOGGED_IN -> previous == ConnectionState.RECONNECTING ? "** reconnected" : null;
      case CLOSED -> "** disconnected: " + detail;
      case CONNECTING, CONNECTED -> null;
    };
  }

  /** {@code !! name_taken: ...}, unwrapping the future's wrapper exceptions. */
  String error(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof ChatException ce) {
      return "!! " + ce.code().wire() + ": " + ce.getMessage();
    }
    return "!! " + ErrorCode.INTERNAL.wire() + ": " + cause;
  }

  /** A problem found on this side (bad input, wrong context); no code because the server was not asked. */
  String problem(String message) {
    return "!! " + message;
  }

  String note(String text) {
    return "-- " + text;
  }

  static boolean isPrivate(ServerFrame.Msg m) {
    return Names.isDirectConversation(m.conv()) || (m.to() != null && !m.to().startsWith("#"));
  }

  private static String self(String name, String me) {
    return me != null && Names.userKey(name).equals(Names.userKey(me)) ? "you" : name;
  }
}
