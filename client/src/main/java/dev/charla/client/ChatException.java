package dev.charla.client;

import dev.charla.protocol.ErrorCode;

/** A request failed: the server's stable error code and its message, or a connection problem. */
public final class ChatException extends RuntimeException {
  private final ErrorCode code;

  public ChatException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  /** The server's code; {@link ErrorCode#INTERNAL} for local failures such as a lost connection. */
  public ErrorCode code() {
    return code;
  }

  @Override
  public String toString() {
    return code.wire() + ": " + getMessage();
  }
}
