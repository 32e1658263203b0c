package dev.charla.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.charla.client.CharlaClient;
import dev.charla.client.ChatException;
import dev.charla.client.DirectMode;
import dev.charla.client.TransferProgress;
import dev.charla.client.Transport;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.ServerFrame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Files offered while a direct conversation is up travel over the direct path (TCP or UDP), not through the
 * server: accept with verification, decline, a few megabytes, nothing existing overwritten.
 */
@Timeout(60)
class DirectFilesTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir Path dir;

  private record Pair(TestServer server, CharlaClient ana, RecordingListener anaEvents, CharlaClient bob,
      RecordingListener bobEvents, String link) implements AutoCloseable {
    @Override
    public void close() {
      server.close();
    }
  }

  private Pair direct(Transport kind) throws Exception {
    TestServer server = new TestServer(Files.createDirectories(dir.resolve("server")));
    RecordingListener anaEvents = new RecordingListener();
    RecordingListener bobEvents = new RecordingListener();
    UnaryOperator<CharlaClient.Builder> only = b -> b.directPathKinds(kind).directTimeout(Duration.ofSeconds(5));
    CharlaClient ana = server.client(anaEvents, only);
    CharlaClient bob = server.client(bobEvents, only);
    ana.guest("ana").join();
    bob.guest("bob").join();
    String link = ana.requestDirect("bob").join();
    await().atMost(WAIT).until(() -> bobEvents.directRequests.contains(link + " ana"));
    bob.acceptDirect(link).join();
    await().atMost(WAIT).until(() -> ana.directMode(link) == DirectMode.DIRECT
        && bob.directMode(link) == DirectMode.DIRECT);
    assertThat(ana.directPath(link)).isEqualTo(kind);
    return new Pair(server, ana, anaEvents, bob, bobEvents, link);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aFewMegabytesGoDirectVerifiedAndNothingIsOverwritten(Transport kind) throws Exception {
    long seed = System.nanoTime();
    System.out.println("seed " + seed);
    byte[] content = new byte[3 * 1024 * 1024 + 12_345];
    new Random(seed).nextBytes(content);
    Path file = Files.write(dir.resolve("fotos.tar"), content);
    Path inbox = Files.createDirectories(dir.resolve("inbox"));
    Files.writeString(inbox.resolve("fotos.tar"), "already here");
    try (Pair p = direct(kind)) {
      List<TransferProgress> sent = new CopyOnWriteArrayList<>();
      List<TransferProgress> received = new CopyOnWriteArrayList<>();
      var offered = p.ana().offer("bob", file, sent::add);
      await().atMost(WAIT).until(() -> !p.bobEvents().offers.isEmpty());
      ServerFrame.FileInfo offer = p.bobEvents().offers.get(0);
      assertThat(CharlaClient.isDirectFile(offer.id())).isTrue();
      assertThat(offer.owner()).isEqualTo("ana");
      assertThat(offer.size()).isEqualTo(content.length);
      assertThat(offer.sha256()).isEqualTo(sha256(content));

      Path saved = p.bob().acceptOffer(offer, inbox, received::add).join();
      ServerFrame.FileInfo done = offered.join();
      assertThat(saved.getFileName().toString()).isEqualTo("fotos (1).tar");
      assertThat(Files.readAllBytes(saved)).isEqualTo(content);
      assertThat(Files.readString(inbox.resolve("fotos.tar"))).isEqualTo("already here");
      assertThat(done.to()).isEqualTo("bob");
      assertThat(received.get(received.size() - 1).done()).isEqualTo(content.length);
      await().atMost(WAIT).until(() -> !sent.isEmpty() && sent.get(sent.size() - 1).done() == content.length);
      // Nothing went through the server: no file in its area, no offer stored there.
      assertThat(p.ana().files().join().files()).isEmpty();
      assertThat(p.ana().files().join().usedBytes()).isZero();
      assertThat(p.ana().directMode(p.link())).isEqualTo(DirectMode.DIRECT);
      try (var left = Files.list(inbox)) {
        assertThat(left.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("fotos.tar", "fotos (1).tar");
      }
    }
  }

  @Test
  void aDeclinedDirectOfferFailsForTheSenderWithDeclined() throws Exception {
    Path file = Files.writeString(dir.resolve("nota.txt"), "hola");
    try (Pair p = direct(Transport.TCP)) {
      var offered = p.ana().offer("@bob", file, progress -> { });
      await().atMost(WAIT).until(() -> !p.bobEvents().offers.isEmpty());
      p.bob().declineOffer(p.bobEvents().offers.get(0)).join();
      assertThatThrownBy(offered::join).cause().isInstanceOf(ChatException.class)
          .extracting(e -> ((ChatException) e).code()).isEqualTo(ErrorCode.DECLINED);
      // The conversation goes on.
      p.ana().sendDirect(p.link(), "ok, no file").join();
      await().atMost(WAIT).until(() -> p.bobEvents().directMessages.contains("ana: ok, no file (direct)"));
    }
  }

  @Test
  void withoutADirectConversationAnOfferGoesThroughTheServer() throws Exception {
    Path file = Files.writeString(dir.resolve("nota.txt"), "por el servidor");
    try (TestServer server = new TestServer(Files.createDirectories(dir.resolve("server")))) {
      RecordingListener bobEvents = new RecordingListener();
      CharlaClient ana = server.client(new RecordingListener());
      CharlaClient bob = server.client(bobEvents);
      ana.register("ana", "correct horse battery").join(); // guests may not upload to the server
      bob.guest("bob").join();
      ServerFrame.FileInfo stored = ana.offer("bob", file, progress -> { }).join();
      assertThat(CharlaClient.isDirectFile(stored.id())).isFalse();
      await().atMost(WAIT).until(() -> !bobEvents.offers.isEmpty());
      Path saved = bob.acceptOffer(bobEvents.offers.get(0), Files.createDirectories(dir.resolve("in")), p -> { })
          .join();
      assertThat(Files.readString(saved)).isEqualTo("por el servidor");
    }
  }

  private static String sha256(byte[] b) throws Exception {
    return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
