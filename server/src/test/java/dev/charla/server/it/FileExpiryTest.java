package dev.charla.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.charla.client.CharlaClient;
import dev.charla.client.ChatException;
import dev.charla.client.TransferListener;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.ServerFrame;
import dev.charla.server.core.ChatConfig;
import dev.charla.server.core.FakeTicker;
import dev.charla.server.core.files.FileArea;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Expiry of abandoned file-area state, on a real server and real SQLite file with a clock the test moves: uploads
 * left without a chunk, offers left unanswered, and files on disk that nothing refers to.
 */
@Timeout(60)
class FileExpiryTest {
  private static final Duration UPLOAD_EXPIRY = Duration.ofHours(1);
  private static final Duration OFFER_EXPIRY = Duration.ofDays(2);
  /** Long enough for several sweeps at {@link #FAST_SWEEPS}' interval: "nothing happened" is then meaningful. */
  private static final Duration SEVERAL_SWEEPS = Duration.ofMillis(300);
  private static final UnaryOperator<ChatConfig> FAST_SWEEPS = c -> c.toBuilder().uploadExpiry(UPLOAD_EXPIRY)
      .offerExpiry(OFFER_EXPIRY).fileSweepInterval(Duration.ofMillis(40)).build();
  private static final String PASSWORD = "correct horse battery";

  @TempDir Path dir;
  final FakeTicker ticker = new FakeTicker();

  // ---- uploads ----

  @Test
  void anAbandonedUploadExpiresFreesItsQuotaAndAPutStartsOver() throws Exception {
    try (TestServer server = new TestServer(dir, FAST_SWEEPS, ticker)) {
      CharlaClient ana = registered(server, "ana", new RecordingListener());
      byte[] data = random(200_000, 1);
      String xfer;
      try (RawConnection raw = loggedInRaw(server.port(), "ana")) {
        raw.send(put("big.bin", data.length, sha256(data)));
        xfer = field(raw.readUntil("\"upload_ready\""), "xfer");
        raw.send(chunk(null, xfer, 0, data, 0, 32_768));
        raw.send(chunk(null, xfer, 32_768, data, 32_768, 65_536));
        raw.readUntil("\"next\":65536");
      } // abandoned: the connection ends and nobody comes back
      assertThat(ana.files().join().usedBytes()).isEqualTo(data.length);

      ticker.advance(UPLOAD_EXPIRY.minusMinutes(1));
      await().during(SEVERAL_SWEEPS).atMost(Duration.ofSeconds(5)).until(() -> Files.exists(partial(xfer)));
      assertThat(ana.files().join().usedBytes()).isEqualTo(data.length);

      ticker.advance(Duration.ofMinutes(2));
      await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(partial(xfer)));
      assertThat(ana.files().join().usedBytes()).isZero();

      // Coming back with the same file: nothing was kept, so the server says start at 0 (a new transfer).
      try (RawConnection raw = loggedInRaw(server.port(), "ana")) {
        raw.send(put("big.bin", data.length, sha256(data)));
        String ready = raw.readUntil("\"upload_ready\"");
        assertThat(field(ready, "offset")).isEqualTo("0");
        assertThat(field(ready, "xfer")).isNotEqualTo(xfer);
        // The old transfer id is told apart from one that never existed.
        raw.send(chunk("c", xfer, 65_536, data, 65_536, 98_304));
        assertThat(raw.readUntil("\"re\":\"c\"")).contains("\"code\":\"expired\"");
      }
    }
  }

  @Test
  void anIdleUploadOnAnOpenConnectionIsToldItExpired() throws Exception {
    try (TestServer server = new TestServer(dir, FAST_SWEEPS, ticker);
        RawConnection raw = loggedInRaw(server.port(), "ana", true)) {
      byte[] data = random(100_000, 2);
      raw.send(put("idle.bin", data.length, sha256(data)));
      String xfer = field(raw.readUntil("\"upload_ready\""), "xfer");
      raw.send(chunk(null, xfer, 0, data, 0, 32_768));
      raw.readUntil("\"next\":32768");

      ticker.advance(UPLOAD_EXPIRY.plusMinutes(1));
      String failed = raw.readUntil("\"transfer_failed\"");
      assertThat(failed).contains("\"xfer\":\"" + xfer + "\"").contains("\"code\":\"expired\"");
      raw.send(chunk("c", xfer, 32_768, data, 32_768, 65_536));
      assertThat(raw.readUntil("\"re\":\"c\"")).contains("\"code\":\"expired\"");
      raw.send("{\"type\":\"files\",\"id\":\"f\"}");
      assertThat(raw.readUntil("\"file_list\"")).contains("\"usedBytes\":0");
      assertThat(partial(xfer)).doesNotExist();
    }
  }

  @Test
  void anUploadThatKeepsSendingChunksDoesNotExpire() throws Exception {
    try (TestServer server = new TestServer(dir, FAST_SWEEPS, ticker);
        RawConnection raw = loggedInRaw(server.port(), "ana", true)) {
      int chunks = 5;
      byte[] data = random(chunks * 32_768, 3);
      raw.send(put("slow.bin", data.length, sha256(data)));
      String xfer = field(raw.readUntil("\"upload_ready\""), "xfer");
      for (int i = 0; i < chunks - 1; i++) {
        raw.send(chunk(null, xfer, i * 32_768L, data, i * 32_768, (i + 1) * 32_768));
        raw.readUntil("\"next\":" + (i + 1) * 32_768);
        // 40 minutes between chunks, 2 h 40 in all: far past the expiry, but never that long without a chunk.
        ticker.advance(Duration.ofMinutes(40));
        await().during(SEVERAL_SWEEPS).atMost(Duration.ofSeconds(5)).until(() -> Files.exists(partial(xfer)));
      }
      raw.send(chunk(null, xfer, (chunks - 1) * 32_768L, data, (chunks - 1) * 32_768, data.length));
      assertThat(raw.readUntil("\"transfer_done\"")).contains("\"size\":" + data.length);
    }
  }

  // ---- offers ----

  @Test
  void anUnansweredOfferExpiresBothSidesAreToldAndItIsNotOfferedAgain() throws Exception {
    try (TestServer server = new TestServer(dir, FAST_SWEEPS, ticker)) {
      registered(server, "bob", new RecordingListener()).close();
      RecordingListener anaEvents = new RecordingListener();
      CharlaClient ana = registered(server, "ana", anaEvents);
      byte[] data = random(50_000, 4);
      ServerFrame.FileInfo old = ana.offer("bob", write("old.txt", data), TransferListener.NONE).join();
      assertThat(ana.files().join().usedBytes()).isEqualTo(data.length);

      ticker.advance(OFFER_EXPIRY.minusHours(1));
      await().during(SEVERAL_SWEEPS).atMost(Duration.ofSeconds(5)).until(() -> Files.exists(blob(old.id())));

      ticker.advance(Duration.ofHours(2));
      await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(blob(old.id())));
      await().atMost(Duration.ofSeconds(5)).until(() -> anaEvents.errors.stream()
          .anyMatch(e -> e.code() == ErrorCode.EXPIRED && e.getMessage().contains(old.id())));
      assertThat(ana.files().join().usedBytes()).isZero();

      // At bob's next login only the newer offer is waiting.
      ServerFrame.FileInfo fresh = ana.offer("bob", write("new.txt", random(10, 5)), TransferListener.NONE).join();
      RecordingListener bobEvents = new RecordingListener();
      CharlaClient bob = server.client(bobEvents);
      bob.login("bob", PASSWORD).join();
      await().atMost(Duration.ofSeconds(5)).until(() -> !bobEvents.offers.isEmpty());
      assertThat(bobEvents.offers).extracting(ServerFrame.FileInfo::id).containsExactly(fresh.id());

      // Accepting or declining the expired one says so, to both of them.
      assertThat(codeOf(() -> bob.download(old.id(), dir, TransferListener.NONE).join())).isEqualTo(ErrorCode.EXPIRED);
      assertThat(codeOf(() -> bob.deleteFile(old.id()).join())).isEqualTo(ErrorCode.EXPIRED);
      assertThat(codeOf(() -> ana.download(old.id(), dir, TransferListener.NONE).join())).isEqualTo(ErrorCode.EXPIRED);
      // Anyone else learns nothing about it.
      CharlaClient eve = registered(server, "eve", new RecordingListener());
      assertThat(codeOf(() -> eve.download(old.id(), dir, TransferListener.NONE).join()))
          .isEqualTo(ErrorCode.NO_SUCH_FILE);

      // The recipient, online when an offer expires, is told too; expired offers are remembered for 30 days.
      ticker.advance(FileArea.EXPIRED_MEMORY.plusDays(1));
      await().atMost(Duration.ofSeconds(5)).until(() -> bobEvents.errors.stream()
          .anyMatch(e -> e.code() == ErrorCode.EXPIRED && e.getMessage().contains(fresh.id())));
      await().atMost(Duration.ofSeconds(5)).until(
          () -> codeOf(() -> bob.download(old.id(), dir, TransferListener.NONE).join()) == ErrorCode.NO_SUCH_FILE);
      assertThat(codeOf(() -> bob.download(fresh.id(), dir, TransferListener.NONE).join()))
          .isEqualTo(ErrorCode.EXPIRED);
    }
  }

  @Test
  void anAcceptedOfferGetsAFreshPeriodAndOneBeingDownloadedNeverExpires() throws Exception {
    try (TestServer server = new TestServer(dir, FAST_SWEEPS, ticker)) {
      CharlaClient bob = registered(server, "bob", new RecordingListener());
      CharlaClient ana = registered(server, "ana", new RecordingListener());
      byte[] data = random(1 << 20, 6);
      ServerFrame.FileInfo offer = ana.offer("bob", write("big.bin", data), TransferListener.NONE).join();

      // Fetched after a day and a half (without removing it): the clock starts again.
      ticker.advance(Duration.ofHours(36));
      Path saved = bob.download(offer.id(), Files.createDirectories(dir.resolve("bob")), TransferListener.NONE)
          .join();
      assertThat(saved).hasBinaryContent(data);
      ticker.advance(Duration.ofDays(1)); // 2.5 days since the offer, 1 since it was fetched
      await().during(SEVERAL_SWEEPS).atMost(Duration.ofSeconds(5)).until(() -> Files.exists(blob(offer.id())));

      // A download under way (the reader stopped acknowledging) keeps it, however long it takes.
      try (RawConnection raw = loggedInRaw(server.port(), "bob")) {
        raw.send("{\"type\":\"get\",\"id\":\"g\",\"file\":\"" + offer.id() + "\"}");
        raw.readUntil("\"download_ready\"");
        raw.readUntil("\"chunk\"");
        ticker.advance(OFFER_EXPIRY.plusDays(1));
        await().during(SEVERAL_SWEEPS).atMost(Duration.ofSeconds(5)).until(() -> Files.exists(blob(offer.id())));
      }
      // Once it stops, the offer has been idle since that last fetch for longer than the expiry.
      await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(blob(offer.id())));
      assertThat(ana.files().join().usedBytes()).isZero();
    }
  }

  @Test
  void aDeclinedOfferFreesItsStorage() throws Exception {
    try (TestServer server = new TestServer(dir, FAST_SWEEPS, ticker)) {
      RecordingListener bobEvents = new RecordingListener();
      CharlaClient bob = registered(server, "bob", bobEvents);
      CharlaClient ana = registered(server, "ana", new RecordingListener());
      byte[] data = random(30_000, 7);
      ServerFrame.FileInfo offer = ana.offer("bob", write("no.txt", data), TransferListener.NONE).join();
      await().atMost(Duration.ofSeconds(5)).until(() -> !bobEvents.offers.isEmpty());
      assertThat(blob(offer.id())).exists();
      assertThat(ana.files().join().usedBytes()).isEqualTo(data.length);

      bob.declineOffer(bobEvents.offers.getFirst()).join();

      assertThat(blob(offer.id())).doesNotExist();
      assertThat(ana.files().join().usedBytes()).isZero();
      // Declined is not expired: it is simply gone.
      assertThat(codeOf(() -> bob.download(offer.id(), dir, TransferListener.NONE).join()))
          .isEqualTo(ErrorCode.NO_SUCH_FILE);
    }
  }

  // ---- startup ----

  @Test
  void whatRanOutWhileTheServerWasDownIsSweptAtStartup() throws Exception {
    // Sweeps an hour apart (real time): only the sweep at startup can have removed anything in this test.
    UnaryOperator<ChatConfig> slowSweeps = c -> FAST_SWEEPS.apply(c).toBuilder()
        .fileSweepInterval(Duration.ofHours(1)).build();
    try (TestServer server = new TestServer(dir, slowSweeps, ticker)) {
      registered(server, "bob", new RecordingListener()).close();
      CharlaClient ana = registered(server, "ana", new RecordingListener());
      ServerFrame.FileInfo offer = ana.offer("bob", write("o.txt", random(20_000, 8)), TransferListener.NONE)
          .join();
      byte[] data = random(100_000, 9);
      String xfer;
      try (RawConnection raw = loggedInRaw(server.port(), "ana")) {
        raw.send(put("u.bin", data.length, sha256(data)));
        xfer = field(raw.readUntil("\"upload_ready\""), "xfer");
        raw.send(chunk(null, xfer, 0, data, 0, 32_768));
        raw.readUntil("\"next\":32768");
      }
      ana.close();
      server.stop();

      ticker.advance(OFFER_EXPIRY.plusHours(1));
      server.startAgain();

      assertThat(partial(xfer)).doesNotExist();
      assertThat(blob(offer.id())).doesNotExist();
      CharlaClient again = server.client(new RecordingListener());
      again.login("ana", PASSWORD).join();
      assertThat(again.files().join().usedBytes()).isZero();
    }
  }

  @Test
  void filesOnDiskThatNothingRefersToAreRemovedAtStartup() throws Exception {
    try (TestServer server = new TestServer(dir, FAST_SWEEPS, ticker)) {
      CharlaClient ana = registered(server, "ana", new RecordingListener());
      byte[] data = random(10_000, 10);
      ServerFrame.FileInfo kept = ana.upload(write("kept.txt", data), TransferListener.NONE).join();
      ana.close();
      server.stop();

      // What a crash can leave: bytes of a file whose row never committed, a partial upload without its row.
      Path orphan = Files.write(blob("AAAAAAAAAAAAAAAAAAAAAA"), random(100, 11));
      Path orphanPartial = Files.write(partial("BBBBBBBBBBBBBBBBBBBBBB"), random(100, 12));
      Path notOurs = Files.writeString(dir.resolve("files").resolve("README.txt"), "an operator's note");
      server.startAgain();

      assertThat(orphan).doesNotExist();
      assertThat(orphanPartial).doesNotExist();
      assertThat(notOurs).exists();
      CharlaClient again = server.client(new RecordingListener());
      again.login("ana", PASSWORD).join();
      Path saved = again.download(kept.id(), Files.createDirectories(dir.resolve("out")), TransferListener.NONE)
          .join();
      assertThat(saved).hasBinaryContent(data);
    }
  }

  // ---- helpers ----

  private Path blob(String id) {
    return dir.resolve("files").resolve(id);
  }

  private Path partial(String xfer) {
    return dir.resolve("files").resolve("partial").resolve(xfer);
  }

  private static CharlaClient registered(TestServer server, String name, RecordingListener listener) {
    CharlaClient c = server.client(listener);
    c.register(name, PASSWORD).join();
    return c;
  }

  private static RawConnection loggedInRaw(int port, String name) throws IOException {
    return loggedInRaw(port, name, false);
  }

  private static RawConnection loggedInRaw(int port, String name, boolean register) throws IOException {
    RawConnection raw = new RawConnection(port).hello();
    raw.send("{\"type\":\"" + (register ? "register" : "login") + "\",\"id\":\"l\",\"name\":\"" + name
        + "\",\"password\":\"" + PASSWORD + "\"}");
    raw.readUntil("\"logged_in\"");
    return raw;
  }

  private Path write(String name, byte[] content) throws IOException {
    Path p = dir.resolve("src").resolve(name);
    Files.createDirectories(p.getParent());
    return Files.write(p, content);
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static ErrorCode codeOf(Runnable call) {
    try {
      call.run();
    } catch (CompletionException e) {
      return ((ChatException) e.getCause()).code();
    }
    throw new AssertionError("expected the call to fail");
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]*)").matcher(json);
    if (!m.find()) {
      throw new AssertionError("no " + name + " in " + json);
    }
    return m.group(1);
  }

  private static String put(String name, long size, String sha) {
    return "{\"type\":\"put\",\"id\":\"p\",\"name\":\"" + name + "\",\"size\":" + size + ",\"sha256\":\"" + sha + "\"}";
  }

  private static String chunk(String id, String xfer, long offset, byte[] data, int from, int to) {
    byte[] part = Arrays.copyOfRange(data, from, to);
    return "{\"type\":\"chunk\"" + (id == null ? "" : ",\"id\":\"" + id + "\"") + ",\"xfer\":\"" + xfer
        + "\",\"offset\":" + offset + ",\"data\":\"" + Base64.getEncoder().encodeToString(part) + "\"}";
  }
}
