package dev.charla.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The stable error codes of the wire protocol. The wire form ({@link #wire()}) never changes once published;
 * messages that accompany a code are for people and may change.
 */
public enum ErrorCode {
  /** The frame is not a JSON object. The connection stays usable. */
  BAD_JSON("bad_json", false),
  /** The frame is not valid UTF-8. The connection stays usable. */
  BAD_UTF8("bad_utf8", false),
  /** A field is missing, has the wrong type or an invalid value. */
  BAD_FRAME("bad_frame", false),
  /** The frame's {@code type} is not one this server knows. */
  UNKNOWN_TYPE("unknown_type", false),
  /** A frame (a TCP line or a reassembled UDP message) exceeds {@link Limits#MAX_FRAME_BYTES}. Closes. */
  FRAME_TOO_LARGE("frame_too_large", true),
  /** The client's protocol version is not supported. Closes. */
  UNSUPPORTED_VERSION("unsupported_version", true),
  /** A frame other than {@code hello} came first. */
  HELLO_REQUIRED("hello_required", false),
  /** The frame needs a logged-in session. */
  NOT_LOGGED_IN("not_logged_in", false),
  /** Login, register, guest or resume on a session that is already logged in. */
  ALREADY_LOGGED_IN("already_logged_in", false),
  /** The name breaks the naming rules (see PROTOCOL.md). */
  BAD_NAME("bad_name", false),
  /** The name belongs to an account or to a guest who is online. */
  NAME_TAKEN("name_taken", false),
  /** The password is too short or too long for registration. */
  BAD_PASSWORD("bad_password", false),
  /** Wrong name or password. Deliberately does not say which. */
  AUTH_FAILED("auth_failed", false),
  /** The resume token is unknown, expired or revoked. */
  BAD_TOKEN("bad_token", false),
  /** No such user (for a private message or history). */
  NO_SUCH_USER("no_such_user", false),
  /** No such room. */
  NO_SUCH_ROOM("no_such_room", false),
  /** The action needs membership of the room. */
  NOT_MEMBER("not_member", false),
  /** The message text is empty or longer than {@link Limits#MAX_TEXT_CHARS}. */
  BAD_TEXT("bad_text", false),
  /** The session sends faster than its flood limit allows; the frame was dropped. */
  RATE_LIMITED("rate_limited", false),
  /** Too many login or registration attempts from this address or for this name; retry later. */
  THROTTLED("throttled", false),
  /** This address holds too many connections. Closes. */
  TOO_MANY_CONNECTIONS("too_many_connections", true),
  /** The connection did not log in within the login timeout. Closes. */
  LOGIN_TIMEOUT("login_timeout", true),
  /** The session did not read its messages fast enough; its outbound queue overflowed. Closes. */
  SLOW_CONSUMER("slow_consumer", true),
  /** The server is at its session limit. Closes. */
  SERVER_FULL("server_full", true),
  /** The server is shutting down. Closes. */
  SHUTTING_DOWN("shutting_down", true),
  /** The frame is understood but not allowed here (for example a guest asking for offline delivery). */
  FORBIDDEN("forbidden", false),
  /** No file with that id (or not one you may see). */
  NO_SUCH_FILE("no_such_file", false),
  /** No transfer with that id on this session. */
  NO_SUCH_TRANSFER("no_such_transfer", false),
  /** The file is larger than the server's maximum file size. */
  FILE_TOO_LARGE("file_too_large", false),
  /** The upload would take the user over their quota. */
  QUOTA_EXCEEDED("quota_exceeded", false),
  /** The bytes received do not match the announced SHA-256; nothing was kept. */
  CHECKSUM_MISMATCH("checksum_mismatch", false),
  /** More bytes than announced, or a chunk at the wrong offset; the upload was discarded or refused. */
  SIZE_MISMATCH("size_mismatch", false),
  /**
   * The upload or file offer was removed by the server because it was left too long: an upload without a chunk
   * for the upload expiry, an offer neither accepted nor declined within the offer expiry. Nothing of it is kept.
   */
  EXPIRED("expired", false),
  /** A direct-connection link id that does not exist, has ended, or is not yours. */
  NO_SUCH_LINK("no_such_link", false),
  /** (Direct file transfers, between peers) the recipient declined the file. */
  DECLINED("declined", false),
  /** Something failed inside the server; the request may be retried. */
  INTERNAL("internal", false);

  private final String wire;
  private final boolean closes;

  ErrorCode(String wire, boolean closes) {
    this.wire = wire;
    this.closes = closes;
  }

  /** The code as it appears on the wire. */
  @JsonValue
  public String wire() {
    return wire;
  }

  /** Whether the server closes the connection after sending this error. */
  public boolean closes() {
    return closes;
  }

  public static ErrorCode fromWire(String wire) {
    for (ErrorCode c : values()) {
      if (c.wire.equals(wire)) {
        return c;
      }
    }
    return INTERNAL;
  }
}
