package dev.charla.protocol.udp;

/** A datagram could not be decoded; the message says what was wrong. Receivers drop such datagrams and count them. */
public final class MalformedDatagramException extends Exception {
  public MalformedDatagramException(String message) {
    super(message, null, false, false);
  }
}
