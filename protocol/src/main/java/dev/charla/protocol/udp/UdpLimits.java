package dev.charla.protocol.udp;

import dev.charla.protocol.Limits;

/** The fixed limits of the UDP datagram format; every peer enforces them the same way. */
public final class UdpLimits {
  /** First two bytes of every Charla datagram. */
  public static final byte MAGIC_0 = (byte) 0xCA;

  public static final byte MAGIC_1 = (byte) 0x1A;

  /** Datagram format version, byte 2. A peer drops datagrams of any other version. */
  public static final int DATAGRAM_VERSION = 1;

  /**
   * Largest UDP payload a peer sends or accepts. 1200 bytes fits the IPv6 minimum MTU (1280) minus IP and UDP
   * headers, so datagrams are never fragmented by IP on any path that carries IPv6 (the same choice as QUIC).
   */
  public static final int MAX_DATAGRAM_BYTES = 1200;

  /** Bytes before the packet number: magic (2), version (1), type (1), connection id (8). */
  public static final int FIXED_HEADER_BYTES = 12;

  /** Largest reassembled message: one Charla frame. */
  public static final int MAX_MESSAGE_BYTES = Limits.MAX_FRAME_BYTES;

  /** Most ranges one ACK chunk may carry (decoders reject more; senders report only the newest). */
  public static final int MAX_ACK_RANGES = 32;

  /** Longest reason in a CLOSE chunk, in UTF-8 bytes. */
  public static final int MAX_CLOSE_REASON_BYTES = 256;

  /** Largest value of a variable-length integer (2^62 - 1). */
  public static final long MAX_VARINT = (1L << 62) - 1;

  private UdpLimits() {}
}
