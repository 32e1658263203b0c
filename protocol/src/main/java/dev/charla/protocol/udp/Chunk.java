package dev.charla.protocol.udp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The units a {@link Packet.Data} carries, in the order they were written. (QUIC calls these frames; Charla uses
 * "frame" for its JSON frames, so here they are chunks, as in SCTP.) Constructors check the values the wire format
 * can hold, so a chunk that exists can be encoded.
 */
public sealed interface Chunk {

  /** Whether the receiver must acknowledge a packet carrying this chunk. Only ACK and CLOSE are not. */
  boolean ackEliciting();

  /** Asks for an acknowledgement and nothing else: used for keepalives and loss probes. */
  record Ping() implements Chunk {
    @Override
    public boolean ackEliciting() {
      return true;
    }
  }

  /**
   * Acknowledges the packet numbers in {@code ranges}, which are disjoint, not adjacent, and sorted from the
   * highest down (so {@code ranges.get(0).largest()} is the largest packet number acknowledged).
   *
   * @param ackDelayMicros how long the sender held the ack after receiving the largest packet, so the peer can
   *     subtract it from its RTT sample
   */
  record Ack(long ackDelayMicros, List<Range> ranges) implements Chunk {
    public Ack {
      ranges = List.copyOf(ranges);
      if (ranges.isEmpty() || ranges.size() > UdpLimits.MAX_ACK_RANGES) {
        throw new IllegalArgumentException(
            "ack ranges: " + ranges.size() + " (allowed: 1 to " + UdpLimits.MAX_ACK_RANGES + ")");
      }
      if (ackDelayMicros < 0 || ackDelayMicros > UdpLimits.MAX_VARINT) {
        throw new IllegalArgumentException("ack delay out of range: " + ackDelayMicros);
      }
      for (int i = 1; i < ranges.size(); i++) {
        // A gap of at least one unacknowledged number separates ranges; the wire format cannot express less.
        if (ranges.get(i).largest() >= ranges.get(i - 1).smallest() - 1) {
          throw new IllegalArgumentException("ack ranges overlap, touch or are not descending: " + ranges);
        }
      }
    }

    /** The largest packet number acknowledged. */
    public long largest() {
      return ranges.get(0).largest();
    }

    /** Whether {@code packetNumber} is inside one of the ranges. */
    public boolean acknowledges(long packetNumber) {
      for (Range r : ranges) {
        if (packetNumber >= r.smallest() && packetNumber <= r.largest()) {
          return true;
        }
      }
      return false;
    }

    @Override
    public boolean ackEliciting() {
      return false;
    }
  }

  /** An inclusive range of packet numbers. */
  record Range(long smallest, long largest) {
    public Range {
      if (smallest < 0 || smallest > largest || largest > UdpLimits.MAX_VARINT) {
        throw new IllegalArgumentException("bad packet number range: " + smallest + ".." + largest);
      }
    }
  }

  /**
   * Bytes {@code [offset, offset + data.length)} of message number {@code messageSeq}, which is {@code
   * totalLength} bytes long. A message small enough travels as one fragment with offset 0.
   */
  record Fragment(long messageSeq, int totalLength, int offset, byte[] data) implements Chunk {
    public Fragment {
      if (messageSeq < 0 || messageSeq > UdpLimits.MAX_VARINT) {
        throw new IllegalArgumentException("message sequence out of range: " + messageSeq);
      }
      if (totalLength < 1 || totalLength > UdpLimits.MAX_MESSAGE_BYTES) {
        throw new IllegalArgumentException(
            "message length " + totalLength + " bytes (allowed: 1 to " + UdpLimits.MAX_MESSAGE_BYTES + ")");
      }
      if (offset < 0 || data.length == 0 || (long) offset + data.length > totalLength) {
        throw new IllegalArgumentException(
            "fragment [" + offset + ", " + (offset + data.length) + ") outside message of " + totalLength + " bytes");
      }
    }

    @Override
    public boolean ackEliciting() {
      return true;
    }

    // Records compare arrays by identity; a fragment is a value, so compare its bytes.
    @Override
    public boolean equals(Object o) {
      return o instanceof Fragment f
          && f.messageSeq == messageSeq
          && f.totalLength == totalLength
          && f.offset == offset
          && Arrays.equals(f.data, data);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(messageSeq) * 31 + offset * 17 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "Fragment[seq=" + messageSeq + ", total=" + totalLength + ", offset=" + offset + ", length="
          + data.length + "]";
    }
  }

  /**
   * Ends the connection. Not acknowledged and not retransmitted: a peer that misses it finds out by idle timeout.
   *
   * @param code 0 for a normal close; other values are for the layer above (the transport may use them)
   * @param reason for people, at most {@link UdpLimits#MAX_CLOSE_REASON_BYTES} bytes of UTF-8
   */
  record Close(long code, String reason) implements Chunk {
    public Close {
      if (code < 0 || code > UdpLimits.MAX_VARINT) {
        throw new IllegalArgumentException("close code out of range: " + code);
      }
      int bytes = reason.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > UdpLimits.MAX_CLOSE_REASON_BYTES) {
        throw new IllegalArgumentException(
            "close reason too long: " + bytes + " bytes (limit: " + UdpLimits.MAX_CLOSE_REASON_BYTES + ")");
      }
    }

    @Override
    public boolean ackEliciting() {
      return false;
    }
  }
}
