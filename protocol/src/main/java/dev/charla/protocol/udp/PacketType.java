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
  RESPONSE(0x13),
  /**
   * Peer to peer (direct connections): a probe sent to every UDP candidate of the peer at once, carrying a nonce
   * and, once the peer's nonce is known, the proof of the link's secret ({@code dev.charla.protocol.peer.PeerProbe}).
   */
  PEER_PROBE(0x14),
  /** Peer to peer: the requester picks this address (and the accepter confirms it); authenticated like a probe. */
  PEER_USE(0x15);

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
      case 0x14 -> PEER_PROBE;
      case 0x15 -> PEER_USE;
      default -> null;
    };
  }
}
