package dev.charla.protocol;

/** A frame could not be decoded or is not acceptable; carries the stable code to report to the peer. */
public final class ProtocolException extends Exception {
  private final ErrorCode code;

  public ProtocolException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
