package dev.charla.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
  private final FrameCodec codec = new FrameCodec();

  private ClientFrame decode(String json) throws ProtocolException {
    return codec.decodeClient(json.getBytes(UTF_8));
  }

  private void rejects(String json, ErrorCode code) {
    assertThatThrownBy(() -> decode(json))
        .isInstanceOf(ProtocolException.class)
        .satisfies(e -> assertThat(((ProtocolException) e).code()).isEqualTo(code));
  }

  @Test
  void sendDecodesWithAllFields() throws Exception {
    ClientFrame f = decode("{\"type\":\"send\",\"id\":\"7\",\"to\":\"#lobby\",\"text\":\"hola ñ 😀\",\"cmid\":\"c1\"}");
    assertThat(f).isEqualTo(new ClientFrame.Send("7", "#lobby", "hola ñ 😀", "c1"));
  }

  @Test
  void aKeyRepeatedInOneObjectIsRefusedNotGuessedAt() {
    // Which "to" would a server pick? Different JSON parsers keep the first or the last; Charla takes neither.
    rejects("{\"type\":\"send\",\"to\":\"@ana\",\"text\":\"hi\",\"to\":\"#lobby\"}", ErrorCode.BAD_JSON);
  }

  @Test
  void everyClientFrameRoundTrips() throws Exception {
    List<ClientFrame> frames =
        List.of(
            new ClientFrame.Hello("1", 1, "term"),
            new ClientFrame.Register("2", "ana", "secret-pass"),
            new ClientFrame.Login("3", "ana", "secret-pass"),
            new ClientFrame.Guest("4", "bob"),
            new ClientFrame.Resume("5", "tok"),
            new ClientFrame.Logout("6"),
            new ClientFrame.Send("7", "@bob", "hi", "c"),
            new ClientFrame.Join("8", "#r"),
            new ClientFrame.Leave("9", "#r"),
            new ClientFrame.Rooms("10"),
            new ClientFrame.Topic("11", "#r", "t"),
            new ClientFrame.Who("12"),
            new ClientFrame.Whoami("13"),
            new ClientFrame.History("14", "#r", 10L, null, 50),
            new ClientFrame.Received("15", 99),
            new ClientFrame.Ping("16"),
            new ClientFrame.Quit("17"));
    for (ClientFrame f : frames) {
      assertThat(codec.decodeClient(codec.encode(f))).isEqualTo(f);
    }
  }

  @Test
  void serverFramesRoundTrip() throws Exception {
    var msg = new ServerFrame.Msg(5, "#lobby", 3, "ana", "#lobby", 1000, "hi", "tcp", "c1", null);
    List<ServerFrame> frames =
        List.of(
            msg,
            new ServerFrame.Error("1", ErrorCode.NAME_TAKEN, "name taken"),
            new ServerFrame.Joined("2", new ServerFrame.RoomInfo("#r", null, 2, 7), List.of("ana"), List.of(msg)),
            new ServerFrame.Users(
                "3", List.of(new ServerFrame.SessionInfo("ana", false, "127.0.0.1", 5000, "tcp", "t", 9)), null));
    for (ServerFrame f : frames) {
      assertThat(codec.decodeServer(codec.encode(f))).isEqualTo(f);
    }
  }

  @Test
  void fileFramesRoundTripWithBase64Data() throws Exception {
    String sha = "a".repeat(64);
    for (ClientFrame f : java.util.List.<ClientFrame>of(
        new ClientFrame.Files("1"), new ClientFrame.Put("2", "a.txt", 5, sha), new ClientFrame.Get("3", "f", 7L),
        new ClientFrame.Rm("4", "f"), new ClientFrame.Ack(null, "x", 9), new ClientFrame.Offer("5", "bob", "a", 1, sha))) {
      assertThat(codec.decodeClient(codec.encode(f))).isEqualTo(f);
    }
    byte[] data = {0, 1, 2, (byte) 255, 'h', 'i'};
    String json = new String(codec.encode(new ServerFrame.Chunk("x", 0, data)), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(json).isEqualTo("{\"type\":\"chunk\",\"xfer\":\"x\",\"offset\":0,\"data\":\"AAEC/2hp\"}");
    ClientFrame.Chunk c = (ClientFrame.Chunk) decode(json);
    assertThat(c.data()).isEqualTo(data);
    assertThat(((ServerFrame.Chunk) codec.decodeServer(codec.encode(new ServerFrame.Chunk("x", 3, data)))).data())
        .isEqualTo(data);
  }

  @Test
  void directFramesRoundTrip() throws Exception {
    List<String> cands = List.of("192.0.2.7:40001", "[2001:db8::1]:40001");
    for (ClientFrame f : List.<ClientFrame>of(
        new ClientFrame.Direct("1", "bob", cands), new ClientFrame.DirectAccept("2", "L1", cands),
        new ClientFrame.DirectDecline("3", "L1"), new ClientFrame.DirectMsg("4", "L1", "hi"),
        new ClientFrame.DirectClose(null, "L1"), new ClientFrame.Direct("5", "bob", cands, List.of("192.0.2.7:40002")),
        new ClientFrame.DirectAccept("6", "L1", List.of(), cands))) {
      assertThat(codec.decodeClient(codec.encode(f))).isEqualTo(f);
    }
    for (ServerFrame f : List.<ServerFrame>of(
        new ServerFrame.DirectPending("1", "L1", "bob"), new ServerFrame.DirectRequest("L1", "ana"),
        new ServerFrame.DirectReady("2", "L1", "ana", "b", "c2VjcmV0", cands),
        new ServerFrame.DirectReady("2", "L1", "ana", "b", "c2VjcmV0", cands, List.of("192.0.2.7:40002")),
        new ServerFrame.DirectDeclined("L1", "bob"), new ServerFrame.DirectMsg("L1", "ana", "hi"),
        new ServerFrame.DirectClosed("L1", "closed by bob"))) {
      assertThat(codec.decodeServer(codec.encode(f))).isEqualTo(f);
    }
    for (dev.charla.protocol.peer.PeerFrame f : List.of(
        new dev.charla.protocol.peer.PeerFrame.Hello("L1", "bm9uY2U="), new dev.charla.protocol.peer.PeerFrame.Auth("m"),
        new dev.charla.protocol.peer.PeerFrame.Use(), new dev.charla.protocol.peer.PeerFrame.Msg("hi"),
        new dev.charla.protocol.peer.PeerFrame.Bye("closed"),
        new dev.charla.protocol.peer.PeerFrame.FileOffer("x1", "a.txt", 3, "0".repeat(64)),
        new dev.charla.protocol.peer.PeerFrame.FileAnswer("x1", true, 0),
        new dev.charla.protocol.peer.PeerFrame.FileAck("x1", 3),
        new dev.charla.protocol.peer.PeerFrame.FileEnd("x1", ErrorCode.CHECKSUM_MISMATCH, "no"),
        new dev.charla.protocol.peer.PeerFrame.FileEnd("x1", null, null))) {
      assertThat(codec.decodePeer(codec.encode(f))).isEqualTo(f);
    }
    var chunk = new dev.charla.protocol.peer.PeerFrame.FileChunk("x1", 0, new byte[] {1, 2, 3});
    assertThat(new String(codec.encode(chunk), java.nio.charset.StandardCharsets.UTF_8)).contains("\"data\":\"AQID\"");
    assertThat(((dev.charla.protocol.peer.PeerFrame.FileChunk) codec.decodePeer(codec.encode(chunk))).data())
        .containsExactly(1, 2, 3);
    // Old clients send no udp list; old servers' direct_ready has none: both read as empty.
    assertThat(((ClientFrame.DirectAccept) decode("{\"type\":\"direct_accept\",\"link\":\"L\"}")).udp()).isEmpty();
    // No candidates is an empty list, not a missing field.
    assertThat(((ClientFrame.Direct) decode("{\"type\":\"direct\",\"to\":\"bob\"}")).candidates()).isEmpty();
  }

  @Test
  void candidatesMustBeIpLiteralsWithPorts() {
    rejects("{\"type\":\"direct\",\"to\":\"bob\",\"candidates\":[\"example.com:80\"]}", ErrorCode.BAD_FRAME);
    rejects("{\"type\":\"direct\",\"to\":\"bob\",\"candidates\":[\"10.0.0.1:0\"]}", ErrorCode.BAD_FRAME);
    rejects("{\"type\":\"direct\",\"to\":\"bob\",\"candidates\":[\"300.0.0.1:80\"]}", ErrorCode.BAD_FRAME);
    String many = String.join(",", java.util.Collections.nCopies(Limits.MAX_DIRECT_CANDIDATES + 1, "\"10.0.0.1:80\""));
    rejects("{\"type\":\"direct\",\"to\":\"bob\",\"candidates\":[" + many + "]}", ErrorCode.BAD_FRAME);
  }

  @Test
  void peerProofsBindRoleAndNonce() {
    String secret = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    String nonce = dev.charla.protocol.peer.PeerHandshake.nonce();
    String proof = dev.charla.protocol.peer.PeerHandshake.proof(secret, "a", nonce);
    assertThat(dev.charla.protocol.peer.PeerHandshake.verify(secret, "a", nonce, proof)).isTrue();
    assertThat(dev.charla.protocol.peer.PeerHandshake.verify(secret, "b", nonce, proof)).isFalse();
    assertThat(dev.charla.protocol.peer.PeerHandshake.verify(secret, "a", "other", proof)).isFalse();
  }

  @Test
  void badFileFramesAreBadFrames() {
    rejects("{\"type\":\"chunk\",\"xfer\":\"x\",\"offset\":0,\"data\":\"not base64!\"}", ErrorCode.BAD_FRAME);
    rejects("{\"type\":\"chunk\",\"xfer\":\"x\",\"offset\":0,\"data\":5}", ErrorCode.BAD_FRAME);
    rejects("{\"type\":\"put\",\"name\":\"a\",\"size\":1,\"sha256\":\"XYZ\"}", ErrorCode.BAD_FRAME);
    rejects("{\"type\":\"put\",\"name\":\"a\",\"size\":-1,\"sha256\":\"" + "a".repeat(64) + "\"}",
        ErrorCode.BAD_FRAME);
    String big = java.util.Base64.getEncoder().encodeToString(new byte[Limits.FILE_CHUNK_BYTES + 1]);
    rejects("{\"type\":\"chunk\",\"xfer\":\"x\",\"offset\":0,\"data\":\"" + big + "\"}", ErrorCode.BAD_FRAME);
    // The largest chunk's frame fits the frame limit with room to spare.
    byte[] frame = codec.encode(new ClientFrame.Chunk(null, "q3Vbq3Vbq3Vbq3Vbq3Vbq3", Long.MAX_VALUE,
        new byte[Limits.FILE_CHUNK_BYTES]));
    assertThat(frame.length).isLessThan(Limits.MAX_FRAME_BYTES - 10_000);
  }

  @Test
  void encodingOmitsNullsAndUsesWireNames() {
    String json = new String(codec.encode(new ServerFrame.Error(null, ErrorCode.BAD_JSON, "x")), UTF_8);
    assertThat(json).isEqualTo("{\"type\":\"error\",\"code\":\"bad_json\",\"message\":\"x\"}");
  }

  @Test
  void emojiAreEncodedAsUtf8NotEscapes() {
    String json = new String(codec.encode(new ServerFrame.Pong("😀")), UTF_8);
    assertThat(json).isEqualTo("{\"type\":\"pong\",\"re\":\"😀\"}");
  }

  @Test
  void unknownFieldsAreIgnoredForForwardCompatibility() throws Exception {
    assertThat(decode("{\"type\":\"ping\",\"id\":\"1\",\"future\":[1,2]}")).isEqualTo(new ClientFrame.Ping("1"));
  }

  @Test
  void malformedJsonIsBadJson() {
    rejects("{\"type\":\"ping\"", ErrorCode.BAD_JSON);
    rejects("not json", ErrorCode.BAD_JSON);
    rejects("[1,2,3]", ErrorCode.BAD_JSON);
    rejects("", ErrorCode.BAD_JSON);
    rejects("{\"type\":\"ping\"} trailing", ErrorCode.BAD_JSON);
  }

  @Test
  void unknownTypeIsReported() {
    rejects("{\"type\":\"teleport\"}", ErrorCode.UNKNOWN_TYPE);
  }

  @Test
  void missingTypeOrFieldIsBadFrame() {
    rejects("{\"id\":\"1\"}", ErrorCode.BAD_FRAME);
    rejects("{\"type\":\"send\",\"to\":\"#lobby\"}", ErrorCode.BAD_FRAME);
  }

  @Test
  void wrongTypedFieldIsBadFrame() {
    rejects("{\"type\":\"send\",\"to\":\"#lobby\",\"text\":5}", ErrorCode.BAD_FRAME);
    rejects("{\"type\":\"hello\",\"v\":\"1\"}", ErrorCode.BAD_FRAME);
    rejects("{\"type\":\"received\",\"upto\":null}", ErrorCode.BAD_FRAME);
  }

  @Test
  void invalidUtf8IsRejectedBeforeParsing() {
    byte[] bytes = "{\"type\":\"send\",\"to\":\"#a\",\"text\":\"xx\"}".getBytes(UTF_8);
    bytes[bytes.length - 4] = (byte) 0xC3; // lead byte followed by 'x', not a continuation
    assertThatThrownBy(() -> codec.decodeClient(bytes))
        .satisfies(e -> assertThat(((ProtocolException) e).code()).isEqualTo(ErrorCode.BAD_UTF8));
  }

  @Test
  void oversizeFrameIsRejected() {
    byte[] big = new byte[Limits.MAX_FRAME_BYTES + 1];
    assertThatThrownBy(() -> codec.decodeClient(big))
        .satisfies(e -> assertThat(((ProtocolException) e).code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));
  }

  @Test
  void passwordsNeverAppearInToString() {
    assertThat(new ClientFrame.Login("1", "ana", "hunter22").toString()).doesNotContain("hunter22");
    assertThat(new ClientFrame.Register("1", "ana", "hunter22").toString()).doesNotContain("hunter22");
  }

  @org.junit.jupiter.api.Test
  void fastEncodingsOfMsgAndStoredEqualDataBinding() {
    long seed = System.nanoTime();
    System.out.println("FrameCodecTest seed " + seed);
    java.util.Random random = new java.util.Random(seed);
    String[] samples = {"", "hola", "a\"b\\c", "line\nbreak\ttab\u0001ctl", "ñandú ☃", "emoji 😀 and 👍🏽",
        "</script>", "\u2028\u2029", null};
    for (int i = 0; i < 2_000; i++) {
      String text = samples[random.nextInt(samples.length - 1)] + random.nextInt();
      Boolean pending = switch (random.nextInt(3)) {
        case 0 -> null;
        case 1 -> true;
        default -> false;
      };
      ServerFrame.Msg msg = new ServerFrame.Msg(random.nextLong(1L << 50), pick(random, samples, "#lobby"),
          random.nextInt(1_000_000), pick(random, samples, "alice"), pick(random, samples, "#lobby"),
          random.nextLong(), text, random.nextBoolean() ? "udp" : null, pick(random, samples, null), pending);
      assertThat(new String(codec.encode(msg), UTF_8))
          .as("seed %d, %s", seed, msg)
          .isEqualTo(new String(codec.encodeByDataBinding(msg), UTF_8));
      ServerFrame.Stored stored = new ServerFrame.Stored(pick(random, samples, "7"), random.nextLong(),
          pick(random, samples, "#lobby"), random.nextLong(), random.nextLong(), pick(random, samples, null));
      assertThat(new String(codec.encode(stored), UTF_8))
          .as("seed %d, %s", seed, stored)
          .isEqualTo(new String(codec.encodeByDataBinding(stored), UTF_8));
    }
  }

  @org.junit.jupiter.api.Test
  void threadsEncodingAtOnceGetTheirOwnFrames() throws Exception {
    // The fast paths keep a generator per thread: frames of threads running together must not mix.
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        String from = "user" + t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < 5_000; i++) {
            ServerFrame.Msg msg =
                new ServerFrame.Msg(i, "#lobby", i, from, "#lobby", i, "text " + i + " of " + from, null, null, null);
            assertThat(new String(codec.encode(msg), UTF_8))
                .isEqualTo(new String(codec.encodeByDataBinding(msg), UTF_8));
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : done) {
        f.get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static String pick(java.util.Random random, String[] samples, String usual) {
    return random.nextBoolean() ? usual : samples[random.nextInt(samples.length)];
  }
}
