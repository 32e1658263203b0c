package dev.charla.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.charla.client.CharlaClient;
import dev.charla.client.Transport;
import dev.charla.protocol.udp.DatagramCodec;
import dev.charla.protocol.udp.Packet;
import dev.charla.protocol.udp.PacketType;
import dev.charla.protocol.udp.UdpLimits;
import dev.charla.server.transport.udp.UdpStats;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a hostile or broken UDP peer can and cannot do to the server. */
class UdpSafetyTest {
  @TempDir Path dir;
  TestServer server;
  DatagramSocket attacker;
  InetSocketAddress target;

  @BeforeEach
  void start() throws Exception {
    server = new TestServer(dir);
    attacker = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    attacker.setSoTimeout(300);
    target = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
  }

  @AfterEach
  void stop() {
    attacker.close();
    server.close();
  }

  private void send(byte[] datagram) throws IOException {
    attacker.send(new DatagramPacket(datagram, datagram.length, target));
  }

  /** Bytes received until nothing arrives for 300 ms. */
  private long drain() throws IOException {
    long total = 0;
    byte[] buf = new byte[2048];
    for (int i = 0; i < 10_000; i++) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        attacker.receive(p);
      } catch (SocketTimeoutException e) {
        return total;
      }
      total += p.getLength();
    }
    return total;
  }

  private static byte[] hello(long id, byte[] cookie, int size) {
    byte[] payload = new byte[size - UdpLimits.FIXED_HEADER_BYTES];
    if (cookie != null) {
      System.arraycopy(cookie, 0, payload, 0, cookie.length);
    }
    return DatagramCodec.encode(new Packet.Control(PacketType.HELLO, id, payload));
  }

  /** A normal client still works after the abuse. */
  private void serverStillServes() {
    var events = new RecordingListener();
    CharlaClient c = server.client(events, Transport.UDP, server.port());
    c.guest("survivor").join();
    c.send("#lobby", "still here").join();
    await().atMost(Duration.ofSeconds(5)).until(() -> events.texts().contains("still here"));
  }

  @Test
  void beforeValidationTheServerSendsAtMostThreeTimesWhatItReceived() throws Exception {
    long sent = 0;
    for (int i = 0; i < 30; i++) {
      byte[] h = hello(1000 + i, null, UdpLimits.MAX_DATAGRAM_BYTES);
      send(h);
      sent += h.length;
    }
    long received = drain();
    assertThat(received).isPositive().isLessThanOrEqualTo(3 * sent);
    // and spoofed handshakes leave no state behind
    assertThat(server.udpStats().connections()).isZero();
  }

  @Test
  void anUnpaddedHelloGetsNoAnswer() throws Exception {
    send(hello(7, null, 100));
    assertThat(drain()).isZero();
    assertThat(server.udpStats().droppedUnpaddedHello()).isEqualTo(1);
  }

  @Test
  void aForgedOrStaleCookieOpensNothing() throws Exception {
    byte[] forged = new byte[24];
    new Random(1).nextBytes(forged);
    send(hello(9, forged, UdpLimits.MAX_DATAGRAM_BYTES));
    drain(); // a fresh cookie comes back, nothing else
    assertThat(server.udpStats().connections()).isZero();
    assertThat(server.udpStats().cookiesSent()).isEqualTo(1);
  }

  @Test
  void malformedTruncatedOversizeAndRandomDatagramsAreDroppedAndCounted() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    send(new byte[] {1, 2, 3}); // shorter than a header
    send(new byte[1300]); // over the datagram limit
    byte[] wrongMagic = hello(1, null, UdpLimits.MAX_DATAGRAM_BYTES);
    wrongMagic[0] = 0;
    send(wrongMagic);
    byte[] unknownType = hello(1, null, UdpLimits.MAX_DATAGRAM_BYTES);
    unknownType[3] = 0x7F;
    send(unknownType);
    for (int i = 0; i < 2_000; i++) {
      byte[] junk = new byte[1 + random.nextInt(1200)];
      random.nextBytes(junk);
      if (random.nextBoolean() && junk.length > 12) { // plausible headers with garbage behind them
        junk[0] = UdpLimits.MAGIC_0;
        junk[1] = UdpLimits.MAGIC_1;
        junk[2] = UdpLimits.DATAGRAM_VERSION;
        junk[3] = (byte) (random.nextBoolean() ? 0x01 : 0x13);
      }
      send(junk);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.udpStats().datagramsReceived() >= 2_004 - 50);
    UdpStats stats = server.udpStats();
    assertThat(stats.droppedMalformed() + stats.droppedUnknownConnection() + stats.droppedRateLimited())
        .as("seed " + seed).isGreaterThanOrEqualTo(4);
    assertThat(stats.connections()).as("seed " + seed).isZero();
    serverStillServes();
  }

  @Test
  void replayedDatagramsOfALiveConnectionChangeNothing() throws Exception {
    try (LossyUdpRelay replayer = new LossyUdpRelay(server.port(), 42)) {
      replayer.impair(0, 1.0, 0.3, 5); // every datagram arrives twice, some late: a replay of each
      var events = new RecordingListener();
      CharlaClient c = server.client(events, Transport.UDP, replayer.port());
      c.guest("victim").join();
      for (int i = 0; i < 20; i++) {
        c.send("#lobby", "once " + i).join();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> events.texts().size() == 20);
      assertThat(events.texts()).doesNotHaveDuplicates();
      CharlaClient other = server.client(new RecordingListener());
      other.guest("other").join();
      assertThat(other.history("#lobby", null, 50).join().messages()).hasSize(20);
    }
  }

  @Test
  void dataForAnUnknownConnectionIsDroppedAndAnsweredWithAtMostAFewSmallResets() throws Exception {
    long sent = 0;
    for (int i = 0; i < 50; i++) {
      byte[] d = DatagramCodec.encode(new Packet.Data(123_456 + i, 0, java.util.List.of(
          new dev.charla.protocol.udp.Chunk.Ping())));
      send(d);
      sent += d.length;
    }
    long received = drain();
    UdpStats stats = server.udpStats();
    assertThat(stats.droppedUnknownConnection()).isEqualTo(50);
    assertThat(stats.resetsSent()).isBetween(1L, 10L); // rate-limited per address
    assertThat(received).isLessThanOrEqualTo(3 * sent);
    assertThat(stats.connections()).isZero();
  }

  @Test
  void aNewAddressThatCannotAnswerTheChallengeIsNotAdopted() throws Exception {
    CharlaClient watcher = server.client(new RecordingListener());
    watcher.guest("watcher").join();
    try (LossyUdpRelay relay = new LossyUdpRelay(server.port(), 7)) {
      CharlaClient moving = server.client(new RecordingListener(), Transport.UDP, relay.port());
      moving.guest("moving").join();
      int port = moving.whoami().join().port();
      relay.deafenClients(true); // datagrams still reach the server from the new port; answers never return
      relay.rebind();
      moving.send("#lobby", "from an address that cannot prove itself");
      await().atMost(Duration.ofSeconds(5)).until(() -> server.udpStats().challengesSent() > 0);
      assertThat(server.udpStats().migrations()).isZero();
      assertThat(watcher.who().join()).filteredOn(s -> s.name().equals("moving"))
          .extracting(dev.charla.protocol.ServerFrame.SessionInfo::port).containsExactly(port);
    }
  }

  @Test
  void datagramsBeyondAnAddresssRateAreDropped() throws Exception {
    server.close();
    server = new TestServer(dir.resolve("rl"), c -> c, u -> new dev.charla.server.transport.udp.UdpServer.Options(
        u.reliable(), 50, u.handshakesPerSecondPerIp()));
    target = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
    for (int i = 0; i < 500; i++) {
      send(new byte[20]);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.udpStats().datagramsReceived() >= 450);
    assertThat(server.udpStats().droppedRateLimited()).isGreaterThan(300);
  }
}
