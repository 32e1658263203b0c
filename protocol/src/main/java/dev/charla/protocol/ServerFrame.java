package dev.charla.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
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
  @JsonSubTypes.Type(ServerFrame.FileList.class),
  @JsonSubTypes.Type(ServerFrame.UploadReady.class),
  @JsonSubTypes.Type(ServerFrame.DownloadReady.class),
  @JsonSubTypes.Type(ServerFrame.Chunk.class),
  @JsonSubTypes.Type(ServerFrame.Ack.class),
  @JsonSubTypes.Type(ServerFrame.TransferDone.class),
  @JsonSubTypes.Type(ServerFrame.TransferFailed.class),
  @JsonSubTypes.Type(ServerFrame.FileOffer.class),
  @JsonSubTypes.Type(ServerFrame.DirectPending.class),
  @JsonSubTypes.Type(ServerFrame.DirectRequest.class),
  @JsonSubTypes.Type(ServerFrame.DirectReady.class),
  @JsonSubTypes.Type(ServerFrame.DirectDeclined.class),
  @JsonSubTypes.Type(ServerFrame.DirectMsg.class),
  @JsonSubTypes.Type(ServerFrame.DirectClosed.class),
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

  // ---- files (docs/PROTOCOL.md, "Files") ----

  /**
   * A stored file: server-generated {@code id}, the name given at upload (display only, never a path), size,
   * SHA-256 (hex), the uploader, the time it was stored, and for a file offered to a user, that user ({@code to}).
   */
  record FileInfo(String id, String name, long size, String sha256, String owner, long created, String to) {}

  /**
   * Reply to files: the shared area, the caller's use of their quota, and the server's file limits.
   * {@code truncated} is true if the list was cut to fit in one frame.
   */
  @JsonTypeName("file_list")
  record FileList(
      String re, List<FileInfo> files, long usedBytes, long quotaBytes, long maxFileBytes, Boolean truncated)
      implements ServerFrame {}

  /** Reply to put and offer: send chunks of transfer {@code xfer} from {@code offset}. */
  @JsonTypeName("upload_ready")
  record UploadReady(String re, String xfer, long offset, int chunkBytes, int window) implements ServerFrame {}

  /** Reply to get: chunks of {@code file} from {@code offset} follow as transfer {@code xfer}. */
  @JsonTypeName("download_ready")
  record DownloadReady(String re, String xfer, FileInfo file, long offset, int chunkBytes, int window)
      implements ServerFrame {}

  /** Bytes of a download at {@code offset}; acknowledge them with {@code ack}. */
  @JsonTypeName("chunk")
  record Chunk(String xfer, long offset, @JsonSerialize(using = Base64Bytes.Serializer.class) @JsonDeserialize(using = Base64Bytes.Deserializer.class) byte[] data) implements ServerFrame {
    @Override
    public String toString() {
      return "Chunk[xfer=" + xfer + ", offset=" + offset + ", " + data.length + " bytes]";
    }
  }

  /** The server has written an upload's bytes below {@code next}. */
  @JsonTypeName("ack")
  record Ack(String xfer, long next) implements ServerFrame {}

  /** An upload is complete, verified against its SHA-256, and stored as {@code file}. */
  @JsonTypeName("transfer_done")
  record TransferDone(String xfer, FileInfo file) implements ServerFrame {}

  /** A transfer ended without success; {@code code} says why (for example {@code checksum_mismatch}). */
  @JsonTypeName("transfer_failed")
  record TransferFailed(String xfer, ErrorCode code, String message) implements ServerFrame {}

  /** Someone offers you a file: download it with get (then rm it), or decline it with rm. */
  @JsonTypeName("file_offer")
  record FileOffer(FileInfo file) implements ServerFrame {}

  // ---- direct connections (docs/PROTOCOL.md, "Direct connections") ----

  /** Reply to {@code direct}: the request is waiting for {@code to}'s answer under id {@code link}. */
  @JsonTypeName("direct_pending")
  record DirectPending(String re, String link, String to) implements ServerFrame {}

  /** {@code from} asks you for a direct connection: answer with {@code direct_accept} or {@code direct_decline}. */
  @JsonTypeName("direct_request")
  record DirectRequest(String link, String from) implements ServerFrame {}

  /**
   * Both sides agreed: connect to the {@code peer}'s {@code candidates} (those it reported, then the address the
   * server sees for it) while accepting its connections, and authenticate with {@code secret} (base64, 32 random
   * bytes, for this link only). {@code role} is {@code a} for the requester, {@code b} for the accepter. Sent to
   * both; to the accepter it is the reply to {@code direct_accept}. {@code udp} lists the peer's UDP candidates
   * the same way (empty if it reported none): probe them all at once (docs/PROTOCOL.md, "UDP paths").
   */
  @JsonTypeName("direct_ready")
  record DirectReady(String re, String link, String peer, String role, String secret, List<String> candidates,
      List<String> udp) implements ServerFrame {
    public DirectReady {
      candidates = candidates == null ? List.of() : List.copyOf(candidates);
      udp = udp == null ? List.of() : List.copyOf(udp);
    }

    /** TCP candidates only. */
    public DirectReady(String re, String link, String peer, String role, String secret, List<String> candidates) {
      this(re, link, peer, role, secret, candidates, null);
    }

    @Override
    public String toString() {
      return "DirectReady[link=" + link + ", peer=" + peer + ", role=" + role + ", secret=<redacted>, candidates="
          + candidates + ", udp=" + udp + "]";
    }
  }

  /** {@code peer} declined your request {@code link}. */
  @JsonTypeName("direct_declined")
  record DirectDeclined(String link, String peer) implements ServerFrame {}

  /** A relayed message of direct conversation {@code link} (the direct path did not work). Never stored. */
  @JsonTypeName("direct_msg")
  record DirectMsg(String link, String from, String text) implements ServerFrame {}

  /** Direct conversation {@code link} ended: the other side closed it or went offline. */
  @JsonTypeName("direct_closed")
  record DirectClosed(String link, String reason) implements ServerFrame {}
}
