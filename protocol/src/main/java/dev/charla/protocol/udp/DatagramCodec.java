package dev.charla.protocol.udp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * Encodes {@link Packet}s to datagram payloads and decodes them back; knows bytes, nothing of sockets or timers.
 * The layout is in docs/PROTOCOL.md (section "UDP"). Stateless and thread-safe.
 *
 * <p>Decoding is strict because every datagram is untrusted input: a wrong magic or version, an unknown packet or
 * chunk type, a length that runs past the end, a fragment outside its message, an ack range below zero or a datagram
 * over {@link UdpLimits#MAX_DATAGRAM_BYTES} fails with a {@link MalformedDatagramException} saying what was wrong.
 * Integers are QUIC variable-length integers (RFC 9000, section 16): the two high bits of the first byte give the
 * length (1, 2, 4 or 8 bytes), the rest is the value, big-endian.
 */
public final class DatagramCodec {
  static final int CHUNK_PING = 0x01;
  static final int CHUNK_ACK = 0x02;
  static final int CHUNK_FRAGMENT = 0x03;
  static final int CHUNK_CLOSE = 0x04;

  private DatagramCodec() {}

  /** Encodes a packet; throws IllegalArgumentException if it would exceed {@link UdpLimits#MAX_DATAGRAM_BYTES}. */
  public static byte[] encode(Packet packet) {
    Writer w = new Writer();
    w.header(packet);
    switch (packet) {
      case Packet.Data d -> {
        for (Chunk c : d.chunks()) {
          w.chunk(c);
        }
      }
      case Packet.Control c -> w.bytes(c.payload());
    }
    return w.toByteArray();
  }

  /** Decodes one datagram payload. */
  public static Packet decode(byte[] datagram, int offset, int length) throws MalformedDatagramException {
    if (length > UdpLimits.MAX_DATAGRAM_BYTES) {
      throw new MalformedDatagramException(
          "datagram too large: " + length + " bytes (limit: " + UdpLimits.MAX_DATAGRAM_BYTES + ")");
    }
    Reader r = new Reader(datagram, offset, length);
    if (length < UdpLimits.FIXED_HEADER_BYTES) {
      throw new MalformedDatagramException("datagram too short for a header: " + length + " bytes");
    }
    if (r.u8() != (UdpLimits.MAGIC_0 & 0xFF) || r.u8() != (UdpLimits.MAGIC_1 & 0xFF)) {
      throw new MalformedDatagramException("not a Charla datagram (wrong magic)");
    }
    int version = r.u8();
    if (version != UdpLimits.DATAGRAM_VERSION) {
      throw new MalformedDatagramException(
          "unsupported datagram version " + version + " (supported: " + UdpLimits.DATAGRAM_VERSION + ")");
    }
    int typeByte = r.u8();
    PacketType type = PacketType.fromWire(typeByte);
    if (type == null) {
      throw new MalformedDatagramException("unknown packet type 0x" + Integer.toHexString(typeByte));
    }
    long connectionId = r.u64();
    if (type != PacketType.DATA) {
      return new Packet.Control(type, connectionId, r.rest());
    }
    long packetNumber = r.varint("packet number");
    List<Chunk> chunks = new ArrayList<>();
    while (r.remaining() > 0) {
      try {
        chunks.add(readChunk(r));
      } catch (IllegalArgumentException e) {
        // A record's own check caught what readChunk did not: still the peer's fault, never ours to throw.
        throw new MalformedDatagramException(e.getMessage());
      }
    }
    if (chunks.isEmpty()) {
      throw new MalformedDatagramException("data packet without chunks");
    }
    return new Packet.Data(connectionId, packetNumber, chunks);
  }

  /**
   * Reads only the connection id, so a transport can route a datagram without decoding it; empty if the datagram
   * is too short or lacks the magic. The rest is not checked: the connection's {@code receive} decodes it.
   */
  public static OptionalLong peekConnectionId(byte[] datagram, int offset, int length) {
    if (length < UdpLimits.FIXED_HEADER_BYTES
        || offset < 0
        || offset > datagram.length - length
        || datagram[offset] != UdpLimits.MAGIC_0
        || datagram[offset + 1] != UdpLimits.MAGIC_1) {
      return OptionalLong.empty();
    }
    long id = 0;
    for (int i = 4; i < 12; i++) {
      id = (id << 8) | (datagram[offset + i] & 0xFF);
    }
    return OptionalLong.of(id);
  }

  /** Bytes taken by a DATA packet's header with this packet number. */
  public static int dataHeaderSize(long packetNumber) {
    return UdpLimits.FIXED_HEADER_BYTES + varintSize(packetNumber);
  }

  /** Bytes a chunk takes when encoded. */
  public static int encodedSize(Chunk chunk) {
    return switch (chunk) {
      case Chunk.Ping p -> 1;
      case Chunk.Ack a -> {
        List<Chunk.Range> ranges = a.ranges();
        Chunk.Range first = ranges.get(0);
        int size = 1 + varintSize(first.largest()) + varintSize(a.ackDelayMicros())
            + varintSize(ranges.size() - 1) + varintSize(first.largest() - first.smallest());
        for (int i = 1; i < ranges.size(); i++) {
          Chunk.Range r = ranges.get(i);
          size += varintSize(ranges.get(i - 1).smallest() - r.largest() - 2) + varintSize(r.largest() - r.smallest());
        }
        yield size;
      }
      case Chunk.Fragment f -> fragmentHeaderSize(f.messageSeq(), f.totalLength(), f.offset(), f.data().length)
          + f.data().length;
      case Chunk.Close c -> {
        int reason = c.reason().getBytes(StandardCharsets.UTF_8).length;
        yield 1 + varintSize(c.code()) + varintSize(reason) + reason;
      }
    };
  }

  /** Bytes a FRAGMENT chunk takes before its data. */
  static int fragmentHeaderSize(long messageSeq, int totalLength, int offset, int dataLength) {
    return 1 + varintSize(messageSeq) + varintSize(totalLength) + varintSize(offset) + varintSize(dataLength);
  }

  /** Bytes a variable-length integer takes. */
  static int varintSize(long v) {
    if (v < 0 || v > UdpLimits.MAX_VARINT) {
      throw new IllegalArgumentException("varint out of range: " + v);
    }
    return v < (1 << 6) ? 1 : v < (1 << 14) ? 2 : v < (1L << 30) ? 4 : 8;
  }

  private static Chunk readChunk(Reader r) throws MalformedDatagramException {
    int type = r.u8();
    switch (type) {
      case CHUNK_PING:
        return new Chunk.Ping();
      case CHUNK_ACK: {
        long largest = r.varint("ack largest");
        long delay = r.varint("ack delay");
        long extraRanges = r.varint("ack range count");
        if (extraRanges >= UdpLimits.MAX_ACK_RANGES) {
          throw new MalformedDatagramException(
              "too many ack ranges: " + (extraRanges + 1) + " (limit: " + UdpLimits.MAX_ACK_RANGES + ")");
        }
        long smallest = largest - r.varint("first ack range");
        if (smallest < 0) {
          throw new MalformedDatagramException("ack range below packet number 0");
        }
        List<Chunk.Range> ranges = new ArrayList<>((int) extraRanges + 1);
        ranges.add(new Chunk.Range(smallest, largest));
        for (long i = 0; i < extraRanges; i++) {
          long gap = r.varint("ack gap");
          long length = r.varint("ack range length");
          largest = smallest - gap - 2;
          smallest = largest - length;
          if (largest < 0 || smallest < 0) {
            throw new MalformedDatagramException("ack range below packet number 0");
          }
          ranges.add(new Chunk.Range(smallest, largest));
        }
        return new Chunk.Ack(delay, ranges);
      }
      case CHUNK_FRAGMENT: {
        long seq = r.varint("message sequence");
        long total = r.varint("message length");
        long offset = r.varint("fragment offset");
        long length = r.varint("fragment length");
        if (total < 1 || total > UdpLimits.MAX_MESSAGE_BYTES) {
          throw new MalformedDatagramException(
              "message length " + total + " bytes (allowed: 1 to " + UdpLimits.MAX_MESSAGE_BYTES + ")");
        }
        if (length < 1 || offset + length > total) {
          throw new MalformedDatagramException(
              "fragment [" + offset + ", " + (offset + length) + ") outside message of " + total + " bytes");
        }
        return new Chunk.Fragment(seq, (int) total, (int) offset, r.bytes((int) length, "fragment data"));
      }
      case CHUNK_CLOSE: {
        long code = r.varint("close code");
        long length = r.varint("close reason length");
        if (length > UdpLimits.MAX_CLOSE_REASON_BYTES) {
          throw new MalformedDatagramException(
              "close reason too long: " + length + " bytes (limit: " + UdpLimits.MAX_CLOSE_REASON_BYTES + ")");
        }
        return new Chunk.Close(code, utf8(r.bytes((int) length, "close reason"), "close reason"));
      }
      default:
        throw new MalformedDatagramException("unknown chunk type 0x" + Integer.toHexString(type));
    }
  }

  private static String utf8(byte[] bytes, String field) throws MalformedDatagramException {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      // Strict, because replacing bad bytes with U+FFFD could lengthen the text past its limit.
      throw new MalformedDatagramException(field + " is not valid UTF-8");
    }
  }

  /** A cursor over one datagram; every read checks the bounds. */
  private static final class Reader {
    private final byte[] buf;
    private final int end;
    private int pos;

    Reader(byte[] buf, int offset, int length) throws MalformedDatagramException {
      if (offset < 0 || length < 0 || offset > buf.length - length) {
        throw new MalformedDatagramException("bad slice: offset " + offset + ", length " + length);
      }
      this.buf = buf;
      this.pos = offset;
      this.end = offset + length;
    }

    int remaining() {
      return end - pos;
    }

    int u8() throws MalformedDatagramException {
      if (pos >= end) {
        throw new MalformedDatagramException("truncated datagram");
      }
      return buf[pos++] & 0xFF;
    }

    long u64() throws MalformedDatagramException {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | u8();
      }
      return v;
    }

    long varint(String field) throws MalformedDatagramException {
      if (pos >= end) {
        throw new MalformedDatagramException("truncated datagram: " + field + " missing");
      }
      int first = buf[pos] & 0xFF;
      int length = 1 << (first >>> 6);
      if (remaining() < length) {
        throw new MalformedDatagramException("truncated datagram: " + field + " cut short");
      }
      long v = first & 0x3F;
      for (int i = 1; i < length; i++) {
        v = (v << 8) | (buf[pos + i] & 0xFF);
      }
      pos += length;
      return v;
    }

    byte[] bytes(int length, String field) throws MalformedDatagramException {
      if (length > remaining()) {
        throw new MalformedDatagramException(
            "truncated datagram: " + field + " needs " + length + " bytes, " + remaining() + " left");
      }
      byte[] out = Arrays.copyOfRange(buf, pos, pos + length);
      pos += length;
      return out;
    }

    byte[] rest() {
      byte[] out = Arrays.copyOfRange(buf, pos, end);
      pos = end;
      return out;
    }
  }

  /** Appends to a buffer of {@link UdpLimits#MAX_DATAGRAM_BYTES}; overflowing it is a caller bug. */
  private static final class Writer {
    private final byte[] buf = new byte[UdpLimits.MAX_DATAGRAM_BYTES];
    private int pos;

    void header(Packet packet) {
      u8(UdpLimits.MAGIC_0);
      u8(UdpLimits.MAGIC_1);
      u8(UdpLimits.DATAGRAM_VERSION);
      PacketType type = switch (packet) {
        case Packet.Data d -> PacketType.DATA;
        case Packet.Control c -> c.type();
      };
      u8(type.wire());
      long id = packet.connectionId();
      for (int shift = 56; shift >= 0; shift -= 8) {
        u8((int) (id >>> shift));
      }
      if (packet instanceof Packet.Data d) {
        varint(d.packetNumber());
      }
    }

    void chunk(Chunk chunk) {
      switch (chunk) {
        case Chunk.Ping p -> u8(CHUNK_PING);
        case Chunk.Ack a -> {
          List<Chunk.Range> ranges = a.ranges();
          Chunk.Range first = ranges.get(0);
          u8(CHUNK_ACK);
          varint(first.largest());
          varint(a.ackDelayMicros());
          varint(ranges.size() - 1);
          varint(first.largest() - first.smallest());
          for (int i = 1; i < ranges.size(); i++) {
            Chunk.Range r = ranges.get(i);
            varint(ranges.get(i - 1).smallest() - r.largest() - 2);
            varint(r.largest() - r.smallest());
          }
        }
        case Chunk.Fragment f -> {
          u8(CHUNK_FRAGMENT);
          varint(f.messageSeq());
          varint(f.totalLength());
          varint(f.offset());
          varint(f.data().length);
          bytes(f.data());
        }
        case Chunk.Close c -> {
          byte[] reason = c.reason().getBytes(StandardCharsets.UTF_8);
          u8(CHUNK_CLOSE);
          varint(c.code());
          varint(reason.length);
          bytes(reason);
        }
      }
    }

    void u8(int b) {
      ensure(1);
      buf[pos++] = (byte) b;
    }

    void varint(long v) {
      int length = varintSize(v);
      ensure(length);
      int prefix = Integer.numberOfTrailingZeros(length) << 6; // 1, 2, 4, 8 bytes -> 0b00, 0b01, 0b10, 0b11
      for (int i = length - 1; i >= 0; i--) {
        buf[pos + i] = (byte) v;
        v >>>= 8;
      }
      buf[pos] |= (byte) prefix;
      pos += length;
    }

    void bytes(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buf, pos, b.length);
      pos += b.length;
    }

    private void ensure(int n) {
      if (pos + n > buf.length) {
        throw new IllegalArgumentException("packet exceeds " + UdpLimits.MAX_DATAGRAM_BYTES + " bytes");
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, pos);
    }
  }
}
