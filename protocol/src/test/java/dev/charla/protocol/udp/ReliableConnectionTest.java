package dev.charla.protocol.udp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReliableConnectionTest {
  private static final long MS = 1_000_000;
  private static final long SECOND = 1_000 * MS;
  private static final long ID = 0x5EED;

  private long now = 5 * SECOND;
  private final ReliableConnection a = new ReliableConnection(ID, ReliableConfig.defaults(), now);
  private final ReliableConnection b = new ReliableConnection(ID, ReliableConfig.defaults(), now);

  private static void deliver(List<byte[]> datagrams, ReliableConnection to, long now) {
    for (byte[] d : datagrams) {
      to.receive(d, 0, d.length, now);
    }
  }

  private static List<byte[]> drain(ReliableConnection c) {
    List<byte[]> out = new ArrayList<>();
    for (byte[] m; (m = c.pollMessage()) != null; ) {
      out.add(m);
    }
    return out;
  }

  private static Packet.Data decode(byte[] datagram) throws MalformedDatagramException {
    return (Packet.Data) DatagramCodec.decode(datagram, 0, datagram.length);
  }

  private static byte[] bytes(int length, int seed) {
    byte[] m = new byte[length];
    new Random(seed).nextBytes(m);
    return m;
  }

  @Test
  void smallMessagesShareOneDatagram() {
    for (int i = 0; i < 20; i++) {
      assertThat(a.send(("{\"type\":\"ping\",\"id\":\"" + i + "\"}").getBytes(UTF_8), now)).isTrue();
    }
    List<byte[]> datagrams = a.pollDatagrams(now);
    assertThat(datagrams).hasSize(1);

    deliver(datagrams, b, now);
    assertThat(drain(b))
        .extracting(m -> new String(m, UTF_8))
        .startsWith("{\"type\":\"ping\",\"id\":\"0\"}", "{\"type\":\"ping\",\"id\":\"1\"}")
        .hasSize(20)
        .endsWith("{\"type\":\"ping\",\"id\":\"19\"}");
  }

  @Test
  void aLargestMessageIsFragmentedIntoFullDatagramsAndReassembledFromAnyOrder() throws Exception {
    byte[] big = bytes(UdpLimits.MAX_MESSAGE_BYTES, 1);
    a.send(big, now);
    List<byte[]> datagrams = a.pollDatagrams(now);
    // 65,536 bytes at about 1,180 data bytes per datagram.
    assertThat(datagrams).hasSize(56).allSatisfy(d -> assertThat(d.length).isLessThanOrEqualTo(1200));
    assertThat(decode(datagrams.get(0)).chunks()).singleElement().isInstanceOf(Chunk.Fragment.class);

    List<byte[]> shuffled = new ArrayList<>(datagrams);
    Collections.shuffle(shuffled, new Random(7));
    deliver(shuffled.subList(0, 55), b, now);
    assertThat(b.pollMessage()).as("incomplete message is held back").isNull();
    deliver(shuffled.subList(55, 56), b, now);
    assertThat(b.pollMessage()).isEqualTo(big);
    assertThat(b.pollMessage()).isNull();
  }

  @Test
  void aLostDatagramIsResentUnderANewPacketNumber() throws Exception {
    a.send("hola".getBytes(UTF_8), now);
    byte[] lost = a.pollDatagrams(now).get(0);

    now = a.nextTimeoutNanos();
    // No RTT sample yet: the probe timeout is initial RTT + 4 x RTT/2 + max ack delay = 100 + 200 + 20 ms.
    assertThat(now).isEqualTo(5 * SECOND + 320 * MS);
    List<byte[]> probes = a.pollDatagrams(now);
    assertThat(probes).hasSize(2);
    Packet.Data original = decode(lost);
    Packet.Data resent = decode(probes.get(0));
    assertThat(resent.packetNumber()).isGreaterThan(original.packetNumber());
    assertThat(resent.chunks()).isEqualTo(original.chunks());
    assertThat(decode(probes.get(1)).chunks()).containsExactly(new Chunk.Ping());

    deliver(probes, b, now);
    assertThat(drain(b)).extracting(m -> new String(m, UTF_8)).containsExactly("hola");
    assertThat(a.stats().probesSent()).isEqualTo(2);
  }

  @Test
  void theProbeTimeoutBacksOffExponentiallyWhileNothingIsAcknowledged() {
    a.send("x".getBytes(UTF_8), now);
    a.pollDatagrams(now);
    List<Long> gaps = new ArrayList<>();
    long last = now;
    for (int i = 0; i < 4; i++) {
      now = a.nextTimeoutNanos();
      gaps.add(now - last);
      last = now;
      a.pollDatagrams(now);
    }
    assertThat(gaps).containsExactly(320 * MS, 640 * MS, 1280 * MS, 2560 * MS);
  }

  @Test
  void aDuplicatedDatagramIsDeliveredOnceAndAnsweredWithAnAck() {
    a.send("once".getBytes(UTF_8), now);
    byte[] d = a.pollDatagrams(now).get(0);
    b.receive(d, 0, d.length, now);
    b.receive(d, 0, d.length, now);

    assertThat(drain(b)).hasSize(1);
    assertThat(b.stats().duplicatePackets()).isEqualTo(1);
    assertThat(b.pollDatagrams(now)).as("the duplicate means our ack may be lost: ack at once").hasSize(1);
  }

  @Test
  void anAckIsDelayedForOnePacketAndSentAtOnceForTheSecond() {
    a.send("one".getBytes(UTF_8), now);
    deliver(a.pollDatagrams(now), b, now);
    assertThat(b.pollDatagrams(now)).isEmpty();
    assertThat(b.nextTimeoutNanos()).isEqualTo(now + 20 * MS);

    a.send("two".getBytes(UTF_8), now + MS);
    deliver(a.pollDatagrams(now + MS), b, now + MS);
    List<byte[]> acks = b.pollDatagrams(now + MS);
    assertThat(acks).hasSize(1);

    deliver(acks, a, now + 2 * MS);
    assertThat(a.queuedBytes()).isZero();
    assertThat(a.stats().bytesInFlight()).isZero();
    assertThat(a.stats().smoothedRttNanos()).isEqualTo(MS); // sample: sent at +1 ms, acked at +2 ms
  }

  @Test
  void aGapIsReportedAtOnceSoTheSenderCanResendAfterThreeLaterPackets() throws Exception {
    // Four full datagrams; the first is lost.
    for (int i = 0; i < 4; i++) {
      a.send(bytes(1100, i), now);
    }
    List<byte[]> datagrams = a.pollDatagrams(now);
    assertThat(datagrams).hasSize(4);
    long later = now + 30 * MS;
    deliver(datagrams.subList(1, 4), b, later);
    List<byte[]> acks = b.pollDatagrams(later);
    assertThat(acks).isNotEmpty();

    deliver(acks, a, later + 30 * MS);
    assertThat(a.stats().packetsLost()).as("packet 0 is 3 below the largest acked").isEqualTo(1);
    List<byte[]> resent = a.pollDatagrams(later + 30 * MS);
    assertThat(decode(resent.get(0)).chunks()).contains(decode(datagrams.get(0)).chunks().get(0));

    deliver(resent, b, later + 60 * MS);
    assertThat(drain(b)).hasSize(4);
  }

  @Test
  void bytesInFlightStayWithinTheWindowAndTheRestWaits() {
    for (int i = 0; i < 10; i++) {
      a.send(bytes(60_000, i), now);
    }
    List<byte[]> datagrams = a.pollDatagrams(now);
    long sentBytes = datagrams.stream().mapToLong(d -> d.length).sum();
    assertThat(sentBytes).isLessThanOrEqualTo(ReliableConfig.defaults().maxInFlightBytes());
    assertThat(sentBytes).isGreaterThan(ReliableConfig.defaults().maxInFlightBytes() - 1200);
    assertThat(a.stats().bytesInFlight()).isEqualTo(sentBytes);
    assertThat(a.pollDatagrams(now)).as("window full until acks arrive").isEmpty();
  }

  @Test
  void sendPushesBackWhenTheQueueIsFullAndAcceptsAgainOnceAcknowledged() {
    ReliableConnection small =
        new ReliableConnection(ID, ReliableConfig.defaults().withMaxQueuedBytes(100_000), now);
    ReliableConnection peer = new ReliableConnection(ID, ReliableConfig.defaults(), now);
    assertThat(small.send(bytes(60_000, 1), now)).isTrue();
    assertThat(small.send(bytes(60_000, 2), now)).as("over the limit").isFalse();
    assertThat(small.queuedBytes()).isEqualTo(60_000);

    deliver(small.pollDatagrams(now), peer, now);
    deliver(peer.pollDatagrams(now), small, now + MS);
    assertThat(small.queuedBytes()).isZero();
    assertThat(small.send(bytes(60_000, 2), now + MS)).isTrue();
  }

  @Test
  void messagesOfIllegalSizeAreRejected() {
    assertThatThrownBy(() -> a.send(new byte[0], now)).hasMessageContaining("message length 0 bytes");
    assertThatThrownBy(() -> a.send(new byte[65_537], now))
        .hasMessage("message length 65537 bytes (allowed: 1 to 65536)");
  }

  @Test
  void aConnectionThatFallsQuietHoldsNoQueuesWhateverItWentThrough() {
    // A server keeps one connection per idle session, so what a quiet one holds is what the server pays per session.
    long seed = new Random().nextLong();
    System.out.println("aConnectionThatFallsQuietHoldsNoQueuesWhateverItWentThrough seed " + seed);
    Random random = new Random(seed);
    List<byte[]> sentByA = new ArrayList<>();
    List<byte[]> sentByB = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      // Small and fragmented messages both ways.
      sentByA.add(bytes(i % 3 == 0 ? 5_000 : 40, i));
      sentByB.add(bytes(i % 4 == 0 ? 3_000 : 60, 100 + i));
      assertThat(a.send(sentByA.get(i), now)).isTrue();
      assertThat(b.send(sentByB.get(i), now)).isTrue();
    }
    assertThat(a.queuesHeld()).as("busy").isPositive();
    List<byte[]> gotByA = new ArrayList<>();
    List<byte[]> gotByB = new ArrayList<>();
    for (int round = 0; round < 2_000 && (gotByA.size() < 30 || gotByB.size() < 30
        || a.queuedBytes() > 0 || b.queuedBytes() > 0); round++) {
      now += 5 * MS;
      // 20 % loss both ways, and the rest delivered in a shuffled order.
      List<byte[]> fromA = new ArrayList<>(a.pollDatagrams(now));
      List<byte[]> fromB = new ArrayList<>(b.pollDatagrams(now));
      fromA.removeIf(d -> random.nextInt(5) == 0);
      fromB.removeIf(d -> random.nextInt(5) == 0);
      Collections.shuffle(fromA, random);
      Collections.shuffle(fromB, random);
      deliver(fromA, b, now);
      deliver(fromB, a, now);
      gotByB.addAll(drain(b));
      gotByA.addAll(drain(a));
    }
    assertThat(gotByB).containsExactlyElementsOf(sentByA);
    assertThat(gotByA).containsExactlyElementsOf(sentByB);
    assertThat(a.stats().packetsLost()).as("the loss path was exercised").isPositive();
    // A driver polls after every receive (that is when leftovers of acknowledged data are pruned).
    now += MS;
    a.pollDatagrams(now);
    b.pollDatagrams(now);
    assertThat(a.queuesHeld()).isZero();
    assertThat(b.queuesHeld()).isZero();

    // Quiet from here on: keepalive pings and their acks come and go without bringing a queue back.
    for (int i = 0; i < 5; i++) {
      now = Math.min(a.nextTimeoutNanos(), b.nextTimeoutNanos());
      deliver(a.pollDatagrams(now), b, now);
      deliver(b.pollDatagrams(now), a, now);
    }
    assertThat(a.isOpen()).isTrue();
    assertThat(a.queuesHeld() + b.queuesHeld()).isZero();
  }

  @Test
  void reassemblyMemoryIsBoundedAndRefusedFragmentsArriveLater() throws Exception {
    ReliableConfig tight = ReliableConfig.defaults().withMaxReassemblyBytes(UdpLimits.MAX_MESSAGE_BYTES);
    // The sender believes the receiver has plenty of room (a sender that ignores flow control).
    ReliableConnection sender =
        new ReliableConnection(ID, ReliableConfig.defaults().withMaxInFlightBytes(512 * 1024), now);
    ReliableConnection receiver = new ReliableConnection(ID, tight, now);
    List<byte[]> messages = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      messages.add(bytes(20_000, i));
      sender.send(messages.get(i), now);
    }
    List<byte[]> datagrams = sender.pollDatagrams(now);
    // Lose everything carrying message 0, so messages 1..9 cannot be delivered and must be buffered.
    List<byte[]> withoutFirst = new ArrayList<>();
    for (byte[] d : datagrams) {
      boolean carriesFirst =
          decode(d).chunks().stream().anyMatch(c -> c instanceof Chunk.Fragment f && f.messageSeq() == 0);
      if (!carriesFirst) {
        withoutFirst.add(d);
      }
    }
    deliver(withoutFirst, receiver, now);
    assertThat(receiver.receiveBufferBytes()).isLessThanOrEqualTo(tight.maxReassemblyBytes());
    assertThat(receiver.stats().droppedOverReassemblyLimit()).isPositive();
    assertThat(receiver.pollMessage()).isNull();

    // Refused packets were not acknowledged, so the sender's normal recovery delivers them.
    List<byte[]> received = new ArrayList<>();
    long t = now;
    for (int round = 0; round < 50 && received.size() < messages.size(); round++) {
      t += 50 * MS;
      deliver(receiver.pollDatagrams(t), sender, t);
      deliver(sender.pollDatagrams(t), receiver, t);
      // The limit plus the one message in order that is always taken.
      assertThat(receiver.receiveBufferBytes())
          .isLessThanOrEqualTo(tight.maxReassemblyBytes() + UdpLimits.MAX_MESSAGE_BYTES);
      received.addAll(drain(receiver));
    }
    assertThat(received).hasSize(10);
    for (int i = 0; i < 10; i++) {
      assertThat(received.get(i)).as("message %d", i).isEqualTo(messages.get(i));
    }
  }

  @Test
  void malformedAndForeignDatagramsAreDroppedAndCounted() {
    byte[] good = DatagramCodec.encode(new Packet.Data(ID, 0, List.of(new Chunk.Ping())));
    b.receive(good, 0, good.length - 1, now); // truncated: no chunks left
    byte[] badMagic = good.clone();
    badMagic[0] = 0x00;
    b.receive(badMagic, 0, badMagic.length, now);
    b.receive(new byte[1500], 0, 1500, now); // oversize
    b.receive(good, 0, 3, now); // shorter than a header
    byte[] ackOfUnsent = DatagramCodec.encode(
        new Packet.Data(ID, 1, List.of(new Chunk.Ack(0, List.of(new Chunk.Range(0, 9))))));
    b.receive(ackOfUnsent, 0, ackOfUnsent.length, now);
    byte[] otherConnection = DatagramCodec.encode(new Packet.Data(ID + 1, 0, List.of(new Chunk.Ping())));
    b.receive(otherConnection, 0, otherConnection.length, now);
    byte[] hello = DatagramCodec.encode(new Packet.Control(PacketType.HELLO, ID, new byte[10]));
    b.receive(hello, 0, hello.length, now);

    ConnectionStats stats = b.stats();
    assertThat(stats.droppedMalformed()).isEqualTo(5);
    assertThat(stats.droppedForeign()).isEqualTo(2);
    assertThat(stats.datagramsReceived()).isEqualTo(7);
    assertThat(b.pollDatagrams(now)).as("nothing dropped elicits an ack").isEmpty();
    assertThat(b.isOpen()).isTrue();
  }

  @Test
  void randomGarbageNeverThrowsAndNeverDeliversAndTheConnectionStillWorks() {
    Random random = new Random(20240601);
    byte[] header = DatagramCodec.encode(new Packet.Data(ID, 0, List.of(new Chunk.Ping())));
    int n = 5_000;
    for (int i = 0; i < n; i++) {
      byte[] d = new byte[random.nextInt(1300)];
      random.nextBytes(d);
      if (i % 2 == 0 && d.length >= 12) {
        // Half get a valid fixed header, so the fuzz reaches the chunk decoder.
        System.arraycopy(header, 0, d, 0, 12);
        if (d.length > 13) {
          d[12] = (byte) random.nextInt(64); // a 1-byte packet number
          d[13] = (byte) (random.nextInt(4) + 1); // a valid chunk type
        }
      }
      b.receive(d, 0, d.length, now);
    }
    ConnectionStats stats = b.stats();
    assertThat(stats.datagramsReceived()).isEqualTo(n);
    assertThat(b.pollMessage()).isNull();
    assertThat(b.isOpen()).as("random bytes (seed 20240601) never form a CLOSE: %s", stats).isTrue();

    a.send("still here".getBytes(UTF_8), now);
    deliver(a.pollDatagrams(now), b, now);
    assertThat(drain(b)).extracting(m -> new String(m, UTF_8)).containsExactly("still here");
  }

  @Test
  void aMutatedValidDatagramNeverThrows() {
    Random random = new Random(77);
    for (int i = 0; i < 20; i++) {
      a.send(bytes(1 + random.nextInt(3000), i), now);
    }
    List<byte[]> valid = a.pollDatagrams(now);
    for (int i = 0; i < 5_000; i++) {
      byte[] d = valid.get(random.nextInt(valid.size())).clone();
      for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
        d[random.nextInt(d.length)] ^= (byte) (1 << random.nextInt(8));
      }
      int length = random.nextInt(10) == 0 ? random.nextInt(d.length + 1) : d.length;
      ReliableConnection fresh = new ReliableConnection(ID, ReliableConfig.defaults(), now);
      fresh.receive(d, 0, length, now);
      fresh.pollDatagrams(now);
      drain(fresh);
    }
  }

  @Test
  void theIdleTimeoutEndsAConnectionWhosePeerWentSilent() {
    SimulatedNetwork net =
        new SimulatedNetwork(1, SimulatedNetwork.Conditions.perfect(10 * MS), ReliableConfig.defaults());
    long start = net.now();
    net.b.silenced = true;
    assertThat(net.runUntil(() -> !net.a.connection.isOpen(), 120 * SECOND, 10_000)).isTrue();
    assertThat(net.a.connection.state()).isEqualTo(ReliableConnection.State.TIMED_OUT);
    assertThat(net.now() - start).isEqualTo(45 * SECOND);
    assertThat(net.a.connection.nextTimeoutNanos()).isEqualTo(ReliableConnection.NEVER);
    assertThat(net.a.connection.send("late".getBytes(UTF_8), net.now())).isFalse();
  }

  @Test
  void keepalivesKeepAQuietConnectionOpenOverALossyLink() {
    SimulatedNetwork net =
        new SimulatedNetwork(3, SimulatedNetwork.Conditions.lossy(0.2), ReliableConfig.defaults());
    long tenMinutes = 600 * SECOND;
    long end = net.now() + tenMinutes;
    net.runUntil(() -> net.now() >= end, tenMinutes + SECOND, 100_000);

    assertThat(net.a.connection.isOpen()).isTrue();
    assertThat(net.b.connection.isOpen()).isTrue();
    // Per 10 s of quiet: one PING (the sides take turns) and its ack; when either is lost (36% of the time at
    // 20% loss) two probes and another ack. About 3 to 4 datagrams per interval: 180 to 260 in ten minutes.
    long datagrams = net.a.datagramsSent + net.b.datagramsSent;
    assertThat(datagrams).isBetween(120L, 300L);
  }

  @Test
  void closeTellsThePeerWhy() {
    a.close(0, "bye", now);
    assertThat(a.state()).isEqualTo(ReliableConnection.State.CLOSED_LOCALLY);
    deliver(a.pollDatagrams(now), b, now);
    assertThat(a.pollDatagrams(now)).as("CLOSE is sent once").isEmpty();

    assertThat(b.state()).isEqualTo(ReliableConnection.State.CLOSED_BY_PEER);
    assertThat(b.peerClose()).hasValue(new Chunk.Close(0, "bye"));
    assertThat(b.send("x".getBytes(UTF_8), now)).isFalse();
  }

  @Test
  void messagesDeliveredBeforeACloseCanStillBePolled() {
    a.send("last words".getBytes(UTF_8), now);
    deliver(a.pollDatagrams(now), b, now);
    b.close(0, "", now);
    assertThat(drain(b)).hasSize(1);
  }

  @Test
  void rttIsMeasuredFromAcks() {
    SimulatedNetwork net =
        new SimulatedNetwork(5, SimulatedNetwork.Conditions.perfect(40 * MS), ReliableConfig.defaults());
    int[] sent = {0};
    net.runUntil(
        () -> net.b.delivered.size() == 50 && net.a.connection.queuedBytes() == 0,
        60 * SECOND,
        100_000,
        () -> {
          if (sent[0] < 50 && net.a.connection.send(bytes(500, sent[0]), net.now())) {
            sent[0]++;
          }
        });
    ConnectionStats stats = net.a.connection.stats();
    assertThat(stats.minRttNanos()).isEqualTo(80 * MS);
    // The smoothed RTT subtracts the peer's ack delay, so it stays near the path's 80 ms.
    assertThat(stats.smoothedRttNanos()).isBetween(80 * MS, 90 * MS);
    assertThat(stats.packetsLost()).isZero();
  }

  @Test
  void timeThatRunsBackwardsIsIgnored() {
    a.send("x".getBytes(UTF_8), now);
    a.pollDatagrams(now);
    long timeout = a.nextTimeoutNanos();
    a.onTimeout(now - SECOND);
    assertThat(a.nextTimeoutNanos()).isEqualTo(timeout);
  }
}
