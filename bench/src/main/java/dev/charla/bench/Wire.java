package dev.charla.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.buffer.ByteBuf;

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

  /** A send whose text starts with the send time in nanoseconds, so a receiver in this process can time it. */
  static byte[] send(String to, long sentNanos) {
    return line("{\"type\":\"send\",\"to\":\"" + to + "\",\"text\":\"t" + sentNanos + " charla bench payload\"}");
  }

  /** Like {@link #send(String, long)}, with the text padded to exactly {@code textBytes} ASCII characters. */
  static byte[] send(String to, long sentNanos, int textBytes) {
    StringBuilder text = new StringBuilder(textBytes).append('t').append(sentNanos).append(' ');
    while (text.length() < textBytes) {
      text.append('x');
    }
    return line("{\"type\":\"send\",\"to\":\"" + to + "\",\"text\":\"" + text + "\"}");
  }

  private static byte[] line(String json) {
    return (json + "\n").getBytes(UTF_8);
  }

  /** The frame's type; {@code line} is one frame without its newline. */
  static Type type(ByteBuf line) {
    int r = line.readerIndex();
    int p = r + TYPE_PREFIX.length;
    if (line.writerIndex() < p + 2 || !matches(line, r, TYPE_PREFIX)) {
      return Type.OTHER;
    }
    byte a = line.getByte(p);
    byte b = line.getByte(p + 1);
    return switch (a) {
      case 'm' -> Type.MSG;
      case 's' -> b == 't' ? Type.STORED : Type.OTHER;
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
    if (i < 0 || line.getByte(i) != 't') {
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

  /** Index just past the first occurrence of {@code key}, or -1. */
  static int find(ByteBuf line, byte[] key) {
    int end = line.writerIndex() - key.length;
    int i = line.readerIndex();
    while (i <= end) {
      int q = line.indexOf(i, end + 1, key[0]);
      if (q < 0) {
        return -1;
      }
      if (matches(line, q, key)) {
        return q + key.length;
      }
      i = q + 1;
    }
    return -1;
  }

  private static boolean matches(ByteBuf line, int at, byte[] key) {
    for (int k = 0; k < key.length; k++) {
      if (line.getByte(at + k) != key[k]) {
        return false;
      }
    }
    return true;
  }

  private static long parseLong(ByteBuf line, int i) {
    long v = 0;
    int end = line.writerIndex();
    boolean any = false;
    for (; i < end; i++) {
      byte c = line.getByte(i);
      if (c < '0' || c > '9') {
        break;
      }
      v = v * 10 + (c - '0');
      any = true;
    }
    return any ? v : -1;
  }
}
