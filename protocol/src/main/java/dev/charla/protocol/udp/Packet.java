package dev.charla.protocol.udp;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** One decoded datagram: either reliable traffic for a connection or a handshake control packet. */
public sealed interface Packet {

  /** The connection this datagram belongs to (bytes 4 to 11). */
  long connectionId();

  /**
   * A {@link PacketType#DATA} packet. Packet numbers count up from 0 per direction and are never reused: a
   * retransmitted fragment travels in a new packet with a new number, so every acknowledgement is unambiguous.
   */
  record Data(long connectionId, long packetNumber, List<Chunk> chunks) implements Packet {
    public Data {
      chunks = List.copyOf(chunks);
      if (packetNumber < 0 || packetNumber > UdpLimits.MAX_VARINT) {
        throw new IllegalArgumentException("packet number out of range: " + packetNumber);
      }
      if (chunks.isEmpty()) {
        throw new IllegalArgumentException("a data packet carries at least one chunk");
      }
    }

    /** Whether the receiver must acknowledge this packet. */
    public boolean ackEliciting() {
      for (Chunk c : chunks) {
        if (c.ackEliciting()) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * A handshake packet ({@link PacketType#HELLO}, {@link PacketType#COOKIE}, {@link PacketType#CHALLENGE} or
   * {@link PacketType#RESPONSE}) whose payload this package does not interpret; the transport does.
   */
  record Control(PacketType type, long connectionId, byte[] payload) implements Packet {
    public Control {
      if (type == PacketType.DATA) {
        throw new IllegalArgumentException("DATA is not a control packet type");
      }
      if (payload.length > UdpLimits.MAX_DATAGRAM_BYTES - UdpLimits.FIXED_HEADER_BYTES) {
        throw new IllegalArgumentException(
            "control payload too large: " + payload.length + " bytes (limit: "
                + (UdpLimits.MAX_DATAGRAM_BYTES - UdpLimits.FIXED_HEADER_BYTES) + ")");
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Control c
          && c.type == type
          && c.connectionId == connectionId
          && Arrays.equals(c.payload, payload);
    }

    @Override
    public int hashCode() {
      return type.hashCode() * 31 + Long.hashCode(connectionId) * 17 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
      return "Control[type=" + type + ", connectionId=" + HexFormat.of().toHexDigits(connectionId)
          + ", payload=" + payload.length + " bytes]";
    }
  }
}
