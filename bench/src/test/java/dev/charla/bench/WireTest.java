package dev.charla.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The generator's scanner: it reads every byte the server sends, so it is fast; it must also be right. */
class WireTest {
  @Test
  void indexOfFindsTheFirstOccurrenceWhereverItIs() {
    long seed = System.nanoTime();
    System.out.println("WireTest seed " + seed);
    Random random = new Random(seed);
    for (int round = 0; round < 20_000; round++) {
      byte[] a = new byte[random.nextInt(40)];
      for (int i = 0; i < a.length; i++) {
        a[i] = (byte) (random.nextInt(4) == 0 ? '\n' : random.nextInt(256));
      }
      int from = a.length == 0 ? 0 : random.nextInt(a.length);
      int to = from + random.nextInt(a.length - from + 1);
      int expected = -1;
      for (int i = from; i < to; i++) {
        if (a[i] == '\n') {
          expected = i;
          break;
        }
      }
      assertThat(Wire.indexOf(a, from, to, (byte) '\n')).as("seed %d round %d", seed, round).isEqualTo(expected);
    }
  }

  @Test
  void readsTypeSeqAndSendTimeFromAServerMsg() {
    byte[] line = ("{\"type\":\"msg\",\"sid\":7,\"conv\":\"#seq\\\"x\",\"seq\":42,\"from\":\"a\",\"to\":\"#seq\","
        + "\"ts\":1,\"text\":\"t123456 charla bench payload\"}").getBytes(UTF_8);
    var buf = Unpooled.wrappedBuffer(line);

    assertThat(Wire.type(buf)).isEqualTo(Wire.Type.MSG);
    assertThat(Wire.seq(buf)).isEqualTo(42);
    assertThat(Wire.sentNanos(buf)).isEqualTo(123456);
  }

  @Test
  void readsTheSendTimeFromAnIrcPrivmsgInsideABiggerBuffer() {
    byte[] wire = (":x 353 n = #r :a b c\r\n:b0_1!~b0_1@localhost PRIVMSG #b0_room :t98765 charla bench payload\r\n"
        + ":b0_2!~u@h JOIN :#b0_room\r\n").getBytes(UTF_8);
    var all = Unpooled.wrappedBuffer(wire);
    int first = new String(wire, UTF_8).indexOf('\n') + 1;
    int second = new String(wire, UTF_8).indexOf('\n', first);

    assertThat(Wire.ircSentNanos(all.slice(first, second - first))).isEqualTo(98765);
    assertThat(Wire.ircSentNanos(Unpooled.wrappedBuffer(wire).setIndex(first, second))).isEqualTo(98765);
    assertThat(Wire.ircSentNanos(all.slice(0, first - 1))).isEqualTo(-1); // a NAMES reply
    assertThat(Wire.ircSentNanos(all.slice(second + 1, wire.length - second - 1))).isEqualTo(-1); // a JOIN
    assertThat(Wire.ircPrivmsg("#r", 42)).isEqualTo("PRIVMSG #r :t42 charla bench payload\r\n".getBytes(UTF_8));
  }

  @Test
  void findLocatesAKeyWhereverItIsLikeAPlainSearch() {
    long seed = System.nanoTime();
    System.out.println("WireTest find seed " + seed);
    Random random = new Random(seed);
    byte[][] keys = {"\"seq\":".getBytes(UTF_8), "\"text\":\"".getBytes(UTF_8), "\"name\":\"".getBytes(UTF_8)};
    byte[] alphabet = "\"sqe:txnamk{}1,".getBytes(UTF_8);
    for (int round = 0; round < 20_000; round++) {
      byte[] key = keys[random.nextInt(keys.length)];
      byte[] a = new byte[random.nextInt(48)];
      for (int i = 0; i < a.length; i++) {
        a[i] = alphabet[random.nextInt(alphabet.length)];
      }
      if (a.length >= key.length && random.nextBoolean()) {
        System.arraycopy(key, 0, a, random.nextInt(a.length - key.length + 1), key.length);
      }
      int expected = -1;
      for (int i = 0; i + key.length <= a.length && expected < 0; i++) {
        if (java.util.Arrays.equals(a, i, i + key.length, key, 0, key.length)) {
          expected = i + key.length;
        }
      }
      // The line sits inside a bigger array, as the generator's lines do (a view of its read buffer).
      int before = random.nextInt(8);
      byte[] padded = new byte[before + a.length + random.nextInt(8)];
      java.util.Arrays.fill(padded, (byte) 'q');
      System.arraycopy(a, 0, padded, before, a.length);
      var line = Unpooled.wrappedBuffer(padded).setIndex(before, before + a.length);
      assertThat(Wire.find(line, key))
          .as("seed %d round %d", seed, round)
          .isEqualTo(expected < 0 ? -1 : before + expected);
    }
  }
}
