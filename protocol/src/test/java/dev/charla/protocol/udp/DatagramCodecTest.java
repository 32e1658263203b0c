package dev.charla.protocol.udp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatagramCodecTest {
  private static final long CONNECTION = 0x0102030405060708L;

  private static Packet roundTrip(Packet p) throws MalformedDatagramException {
    byte[] bytes = DatagramCodec.encode(p);
    return DatagramCodec.decode(bytes, 0, bytes.length);
  }

  private static void rejects(byte[] datagram, String why) {
    assertThatThrownBy(() -> DatagramCodec.decode(datagram, 0, datagram.length))
        .isInstanceOf(MalformedDatagramException.class)
        .hasMessageContaining(why);
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  @Test
  void pingPacketHasTheDocumentedBytes() {
    byte[] bytes = DatagramCodec.encode(new Packet.Data(CONNECTION, 5, List.of(new Chunk.Ping())));
    // magic, version, type DATA, connection id, packet number 5 (1-byte varint), PING
    assertThat(bytes).isEqualTo(hex("CA1A 01 01 0102030405060708 05 01"));
  }

  @Test
  void ackRangesUseQuicGapEncoding() throws Exception {
    // Received 90..100, 80..85 and 70: gaps 86..89 (4 numbers) and 71..79 (9 numbers).
    Chunk.Ack ack =
        new Chunk.Ack(
            250, List.of(new Chunk.Range(90, 100), new Chunk.Range(80, 85), new Chunk.Range(70, 70)));
    byte[] bytes = DatagramCodec.encode(new Packet.Data(CONNECTION, 1, List.of(ack)));
    byte[] chunk = Arrays.copyOfRange(bytes, DatagramCodec.dataHeaderSize(1), bytes.length);
    // ACK, largest 100 (2-byte varint 0x4064), delay 250 (0x40FA), 2 more ranges, first range 10,
    // then gap 90 - 85 - 2 = 3, length 5, gap 80 - 70 - 2 = 8, length 0.
    assertThat(chunk).isEqualTo(hex("02 4064 40FA 02 0A 03 05 08 00"));
    assertThat(DatagramCodec.encodedSize(ack)).isEqualTo(chunk.length);
    assertThat(roundTrip(new Packet.Data(CONNECTION, 1, List.of(ack))))
        .isEqualTo(new Packet.Data(CONNECTION, 1, List.of(ack)));
  }

  @Test
  void ackReportsWhatItAcknowledges() {
    Chunk.Ack ack = new Chunk.Ack(0, List.of(new Chunk.Range(5, 7), new Chunk.Range(1, 2)));
    assertThat(ack.largest()).isEqualTo(7);
    assertThat(List.of(0L, 1L, 2L, 3L, 4L, 5L, 7L, 8L).stream().filter(ack::acknowledges))
        .containsExactly(1L, 2L, 5L, 7L);
  }

  @Test
  void ackRangesThatTouchCannotBeBuilt() {
    assertThatThrownBy(() -> new Chunk.Ack(0, List.of(new Chunk.Range(5, 7), new Chunk.Range(1, 4))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("touch");
  }

  @Test
  void everyChunkAndControlPacketRoundTrips() throws Exception {
    List<Packet> packets =
        List.of(
            new Packet.Data(
                CONNECTION,
                (1L << 40) + 3,
                List.of(
                    new Chunk.Ack(20_000, List.of(new Chunk.Range(0, (1L << 35)))),
                    new Chunk.Fragment(7, 3000, 1200, "hello".getBytes(UTF_8)),
                    new Chunk.Ping(),
                    new Chunk.Close(3, "adiós"))),
            new Packet.Data(-1L, UdpLimits.MAX_VARINT, List.of(new Chunk.Fragment(UdpLimits.MAX_VARINT, 1, 0, new byte[1]))),
            new Packet.Control(PacketType.HELLO, CONNECTION, new byte[1188]),
            new Packet.Control(PacketType.COOKIE, 0, "cookie".getBytes(UTF_8)),
            new Packet.Control(PacketType.CHALLENGE, CONNECTION, new byte[8]),
            new Packet.Control(PacketType.RESPONSE, CONNECTION, new byte[0]));
    for (Packet p : packets) {
      assertThat(roundTrip(p)).isEqualTo(p);
      byte[] bytes = DatagramCodec.encode(p);
      assertThat(DatagramCodec.peekConnectionId(bytes, 0, bytes.length)).hasValue(p.connectionId());
    }
  }

  @Test
  void encodedSizeMatchesTheEncoding() {
    List<Chunk> chunks =
        List.of(
            new Chunk.Ping(),
            new Chunk.Close(0, ""),
            new Chunk.Fragment(70_000, 65_536, 65_000, new byte[536]),
            new Chunk.Ack(1 << 20, List.of(new Chunk.Range(100_000, 100_001), new Chunk.Range(3, 9))));
    for (Chunk c : chunks) {
      byte[] bytes = DatagramCodec.encode(new Packet.Data(0, 0, List.of(c)));
      assertThat(bytes.length - DatagramCodec.dataHeaderSize(0)).as("%s", c).isEqualTo(DatagramCodec.encodedSize(c));
    }
  }

  @Test
  void varintsTakeOneTwoFourOrEightBytes() {
    assertThat(DatagramCodec.varintSize(63)).isEqualTo(1);
    assertThat(DatagramCodec.varintSize(64)).isEqualTo(2);
    assertThat(DatagramCodec.varintSize(16_383)).isEqualTo(2);
    assertThat(DatagramCodec.varintSize(16_384)).isEqualTo(4);
    assertThat(DatagramCodec.varintSize((1L << 30) - 1)).isEqualTo(4);
    assertThat(DatagramCodec.varintSize(1L << 30)).isEqualTo(8);
    assertThatThrownBy(() -> DatagramCodec.varintSize(1L << 62)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPacketLargerThanTheDatagramLimitCannotBeEncoded() {
    Packet p = new Packet.Data(0, 0, List.of(new Chunk.Fragment(0, 2000, 0, new byte[1190])));
    assertThatThrownBy(() -> DatagramCodec.encode(p)).hasMessageContaining("exceeds 1200 bytes");
  }

  @Test
  void aDatagramCutInsideAChunkIsRejectedAndOneCutBetweenChunksKeepsTheLeadingChunks() throws Exception {
    // UDP delivers whole datagrams, so the datagram's length is the only length; a cut between chunks is
    // indistinguishable from a shorter packet, as in QUIC.
    List<Chunk> chunks =
        List.of(
            new Chunk.Ack(5, List.of(new Chunk.Range(10, 20), new Chunk.Range(2, 4))),
            new Chunk.Fragment(9, 100, 0, new byte[100]),
            new Chunk.Close(1, "bye"));
    byte[] full = DatagramCodec.encode(new Packet.Data(CONNECTION, 300, chunks));
    int header = DatagramCodec.dataHeaderSize(300);
    int boundary1 = header + DatagramCodec.encodedSize(chunks.get(0));
    int boundary2 = boundary1 + DatagramCodec.encodedSize(chunks.get(1));
    for (int length = 0; length < full.length; length++) {
      int cut = length;
      if (cut == boundary1 || cut == boundary2) {
        Packet.Data p = (Packet.Data) DatagramCodec.decode(full, 0, cut);
        assertThat(p.chunks()).isEqualTo(chunks.subList(0, cut == boundary1 ? 1 : 2));
      } else {
        assertThatThrownBy(() -> DatagramCodec.decode(full, 0, cut))
            .as("cut to %d of %d bytes", cut, full.length)
            .isInstanceOf(MalformedDatagramException.class);
      }
    }
  }

  @Test
  void wrongMagicIsRejected() {
    rejects(hex("CA1B 01 01 0102030405060708 05 01"), "wrong magic");
  }

  @Test
  void otherVersionsAreRejected() {
    rejects(hex("CA1A 02 01 0102030405060708 05 01"), "unsupported datagram version 2");
  }

  @Test
  void unknownPacketTypeIsRejected() {
    rejects(hex("CA1A 01 7F 0102030405060708 05 01"), "unknown packet type 0x7f");
  }

  @Test
  void unknownChunkTypeIsRejected() {
    rejects(hex("CA1A 01 01 0102030405060708 05 01 09"), "unknown chunk type 0x9");
  }

  @Test
  void dataPacketWithoutChunksIsRejected() {
    rejects(hex("CA1A 01 01 0102030405060708 05"), "without chunks");
  }

  @Test
  void oversizeDatagramIsRejected() {
    byte[] big = new byte[1201];
    System.arraycopy(hex("CA1A 01 01 0102030405060708 05 01"), 0, big, 0, 14);
    rejects(big, "datagram too large: 1201 bytes (limit: 1200)");
  }

  @Test
  void fragmentOutsideItsMessageIsRejected() {
    // seq 0, total 4, offset 2, length 3
    rejects(hex("CA1A 01 01 0102030405060708 05 03 00 04 02 03 AABBCC"), "outside message of 4 bytes");
  }

  @Test
  void messageLongerThanAFrameIsRejected() {
    // total 65,537 as a 4-byte varint
    rejects(hex("CA1A 01 01 0102030405060708 05 03 00 80010001 00 01 AA"), "message length 65537");
  }

  @Test
  void ackBelowPacketNumberZeroIsRejected() {
    // largest 3, first range 5
    rejects(hex("CA1A 01 01 0102030405060708 05 02 03 00 00 05"), "below packet number 0");
    // largest 10, first range 2 (8..10), then gap 7: next largest would be 8 - 7 - 2 = -1
    rejects(hex("CA1A 01 01 0102030405060708 05 02 0A 00 01 02 07 00"), "below packet number 0");
  }

  @Test
  void tooManyAckRangesAreRejected() {
    rejects(hex("CA1A 01 01 0102030405060708 05 02 3F 00 20 00"), "too many ack ranges: 33");
  }

  @Test
  void closeReasonMustBeUtf8() {
    // Found by the fuzz test: 250 bytes of 0xFF would become 750 bytes of U+FFFD, past the reason limit.
    byte[] reason = new byte[250];
    Arrays.fill(reason, (byte) 0xFF);
    byte[] head = hex("CA1A 01 01 0102030405060708 05 04 00 40FA");
    byte[] datagram = Arrays.copyOf(head, head.length + reason.length);
    System.arraycopy(reason, 0, datagram, head.length, reason.length);
    rejects(datagram, "close reason is not valid UTF-8");
  }

  @Test
  void peekIgnoresWhatIsNotACharlaDatagram() {
    assertThat(DatagramCodec.peekConnectionId(new byte[5], 0, 5)).isEmpty();
    assertThat(DatagramCodec.peekConnectionId(new byte[20], 0, 20)).isEmpty();
  }
}
