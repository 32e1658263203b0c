package dev.charla.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.charla.protocol.Cmids;
import io.netty.buffer.ByteBuf;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The few frames the generator sends, pre-encoded by hand, and a tiny scanner for the fields it reads back.
 *
 * <p>Full JSON parsing of every delivery would make the generator, not the server, the bottleneck: at a million
 * deliveries a second the generator reads only {@code type}, {@code seq} and the send time it embedded in
 * {@code text}. The scanner relies on what the server's codec guarantees: compact JSON, {@code type} first.
 */
final class Wire {
  private Wire() {}

  enum Type { MSG, STORED, LOGGED_IN, WELCOME, JOINED, PONG, ERROR, OTHER }

  private static final byte[] SEQ = "\"seq\":".getBytes(UTF_8);
  private static final byte[] TEXT = "\"text\":\"".getBytes(UTF_8);
  private static final byte[] TYPE_PREFIX = "{\"type\":\"".getBytes(UTF_8);

  static byte[] hello() {
    return line("{\"type\":\"hello\",\"v\":1,\"client\":\"charla-bench\"}");
  }

  static byte[] guest(String name) {
    return line("{\"type\":\"guest\",\"id\":\"g\",\"name\":\"" + name + "\"}");
  }

  static byte[] resume(String token) {
    return line("{\"type\":\"resume\",\"id\":\"r\",\"token\":\"" + token + "\"}");
  }

  static byte[] join(String room) {
    return line("{\"type\":\"join\",\"id\":\"j\",\"room\":\"" + room + "\"}");
  }

  static byte[] ping() {
    return line("{\"type\":\"ping\",\"id\":\"p\"}");
  }

  /** How the generator makes client message ids; see {@link #cmid}. */
  enum CmidStyle { ORDERED, RANDOM, NONE }

  /** Set once by the command line, before any load. */
  static volatile CmidStyle cmids = CmidStyle.ORDERED;
  private static final AtomicLong CMID_COUNTER = new AtomicLong();

  /** A send whose text starts with the send time in nanoseconds, so a receiver in this process can time it. */
  static byte[] send(String to, long sentNanos) {
    return line("{\"type\":\"send\",\"to\":\"" + to + "\"" + cmid() + ",\"text\":\"t" + sentNanos
        + " charla bench payload\"}");
  }

  /**
   * The {@code cmid} member, with its leading comma, or nothing. ORDERED is what the client library sends (the
   * time in base 36, then something unique; here a counter instead of random bytes); RANDOM is what a client that
   * draws its ids at random sends, each one a write at a random place in the server's cmid index; NONE is a
   * client that never retries (the figures of sessions 2 to 6 before this option).
   */
  private static String cmid() {
    return switch (cmids) {
      case ORDERED ->
          ",\"cmid\":\"" + Cmids.of(System.currentTimeMillis(), Long.toString(CMID_COUNTER.incrementAndGet())) + "\"";
      case RANDOM -> ",\"cmid\":\"" + UUID.randomUUID() + "\"";
      case NONE -> "";
    };
  }

  /** Like {@link #send(String, long)}, with the text padded to exactly {@code textBytes} ASCII characters. */
  static byte[] send(String to, long sentNanos, int textBytes) {
    StringBuilder text = new StringBuilder(textBytes).append('t').append(sentNanos).append(' ');
    while (text.length() < textBytes) {
      text.append('x');
    }
    return line("{\"type\":\"send\",\"to\":\"" + to + "\"" + cmid() + ",\"text\":\"" + text + "\"}");
  }

  private static byte[] line(String json) {
    return (json + "\n").getBytes(UTF_8);
  }

  /** The frame's type; {@code line} is one frame without its newline. */
  static Type type(ByteBuf line) {
    byte[] a = bytes(line);
    int r = line.arrayOffset() + line.readerIndex();
    int p = r + TYPE_PREFIX.length;
    if (line.arrayOffset() + line.writerIndex() < p + 2 || !matches(a, r, TYPE_PREFIX)) {
      return Type.OTHER;
    }
    byte first = a[p];
    byte second = a[p + 1];
    return switch (first) {
      case 'm' -> Type.MSG;
      case 's' -> second == 't' ? Type.STORED : Type.OTHER;
      case 'l' -> Type.LOGGED_IN;
      case 'w' -> Type.WELCOME;
      case 'j' -> Type.JOINED;
      case 'p' -> Type.PONG;
      case 'e' -> Type.ERROR;
      default -> Type.OTHER;
    };
  }

  /** The {@code seq} field of a msg or stored frame, or -1. */
  static long seq(ByteBuf line) {
    int i = find(line, SEQ);
    return i < 0 ? -1 : parseLong(line, i);
  }

  /** The send time embedded by {@link #send}, or -1 when the text does not carry one. */
  static long sentNanos(ByteBuf line) {
    int i = find(line, TEXT);
    if (i < 0 || bytes(line)[line.arrayOffset() + i] != 't') {
      return -1;
    }
    return parseLong(line, i + 1);
  }

  /** A string field's value (no escapes expected: tokens, names), or null. */
  static String string(ByteBuf line, String field) {
    byte[] key = ("\"" + field + "\":\"").getBytes(UTF_8);
    int i = find(line, key);
    if (i < 0) {
      return null;
    }
    int end = line.indexOf(i, line.writerIndex(), (byte) '"');
    return end < 0 ? null : line.toString(i, end - i, UTF_8);
  }

  /**
   * Index (in the buffer's own indices) just past the first occurrence of {@code key}, or -1. Scans the backing
   * array for the key's rarest byte (not its leading quote, which a JSON line is full of), eight bytes at a time,
   * and checks the whole key only there: this runs for every delivery, and it was the generator's largest cost.
   */
  static int find(ByteBuf line, byte[] key) {
    byte[] a = bytes(line);
    int off = line.arrayOffset();
    int anchor = anchorOf(key);
    int first = off + line.readerIndex();
    int last = off + line.writerIndex() - key.length; // the last index a match may start at
    for (int q = first + anchor; q <= last + anchor; q++) {
      q = indexOf(a, q, last + anchor + 1, key[anchor]);
      if (q < 0) {
        return -1;
      }
      if (matches(a, q - anchor, key)) {
        return q - anchor - off + key.length;
      }
    }
    return -1;
  }

  /** The position in {@code key} of a byte that is rare in the server's frames: a letter, not a quote or colon. */
  private static int anchorOf(byte[] key) {
    for (int i = key.length - 1; i >= 0; i--) {
      byte b = key[i];
      if (b == 'q' || b == 'x' || b == 'k') {
        return i;
      }
    }
    return 0;
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  /**
   * The index of the first {@code b} in {@code a[from, to)}, or -1; eight bytes per step (the "has a zero byte"
   * trick on the bytes XOR b), since the generator scans every byte the server sends.
   */
  static int indexOf(byte[] a, int from, int to, byte b) {
    long pattern = (b & 0xFFL) * 0x0101010101010101L;
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long v = (long) LONGS.get(a, i) ^ pattern;
      long found = (v - 0x0101010101010101L) & ~v & 0x8080808080808080L;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** The heap array behind {@code line}: the generator only hands over heap buffers (see LoadClient.TcpConn). */
  private static byte[] bytes(ByteBuf line) {
    if (!line.hasArray()) {
      throw new IllegalArgumentException("the scanner reads heap buffers only");
    }
    return line.array();
  }

  private static boolean matches(byte[] a, int at, byte[] key) {
    for (int k = 0; k < key.length; k++) {
      if (a[at + k] != key[k]) {
        return false;
      }
    }
    return true;
  }

  // ---- IRC (the baseline servers' protocol; see IrcLatencyScenario) ----

  private static final byte[] IRC_PRIVMSG = " PRIVMSG ".getBytes(UTF_8);
  private static final byte[] IRC_TRAILING_T = " :t".getBytes(UTF_8);

  /** {@code PRIVMSG target :t<sentNanos> charla bench payload}, CR LF ended. */
  static byte[] ircPrivmsg(String target, long sentNanos) {
    return ("PRIVMSG " + target + " :t" + sentNanos + " charla bench payload\r\n").getBytes(UTF_8);
  }

  /**
   * The send time carried by an IRC {@code PRIVMSG} line ({@code :nick!user@host PRIVMSG #room :t<nanos> ...}), or
   * -1 if the line is something else. The first {@code " :"} starts the trailing parameter: the line's own prefix
   * starts with a colon but is not preceded by a space.
   */
  static long ircSentNanos(ByteBuf line) {
    int p = find(line, IRC_PRIVMSG);
    if (p < 0) {
      return -1;
    }
    int t = find(line.slice(p, line.writerIndex() - p), IRC_TRAILING_T);
    return t < 0 ? -1 : parseLong(line, p + t);
  }

  static long parseLong(ByteBuf line, int i) {
    byte[] a = bytes(line);
    int off = line.arrayOffset();
    long v = 0;
    int end = off + line.writerIndex();
    boolean any = false;
    for (int j = off + i; j < end; j++) {
      byte c = a[j];
      if (c < '0' || c > '9') {
        break;
      }
      v = v * 10 + (c - '0');
      any = true;
    }
    return any ? v : -1;
  }
}
