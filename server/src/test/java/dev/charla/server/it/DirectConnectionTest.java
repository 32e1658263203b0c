package dev.charla.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.charla.client.CharlaClient;
import dev.charla.client.ChatException;
import dev.charla.client.DirectMode;
import dev.charla.client.Transport;
import dev.charla.protocol.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Direct connections on loopback ("local"): consent, the direct TCP path, closing, relay fallback, limits. */
@Timeout(30)
class DirectConnectionTest {
  private static final Duration WAIT = Duration.ofSeconds(8);
  @TempDir Path dir;

  /**
   * A test server; retried a few times because its UDP socket takes the TCP port's number, which another process
   * on a busy machine may hold for UDP.
   */
  private TestServer startServer() throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return new TestServer(java.nio.file.Files.createDirectories(dir.resolve("s" + attempt)));
      } catch (Exception e) { // Netty rethrows the BindException unchecked
        if (attempt == 5 || !(e instanceof java.net.BindException)) {
          throw e;
        }
      }
    }
  }

  @Test
  void aDeclinedRequestRevealsNoAddressToAnyone() throws Exception {
    try (TestServer server = startServer();
        RawConnection ana = new RawConnection(server.port()).hello().guest("ana");
        RawConnection bob = new RawConnection(server.port()).hello().guest("bob")) {
      ana.send("{\"type\":\"direct\",\"id\":\"d1\",\"to\":\"bob\",\"candidates\":[\"10.9.9.9:4000\"]}");
      String pending = ana.readUntil("\"direct_pending\"");
      String link = pending.replaceAll(".*\"link\":\"([^\"]+)\".*", "$1");
      String request = bob.readUntil("\"direct_request\"");
      assertThat(request).contains("\"from\":\"ana\"").doesNotContain("10.9.9.9").doesNotContain("127.0.0.1")
          .doesNotContain("candidates");

      bob.send("{\"type\":\"direct_decline\",\"id\":\"n1\",\"link\":\"" + link + "\"}");
      bob.readUntil("\"re\":\"n1\"");
      assertThat(ana.readUntil("\"direct_declined\"")).contains("\"peer\":\"bob\"");
      // Nothing that follows carries an address or a secret, to either side.
      List<String> after = new ArrayList<>();
      for (RawConnection c : List.of(ana, bob)) {
        c.send("{\"type\":\"ping\",\"id\":\"p\"}");
        for (String line = c.readLine(); !line.contains("\"pong\""); line = c.readLine()) {
          after.add(line);
        }
      }
      assertThat(after).noneMatch(l -> l.contains("candidates") || l.contains("secret") || l.contains("10.9.9.9"));
      // Accepting after declining is too late.
      bob.send("{\"type\":\"direct_accept\",\"id\":\"a1\",\"link\":\"" + link + "\"}");
      assertThat(bob.readUntil("\"re\":\"a1\"")).contains("no_such_link");
      assertThat(server.direct().brokeredLinks()).isZero();
    }
  }

  @Test
  void acceptedConversationGoesDirectBothWaysAndTheServerSeesNoMessage() throws Exception {
    try (TestServer server = startServer()) {
      RecordingListener anaEvents = new RecordingListener();
      RecordingListener bobEvents = new RecordingListener();
      CharlaClient ana = server.client(anaEvents);
      CharlaClient bob = server.client(bobEvents);
      ana.guest("ana").join();
      bob.guest("bob").join();

      String link = ana.requestDirect("bob").join();
      await().atMost(WAIT).until(() -> bobEvents.directRequests.contains(link + " ana"));
      assertThat(ana.directMode(link)).isEqualTo(DirectMode.ASKING);
      bob.acceptDirect(link).join();
      await().atMost(WAIT).until(() -> ana.directMode(link) == DirectMode.DIRECT
          && bob.directMode(link) == DirectMode.DIRECT);
      // Both ends are on this machine: the peer's address is one of its interfaces (loopback or another).
      assertThat(java.net.NetworkInterface.getByInetAddress(ana.directPeerAddress(link).getAddress())).isNotNull();
      await().atMost(WAIT).until(() -> anaEvents.directStates.stream()
          .anyMatch(s -> s.startsWith(link + " DIRECT direct with bob at ")));

      ana.sendDirect(link, "hola bob").join();
      bob.sendDirect(link, "hola ana").join();
      await().atMost(WAIT).until(() -> bobEvents.directMessages.contains("ana: hola bob (direct)")
          && anaEvents.directMessages.contains("bob: hola ana (direct)"));
      // The server relayed nothing and stored nothing.
      assertThat(server.direct().relayedMessages()).isZero();
      assertThat(server.direct().brokeredLinks()).isEqualTo(1);
      assertThat(ana.history("@bob", null, 50).join().messages()).isEmpty();

      bob.closeDirect(link).join();
      await().atMost(WAIT).until(() -> anaEvents.directStates.contains(link + " CLOSED closed by bob"));
      assertThat(ana.directMode(link)).isEqualTo(DirectMode.CLOSED);
      assertThatThrownBy(() -> ana.sendDirect(link, "still there?").join())
          .isInstanceOf(CompletionException.class).hasCauseInstanceOf(ChatException.class);
    }
  }

  @Test
  void overUdpAloneTheConversationGoesDirectReliablyAndClosesForBoth() throws Exception {
    try (TestServer server = startServer()) {
      RecordingListener anaEvents = new RecordingListener();
      RecordingListener bobEvents = new RecordingListener();
      // Neither side opens or reports a TCP port: only UDP probing can connect them.
      CharlaClient ana = server.client(anaEvents, b -> b.directPathKinds(Transport.UDP));
      CharlaClient bob = server.client(bobEvents, b -> b.directPathKinds(Transport.UDP));
      ana.guest("ana").join();
      bob.guest("bob").join();

      String link = ana.requestDirect("bob").join();
      await().atMost(WAIT).until(() -> bobEvents.directRequests.contains(link + " ana"));
      bob.acceptDirect(link).join();
      await().atMost(WAIT).until(() -> ana.directMode(link) == DirectMode.DIRECT
          && bob.directMode(link) == DirectMode.DIRECT);
      assertThat(ana.directPath(link)).isEqualTo(Transport.UDP);
      assertThat(bob.directPath(link)).isEqualTo(Transport.UDP);
      await().atMost(WAIT).until(() -> anaEvents.directStates.stream()
          .anyMatch(s -> s.startsWith(link + " DIRECT direct with bob at ") && s.endsWith(" over udp")));

      // Many messages, both ways at once: all arrive, in order, once.
      List<String> expectedAtBob = new ArrayList<>();
      List<String> expectedAtAna = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        ana.sendDirect(link, "a" + i);
        bob.sendDirect(link, "b" + i);
        expectedAtBob.add("ana: a" + i + " (direct)");
        expectedAtAna.add("bob: b" + i + " (direct)");
      }
      await().atMost(WAIT).until(() -> bobEvents.directMessages.size() >= 200 && anaEvents.directMessages.size() >= 200);
      assertThat(bobEvents.directMessages).containsExactlyElementsOf(expectedAtBob);
      assertThat(anaEvents.directMessages).containsExactlyElementsOf(expectedAtAna);
      assertThat(server.direct().relayedMessages()).isZero();

      ana.closeDirect(link).join();
      await().atMost(WAIT).until(() -> bobEvents.directStates.contains(link + " CLOSED closed by ana"));
      assertThat(bob.directMode(link)).isEqualTo(DirectMode.CLOSED);
    }
  }

  @Test
  void unreachableUdpCandidatesFallBackToTheRelay() throws Exception {
    try (TestServer server = startServer();
        RawConnection bob = new RawConnection(server.port()).hello().guest("bob")) {
      RecordingListener anaEvents = new RecordingListener();
      CharlaClient ana = server.client(anaEvents, b -> b.directPathKinds(Transport.UDP)
          .directTimeout(Duration.ofMillis(1_000)));
      ana.guest("ana").join();
      String link = ana.requestDirect("bob").join();
      bob.readUntil("\"direct_request\"");
      // Bob reports a UDP address where nobody answers (a bound socket that never reads): probes go unanswered.
      try (java.net.DatagramSocket silent = new java.net.DatagramSocket(0)) {
        bob.send("{\"type\":\"direct_accept\",\"id\":\"a1\",\"link\":\"" + link + "\",\"udp\":[\"127.0.0.1:"
            + silent.getLocalPort() + "\"]}");
        String ready = bob.readUntil("\"re\":\"a1\"");
        // Bob is told ana's UDP candidates (her interfaces, then the address the server sees with her port).
        assertThat(ready).contains("\"udp\":[\"").contains("127.0.0.1:");
        await().atMost(WAIT).until(() -> ana.directMode(link) == DirectMode.RELAYED);
        // Ana did probe the address: PEER_PROBE datagrams (header, role, nonce, and a proof once it knew bob's nonce).
        silent.setSoTimeout(2_000);
        java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[1300], 1300);
        silent.receive(p);
        assertThat(p.getLength()).isBetween(12 + 17, 12 + 17 + 32);
        assertThat(p.getData()[3]).isEqualTo((byte) 0x14);
      }
      ana.sendDirect(link, "through the server").join();
      assertThat(bob.readUntil("\"direct_msg\"")).contains("through the server");
    }
  }

  @Test
  void withoutADirectPathTheServerRelaysAndSaysSo() throws Exception {
    try (TestServer server = startServer()) {
      RecordingListener anaEvents = new RecordingListener();
      RecordingListener bobEvents = new RecordingListener();
      CharlaClient ana = server.client(anaEvents, b -> b.directTimeout(Duration.ofMillis(1_500)));
      // Bob neither listens nor dials, and reports no address: no direct path can exist.
      CharlaClient bob = server.client(bobEvents, b -> b.directPaths(false));
      ana.guest("ana").join();
      bob.guest("bob").join();

      String link = ana.requestDirect("@bob").join();
      await().atMost(WAIT).until(() -> !bobEvents.directRequests.isEmpty());
      bob.acceptDirect(link).join();
      await().atMost(WAIT).until(() -> ana.directMode(link) == DirectMode.RELAYED
          && bob.directMode(link) == DirectMode.RELAYED);
      await().atMost(WAIT).until(() -> anaEvents.directStates.contains(link + " RELAYED no direct path within 1500 ms")
          && bobEvents.directStates.contains(link + " RELAYED direct connections are off here"));

      ana.sendDirect(link, "via the server").join();
      bob.sendDirect(link, "back again").join();
      await().atMost(WAIT).until(() -> bobEvents.directMessages.contains("ana: via the server (relayed)")
          && anaEvents.directMessages.contains("bob: back again (relayed)"));
      assertThat(server.direct().relayedMessages()).isEqualTo(2);
      assertThat(ana.history("@bob", null, 50).join().messages()).isEmpty();

      // Going offline ends it for the other side.
      bob.close();
      await().atMost(WAIT).until(() -> anaEvents.directStates.contains(link + " CLOSED bob went offline"));
    }
  }

  @Test
  void afterAReconnectBothSidesAgreeTheConversationEndedAndANewOneWorks() throws Exception {
    try (TestServer server = startServer()) {
      RecordingListener anaEvents = new RecordingListener();
      RecordingListener bobEvents = new RecordingListener();
      CharlaClient ana = server.client(anaEvents, b -> b.directTimeout(Duration.ofMillis(800)));
      CharlaClient bob = server.client(bobEvents, b -> b.directPaths(false));
      ana.register("ana", "correct horse battery").join();
      bob.register("bob", "battery staple horse").join();
      String link = ana.requestDirect("bob").join();
      await().atMost(WAIT).until(() -> bobEvents.directRequests.contains(link + " ana"));
      bob.acceptDirect(link).join();
      await().atMost(WAIT).until(() -> ana.directMode(link) == DirectMode.RELAYED);

      // The server goes away and comes back: its links (secret, relay) are gone, and so are both clients'.
      server.restart();
      await().atMost(WAIT).until(() -> ana.directMode(link) == DirectMode.CLOSED
          && bob.directMode(link) == DirectMode.CLOSED);
      // Which side learns first depends on the shutdown's order: bob's session may be closed (and ana told bob went
      // offline) before ana's own connection drops. Either way ana's conversation ended with one of these reasons.
      assertThat(anaEvents.directStates).containsAnyOf(
          link + " CLOSED the connection to the server was lost; ask again", link + " CLOSED bob went offline");
      await().atMost(Duration.ofSeconds(20)).until(() -> ana.state() == dev.charla.client.ConnectionState.LOGGED_IN
          && bob.state() == dev.charla.client.ConnectionState.LOGGED_IN);

      String again = await().atMost(WAIT).ignoreExceptions().until(() -> ana.requestDirect("bob").join(), l -> true);
      await().atMost(WAIT).until(() -> bobEvents.directRequests.contains(again + " ana"));
      bob.acceptDirect(again).join();
      await().atMost(WAIT).until(() -> ana.directMode(again) == DirectMode.RELAYED);
      ana.sendDirect(again, "still here").join();
      await().atMost(WAIT).until(() -> bobEvents.directMessages.contains("ana: still here (relayed)"));
    }
  }

  @Test
  void requestsAreRateLimitedAndNeedAnOnlineUser() throws Exception {
    try (TestServer server = startServer()) {
      CharlaClient ana = server.client(new RecordingListener());
      server.client(new RecordingListener()).guest("bob").join();
      ana.guest("ana").join();
      assertThatThrownBy(() -> ana.requestDirect("nobody").join()).hasCauseInstanceOf(ChatException.class)
          .cause().extracting(e -> ((ChatException) e).code()).isEqualTo(ErrorCode.NO_SUCH_USER);
      assertThatThrownBy(() -> ana.requestDirect("ana").join()).cause()
          .extracting(e -> ((ChatException) e).code()).isEqualTo(ErrorCode.FORBIDDEN);
      List<String> links = new ArrayList<>();
      for (int i = 0; i < dev.charla.server.core.direct.DirectBroker.REQUESTS_PER_MINUTE; i++) {
        links.add(ana.requestDirect("bob").join());
      }
      assertThat(links).doesNotHaveDuplicates();
      assertThatThrownBy(() -> ana.requestDirect("bob").join()).cause()
          .extracting(e -> ((ChatException) e).code()).isEqualTo(ErrorCode.THROTTLED);
    }
  }
}
