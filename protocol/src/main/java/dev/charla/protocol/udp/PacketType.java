package dev.charla.protocol.udp;

/**
 * The packet type, byte 3 of every datagram. {@link #DATA} carries chunks for a {@link ReliableConnection}; the
 * others are control packets whose payload is opaque to this package and belongs to the transport's handshake
 * (see docs/PROTOCOL.md (section "UDP"), "Handshake"). Values are on the wire: never renumber them.
 */
public enum PacketType {
  /** Reliable traffic: a packet number, then chunks (ACK, PING, FRAGMENT, CLOSE). */
  DATA(0x01),
  /** Client to server: asks for a connection; padded to the full datagram size; may echo a cookie. */
  HELLO(0x10),
  /** Server to client: a stateless cookie the client must echo in its next HELLO. */
  COOKIE(0x11),
  /** Server to a new client address: random bytes the client must echo to prove it owns the address. */
  CHALLENGE(0x12),
  /** Client to server: the echoed challenge bytes. */
  RESPONSE(0x13);

  private final int wire;

  PacketType(int wire) {
    this.wire = wire;
  }

  /** The byte value on the wire. */
  public int wire() {
    return wire;
  }

  /** The type for a wire byte, or null if the byte names no known type. */
  static PacketType fromWire(int b) {
    return switch (b) {
      case 0x01 -> DATA;
      case 0x10 -> HELLO;
      case 0x11 -> COOKIE;
      case 0x12 -> CHALLENGE;
      case 0x13 -> RESPONSE;
      default -> null;
    };
  }
}
