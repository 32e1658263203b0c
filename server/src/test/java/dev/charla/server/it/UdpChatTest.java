package dev.charla.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.charla.client.CharlaClient;
import dev.charla.client.Transport;
import dev.charla.protocol.ServerFrame;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** UDP is a first-class transport: the same accounts, rooms, presence and history as TCP. */
class UdpChatTest {
  @TempDir Path dir;

  @Test
  void tcpAndUdpUsersTalkInOneRoomAndSeeEachOthersTransport() throws Exception {
    try (TestServer server = new TestServer(dir)) {
      var udpEvents = new RecordingListener();
      var tcpEvents = new RecordingListener();
      CharlaClient udp = server.udpClient(udpEvents);
      ServerFrame.LoggedIn in = udp.register("ana", "correct horse").join();
      assertThat(in.you().transport()).isEqualTo("udp");
      CharlaClient tcp = server.client(tcpEvents);
      tcp.guest("bob").join();

      udp.send("#lobby", "por udp").join();
      tcp.send("#lobby", "por tcp").join();
      await().atMost(Duration.ofSeconds(5)).until(() -> tcpEvents.texts().containsAll(List.of("por udp", "por tcp"))
          && udpEvents.texts().containsAll(List.of("por udp", "por tcp")));
      assertThat(tcpEvents.messages).filteredOn(m -> m.text().equals("por udp")).singleElement()
          .satisfies(m -> assertThat(m.via()).isEqualTo("udp"));
      assertThat(udpEvents.messages).filteredOn(m -> m.text().equals("por tcp")).singleElement()
          .satisfies(m -> assertThat(m.via()).isEqualTo("tcp"));

      List<ServerFrame.SessionInfo> who = tcp.who().join();
      assertThat(who).extracting(ServerFrame.SessionInfo::name, ServerFrame.SessionInfo::transport,
              ServerFrame.SessionInfo::ip)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("ana", "udp", "127.0.0.1"),
              org.assertj.core.groups.Tuple.tuple("bob", "tcp", "127.0.0.1"));
      assertThat(udp.whoami().join().port()).isEqualTo(who.get(0).port());

      // private messages across transports, and history over UDP
      udp.send("@bob", "hola bob").join();
      tcp.send("@ana", "hola ana").join();
      await().atMost(Duration.ofSeconds(5)).until(() -> udpEvents.texts().contains("hola ana")
          && tcpEvents.texts().contains("hola bob"));
      assertThat(udp.history("@bob", null, 10).join().messages()).extracting(ServerFrame.Msg::text)
          .containsExactly("hola bob", "hola ana");
    }
  }

  @Test
  void historyOfLongMessagesIsCutToFitOneFrameAndPagesOn() throws Exception {
    try (TestServer server = new TestServer(dir, c -> c.unlimited())) {
      CharlaClient udp = server.udpClient(new RecordingListener());
      udp.guest("writer").join();
      String longText = "ñ".repeat(3_900); // 7.8 KB of UTF-8 each: 40 of them are far over one 64 KiB frame
      for (int i = 0; i < 40; i++) {
        udp.send("#lobby", i + " " + longText).join();
      }
      List<String> all = new java.util.ArrayList<>();
      Long before = null;
      for (int page = 0; page < 20; page++) {
        ServerFrame.HistoryPage p = udp.history("#lobby", before, 40).join();
        assertThat(p.messages().size()).isLessThan(40).isPositive();
        all.addAll(0, p.messages().stream().map(m -> m.text().substring(0, m.text().indexOf(' '))).toList());
        if (!p.more()) {
          break;
        }
        before = p.messages().get(0).seq();
      }
      assertThat(all).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 40).mapToObj(Integer::toString).toList());
    }
  }

  @Test
  void offlineMessagesReachAUdpUserAtLogin() throws Exception {
    try (TestServer server = new TestServer(dir)) {
      CharlaClient ana = server.udpClient(new RecordingListener());
      ana.register("ana", "correct horse").join();
      ana.logout().join();
      CharlaClient bob = server.client(new RecordingListener());
      bob.guest("bob").join();
      bob.send("@ana", "uno").join();
      bob.send("@ana", "dos").join();
      var later = new RecordingListener();
      server.udpClient(later).login("ana", "correct horse").join();
      await().atMost(Duration.ofSeconds(5)).until(() -> later.texts().equals(List.of("uno", "dos")));
    }
  }

  @Test
  void aUdpClientStartedBeforeTheServerLogsInOnceItIsUp() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    var events = new RecordingListener();
    CharlaClient early = CharlaClient.builder().host("127.0.0.1").port(port).transport(Transport.UDP)
        .listener(events).build();
    try {
      CompletableFuture<ServerFrame.Welcome> welcome = early.connect();
      await().pollDelay(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(() -> !welcome.isDone());
      var options = dev.charla.server.ChatServer.Options.forTests(dir.resolve("early.db")).withPort(port);
      try (var server = dev.charla.server.ChatServer.start(options)) {
        welcome.get(15, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(early.guest("early").join().you().transport()).isEqualTo("udp");
      }
    } finally {
      early.close();
    }
  }

  @Test
  void aTcpLoginCanAttachAUdpPathAndChooseTheTransportPerMessage() throws Exception {
    try (TestServer server = new TestServer(dir)) {
      var anaEvents = new RecordingListener();
      CharlaClient ana = server.client(anaEvents);
      ana.register("ana", "correct horse").join();
      ServerFrame.SessionInfo udpSession = ana.attachUdp().join();
      assertThat(udpSession.transport()).isEqualTo("udp");
      assertThat(ana.hasUdpPath()).isTrue();

      var bobEvents = new RecordingListener();
      CharlaClient bob = server.client(bobEvents);
      bob.guest("bob").join();
      assertThat(bob.who().join()).filteredOn(s -> s.name().equals("ana"))
          .extracting(ServerFrame.SessionInfo::transport).containsExactlyInAnyOrder("tcp", "udp");

      ana.send("#lobby", "over udp", Transport.UDP).join();
      ana.send("#lobby", "over tcp", Transport.TCP).join();
      await().atMost(Duration.ofSeconds(5)).until(() -> bobEvents.texts().size() == 2);
      assertThat(bobEvents.messages).extracting(ServerFrame.Msg::via).containsExactly("udp", "tcp");
      // ana's two sessions both receive each message; she is shown each once, with the path it came on
      await().atMost(Duration.ofSeconds(5)).until(() -> anaEvents.texts().size() == 2);
      assertThat(anaEvents.texts()).containsExactly("over udp", "over tcp");
      assertThat(anaEvents.arrivedOn).hasSize(2).allMatch(t -> t == Transport.UDP || t == Transport.TCP);
    }
  }
}
