package dev.charla.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/** Frames the server sends. Replies to a request carry its id as {@code re}; others have no {@code re}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(ServerFrame.Welcome.class),
  @JsonSubTypes.Type(ServerFrame.LoggedIn.class),
  @JsonSubTypes.Type(ServerFrame.Ok.class),
  @JsonSubTypes.Type(ServerFrame.Stored.class),
  @JsonSubTypes.Type(ServerFrame.Msg.class),
  @JsonSubTypes.Type(ServerFrame.Joined.class),
  @JsonSubTypes.Type(ServerFrame.RoomList.class),
  @JsonSubTypes.Type(ServerFrame.Users.class),
  @JsonSubTypes.Type(ServerFrame.Identity.class),
  @JsonSubTypes.Type(ServerFrame.HistoryPage.class),
  @JsonSubTypes.Type(ServerFrame.RoomEvent.class),
  @JsonSubTypes.Type(ServerFrame.TopicSet.class),
  @JsonSubTypes.Type(ServerFrame.Error.class),
  @JsonSubTypes.Type(ServerFrame.Pong.class),
  @JsonSubTypes.Type(ServerFrame.Bye.class),
})
public sealed interface ServerFrame {

  /** Reply to hello: the version chosen, the server's name and its limits. */
  @JsonTypeName("welcome")
  record Welcome(int v, String server, ServerLimits limits) implements ServerFrame {}

  /** The limits a client must respect; sent in welcome so clients need not hard-code them. */
  record ServerLimits(
      int maxFrameBytes, int maxTextChars, int messagesPerSecond, int messageBurst, int loginTimeoutSeconds) {}

  /** Reply to register, login, guest and resume: who you are, your resume token, the rooms you are in. */
  @JsonTypeName("logged_in")
  record LoggedIn(String re, SessionInfo you, String token, long tokenExpires, List<RoomInfo> rooms)
      implements ServerFrame {}

  /** Generic success reply (logout, leave, topic, received, quit). */
  @JsonTypeName("ok")
  record Ok(String re) implements ServerFrame {}

  /** Reply to send: the message is committed to the store. */
  @JsonTypeName("stored")
  record Stored(String re, long sid, String conv, long seq, long ts, String cmid) implements ServerFrame {}

  /**
   * A chat message. {@code sid} is the server-wide id, {@code seq} the position within {@code conv} (gap-free,
   * from 1). {@code to} is the room, or the recipient's name for a private message. {@code via} names the
   * transport the sender used. {@code pending} is true for a message stored while the recipient was offline;
   * acknowledge those with {@code received}.
   */
  @JsonTypeName("msg")
  record Msg(
      long sid,
      String conv,
      long seq,
      String from,
      String to,
      long ts,
      String text,
      String via,
      String cmid,
      Boolean pending)
      implements ServerFrame {
    public Msg withPending() {
      return new Msg(sid, conv, seq, from, to, ts, text, via, cmid, Boolean.TRUE);
    }
  }

  /** Reply to join: the room, its members, and its latest messages (oldest first). */
  @JsonTypeName("joined")
  record Joined(String re, RoomInfo room, List<String> members, List<Msg> recent) implements ServerFrame {}

  /** Reply to rooms. {@code truncated} is true if the list was cut to fit in one frame. */
  @JsonTypeName("room_list")
  record RoomList(String re, List<RoomInfo> rooms, Boolean truncated) implements ServerFrame {}

  /**
   * Reply to who: one entry per session online. Addresses are null where the server's policy hides them.
   * {@code truncated} is true if the list was cut to fit in one frame.
   */
  @JsonTypeName("users")
  record Users(String re, List<SessionInfo> sessions, Boolean truncated) implements ServerFrame {}

  /** Reply to whoami. */
  @JsonTypeName("identity")
  record Identity(String re, SessionInfo you) implements ServerFrame {}

  /** Reply to history: messages oldest first; {@code more} says whether older (or newer) ones remain. */
  @JsonTypeName("history_page")
  record HistoryPage(String re, String conv, List<Msg> messages, boolean more) implements ServerFrame {}

  /**
   * Something happened to a member of a room you are in: {@code join} or {@code leave} (membership changed),
   * {@code online} or {@code offline} (a member came online or their last session ended).
   */
  @JsonTypeName("room_event")
  record RoomEvent(String room, String user, String event) implements ServerFrame {}

  /** A room's topic changed. */
  @JsonTypeName("topic_set")
  record TopicSet(String re, String room, String topic, String by) implements ServerFrame {}

  @JsonTypeName("error")
  record Error(String re, ErrorCode code, String message) implements ServerFrame {}

  @JsonTypeName("pong")
  record Pong(String re) implements ServerFrame {}

  /** The server is closing this connection (shutdown, logout, quit). */
  @JsonTypeName("bye")
  record Bye(String reason) implements ServerFrame {}

  /** One session: the user's name, whether a guest, address, transport, client label, and login time. */
  record SessionInfo(
      String name, boolean guest, String ip, Integer port, String transport, String client, long since) {}

  /**
   * A room: name, topic, number of members online, and the seq of its latest message (0 if none), from which a
   * client that reconnects catches up.
   */
  record RoomInfo(String name, String topic, int members, long lastSeq) {}
}
