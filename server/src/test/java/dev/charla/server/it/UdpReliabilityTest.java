package dev.charla.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.charla.client.CharlaClient;
import dev.charla.client.ConnectionState;
import dev.charla.client.Transport;
import dev.charla.protocol.ServerFrame;
import dev.charla.protocol.udp.ReliableConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End to end through a lossy relay on loopback: UDP clients lose nothing, see nothing twice, keep order, ride out
 * blackouts, expire when silent too long, and move to a new address only after proving it.
 */
class UdpReliabilityTest {
  @TempDir Path dir;

  private static long seed() {
    return Long.getLong("charla.relay.seed", System.nanoTime());
  }

  @ParameterizedTest(name = "loss {0}%")
  @ValueSource(ints = {5, 20, 30})
  void udpAndTcpUsersExchangeEverythingExactlyOnceAndInOrderThroughALossyPath(int lossPercent) throws Exception {
    try (TestServer server = new TestServer(dir, c -> c.unlimited());
        LossyUdpRelay relay = new LossyUdpRelay(server.port(), seed())) {
      relay.impair(lossPercent / 100.0, 0.02, 0.05, 5);
      var udpEvents = new RecordingListener();
      var tcpEvents = new RecordingListener();
      CharlaClient udp = server.client(udpEvents, Transport.UDP, relay.port());
      udp.guest("udpuser").join();
      CharlaClient tcp = server.client(tcpEvents);
      tcp.guest("tcpuser").join();

      int n = 150;
      List<CompletableFuture<?>> sends = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        sends.add(udp.send("#lobby", "u" + i));
        sends.add(tcp.send("@udpuser", "t" + i + " " + "x".repeat(i % 7 == 0 ? 3_000 : 10)));
      }
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(60, java.util.concurrent.TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(60)).until(() -> udpEvents.messages.size() == 2 * n);
      String why = "relay seed " + relay.seed();
      assertThat(udpEvents.textsIn("#lobby")).as(why)
          .containsExactlyElementsOf(IntStream.range(0, n).mapToObj(i -> "u" + i).toList());
      assertThat(udpEvents.textsIn("@tcpuser,udpuser")).as(why).hasSize(n)
          .allSatisfy(t -> assertThat(t).startsWith("t"));
      List<Integer> order = udpEvents.textsIn("@tcpuser,udpuser").stream()
          .map(t -> Integer.parseInt(t.substring(1, t.indexOf(' ')))).toList();
      assertThat(order).as(why).isSorted().doesNotHaveDuplicates();
      await().atMost(Duration.ofSeconds(30)).until(() -> tcpEvents.textsIn("#lobby").size() == n);
      assertThat(relay.dropped.get()).as("the relay did lose datagrams").isPositive();
    }
  }

  @Test
  void aShortBlackoutLosesNothingAndKeepsTheSession() throws Exception {
    try (TestServer server = new TestServer(dir);
        LossyUdpRelay relay = new LossyUdpRelay(server.port(), seed())) {
      var udpEvents = new RecordingListener();
      CharlaClient udp = server.client(udpEvents, Transport.UDP, relay.port());
      udp.guest("lid").join();
      CharlaClient tcp = server.client(new RecordingListener());
      tcp.guest("talker").join();
      int portBefore = udp.whoami().join().port();

      relay.blackout(true); // the lid is closed
      for (int i = 0; i < 5; i++) {
        tcp.send("#lobby", "while away " + i).join();
      }
      await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
      relay.blackout(false);

      await().atMost(Duration.ofSeconds(20)).until(() -> udpEvents.textsIn("#lobby").size() == 5);
      assertThat(udpEvents.textsIn("#lobby")).containsExactly(
          "while away 0", "while away 1", "while away 2", "while away 3", "while away 4");
      assertThat(udp.whoami().join().port()).isEqualTo(portBefore);
      assertThat(udpEvents.states).doesNotContain(ConnectionState.RECONNECTING);
    }
  }

  @Test
  void aBlackoutLongerThanTheIdleTimeoutEndsTheSessionThenTheClientResumesAndGetsWhatWaited() throws Exception {
    ReliableConfig quick = ReliableConfig.defaults()
        .withKeepaliveAndIdleTimeout(Duration.ofMillis(300), Duration.ofMillis(1_500));
    try (TestServer server = new TestServer(dir, c -> c, u -> new dev.charla.server.transport.udp.UdpServer.Options(
            quick, u.datagramsPerSecondPerIp(), u.handshakesPerSecondPerIp()));
        LossyUdpRelay relay = new LossyUdpRelay(server.port(), seed())) {
      var anaEvents = new RecordingListener();
      CharlaClient ana = server.client(anaEvents, Transport.UDP, relay.port());
      ana.register("ana", "correct horse").join();
      var bobEvents = new RecordingListener();
      CharlaClient bob = server.client(bobEvents);
      bob.guest("bob").join();

      relay.blackout(true);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> bobEvents.roomEvents.contains(new ServerFrame.RoomEvent("#lobby", "ana", "offline")));
      bob.send("@ana", "te espero").join(); // ana is offline now: stored for her
      bob.send("#lobby", "en la sala").join();
      relay.blackout(false);

      await().atMost(Duration.ofSeconds(30))
          .until(() -> anaEvents.texts().containsAll(List.of("te espero", "en la sala")));
      assertThat(anaEvents.texts()).doesNotHaveDuplicates();
      assertThat(anaEvents.states).contains(ConnectionState.RECONNECTING);
      var back = new ServerFrame.RoomEvent("#lobby", "ana", "online");
      await().atMost(Duration.ofSeconds(10)).until(() -> bobEvents.roomEvents.lastIndexOf(back)
          > bobEvents.roomEvents.indexOf(new ServerFrame.RoomEvent("#lobby", "ana", "offline")));
      assertThat(server.udpStats().resetsSent()).as("the server told the client its session had expired").isPositive();
    }
  }

  @Test
  void aNewClientAddressIsUsedOnlyAfterItAnswersTheChallenge() throws Exception {
    try (TestServer server = new TestServer(dir);
        LossyUdpRelay relay = new LossyUdpRelay(server.port(), seed())) {
      var events = new RecordingListener();
      CharlaClient udp = server.client(events, Transport.UDP, relay.port());
      udp.guest("mover").join();
      CharlaClient tcp = server.client(new RecordingListener());
      tcp.guest("watcher").join();
      int before = udp.whoami().join().port();

      relay.rebind(); // the NAT gave the client a new public port
      udp.send("#lobby", "from the new port").join();
      await().atMost(Duration.ofSeconds(10)).until(() -> server.udpStats().migrations() == 1);
      assertThat(server.udpStats().challengesSent()).isPositive();
      int after = tcp.who().join().stream().filter(s -> s.name().equals("mover")).findFirst().orElseThrow().port();
      assertThat(after).isNotEqualTo(before);
      tcp.send("#lobby", "can you hear me").join();
      await().atMost(Duration.ofSeconds(10)).until(() -> events.texts().contains("can you hear me"));
    }
  }
}
