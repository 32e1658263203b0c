package dev.charla.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.charla.client.CharlaClient;
import dev.charla.client.ChatException;
import dev.charla.client.TransferListener;
import dev.charla.client.TransferProgress;
import dev.charla.client.Transport;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.ServerFrame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The file area and file offers over real sockets: the client library, and raw frames for the misbehaving cases. */
@Timeout(60)
class FilesTest {
  @TempDir Path dir;

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private Path write(String name, byte[] content) throws IOException {
    Path p = dir.resolve("src").resolve(name);
    Files.createDirectories(p.getParent());
    return Files.write(p, content);
  }

  private static CharlaClient registered(TestServer server, String name, Transport t) {
    CharlaClient c = t == Transport.TCP ? server.client(new RecordingListener())
        : server.udpClient(new RecordingListener());
    c.register(name, "correct horse battery").join();
    return c;
  }

  private static ErrorCode codeOf(Throwable t) {
    Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    return ((ChatException) c).code();
  }

  private void roundTrip(Transport transport, int size) throws Exception {
    try (TestServer server = new TestServer(dir)) {
      CharlaClient ana = registered(server, "ana", transport);
      CharlaClient bob = registered(server, "bob", transport);
      byte[] content = random(size, 1);
      Path src = write("report.pdf", content);
      List<TransferProgress> progress = new CopyOnWriteArrayList<>();

      ServerFrame.FileInfo stored = ana.upload(src, progress::add).join();

      assertThat(stored.size()).isEqualTo(size);
      assertThat(stored.sha256()).isEqualTo(sha256(content));
      assertThat(stored.name()).isEqualTo("report.pdf");
      assertThat(progress).isNotEmpty();
      assertThat(progress.getLast().done()).isEqualTo(size);
      ServerFrame.FileList list = bob.files().join();
      assertThat(list.files()).extracting(ServerFrame.FileInfo::id).containsExactly(stored.id());
      assertThat(list.files().getFirst().owner()).isEqualTo("ana");
      assertThat(ana.files().join().usedBytes()).isEqualTo(size);
      // Stored under the server's id, next to the database; never under the client's name.
      assertThat(dir.resolve("files").resolve(stored.id())).hasBinaryContent(content);

      Path into = Files.createDirectories(dir.resolve("bob-downloads"));
      Path saved = bob.download(stored.id(), into, TransferListener.NONE).join();
      assertThat(saved).isEqualTo(into.resolve("report.pdf")).hasBinaryContent(content);
      Path again = bob.download(stored.id(), into, TransferListener.NONE).join();
      assertThat(again).isEqualTo(into.resolve("report (1).pdf")).hasBinaryContent(content);

      assertThatThrownBy(() -> bob.deleteFile(stored.id()).join())
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.FORBIDDEN));
      ana.deleteFile(stored.id()).join();
      assertThat(bob.files().join().files()).isEmpty();
      assertThat(dir.resolve("files").resolve(stored.id())).doesNotExist();
      assertThatThrownBy(() -> bob.download(stored.id(), into, TransferListener.NONE).join())
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NO_SUCH_FILE));
    }
  }

  @Test
  void uploadListDownloadAndDeleteOverTcp() throws Exception {
    roundTrip(Transport.TCP, 3 * 1024 * 1024 + 17);
  }

  @Test
  void uploadListDownloadAndDeleteOverUdp() throws Exception {
    roundTrip(Transport.UDP, 700 * 1024 + 5);
  }

  @Test
  void emptyFileRoundTrips() throws Exception {
    try (TestServer server = new TestServer(dir)) {
      CharlaClient ana = registered(server, "ana", Transport.TCP);
      ServerFrame.FileInfo f = ana.upload(write("empty.txt", new byte[0]), TransferListener.NONE).join();
      Path saved = ana.download(f.id(), Files.createDirectories(dir.resolve("out")), TransferListener.NONE).join();
      assertThat(saved).hasBinaryContent(new byte[0]);
    }
  }

  @Test
  void guestsMayDownloadButNotUpload() throws Exception {
    try (TestServer server = new TestServer(dir)) {
      CharlaClient ana = registered(server, "ana", Transport.TCP);
      ServerFrame.FileInfo f = ana.upload(write("a.txt", random(1000, 2)), TransferListener.NONE).join();
      CharlaClient guest = server.client(new RecordingListener());
      guest.guest("visitor").join();

      assertThatThrownBy(() -> guest.upload(write("b.txt", random(10, 3)), TransferListener.NONE).join())
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.FORBIDDEN));
      Path saved = guest.download(f.id(), Files.createDirectories(dir.resolve("g")), TransferListener.NONE).join();
      assertThat(saved).hasSize(1000);
    }
  }

  @Test
  void quotaAndMaximumSizeAreEnforced() throws Exception {
    try (TestServer server = new TestServer(dir, c -> c.toBuilder().fileQuotaBytes(100_000).maxFileBytes(60_000)
        .build())) {
      CharlaClient ana = registered(server, "ana", Transport.TCP);
      assertThatThrownBy(() -> ana.upload(write("big", random(60_001, 4)), TransferListener.NONE).join())
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.FILE_TOO_LARGE));
      ana.upload(write("one", random(60_000, 5)), TransferListener.NONE).join();
      assertThatThrownBy(() -> ana.upload(write("two", random(40_001, 6)), TransferListener.NONE).join())
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.QUOTA_EXCEEDED));
      ana.upload(write("three", random(40_000, 7)), TransferListener.NONE).join();
      ServerFrame.FileList list = ana.files().join();
      assertThat(list.usedBytes()).isEqualTo(100_000);
      assertThat(list.quotaBytes()).isEqualTo(100_000);
      assertThat(list.maxFileBytes()).isEqualTo(60_000);
    }
  }

  // ---- raw frames: what a misbehaving or interrupted client does ----

  private static RawConnection registeredRaw(int port, String name) throws IOException {
    RawConnection raw = new RawConnection(port).hello();
    raw.send("{\"type\":\"register\",\"id\":\"r\",\"name\":\"" + name + "\",\"password\":\"correct horse battery\"}");
    raw.readUntil("\"logged_in\"");
    return raw;
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

  private static String chunk(String xfer, long offset, byte[] data, int from, int to) {
    byte[] part = java.util.Arrays.copyOfRange(data, from, to);
    return "{\"type\":\"chunk\",\"xfer\":\"" + xfer + "\",\"offset\":" + offset + ",\"data\":\""
        + Base64.getEncoder().encodeToString(part) + "\"}";
  }

  @Test
  void checksumMismatchKeepsNothing() throws Exception {
    try (TestServer server = new TestServer(dir); RawConnection raw = registeredRaw(server.port(), "ana")) {
      byte[] data = random(50_000, 8);
      raw.send(put("x.bin", data.length, sha256(random(50_000, 9))));
      String xfer = field(raw.readUntil("\"upload_ready\""), "xfer");
      raw.send(chunk(xfer, 0, data, 0, 32_768));
      raw.send(chunk(xfer, 32_768, data, 32_768, data.length));
      String failed = raw.readUntil("\"transfer_failed\"");
      assertThat(failed).contains("\"code\":\"checksum_mismatch\"");
      raw.send("{\"type\":\"files\",\"id\":\"f\"}");
      assertThat(raw.readUntil("\"file_list\"")).contains("\"files\":[]").contains("\"usedBytes\":0");
      try (var partial = Files.list(dir.resolve("files").resolve("partial"))) {
        assertThat(partial).isEmpty();
      }
    }
  }

  @Test
  void aSizeThatLiesIsRefused() throws Exception {
    try (TestServer server = new TestServer(dir); RawConnection raw = registeredRaw(server.port(), "ana")) {
      byte[] data = random(20, 10);
      raw.send(put("liar.bin", 10, sha256(java.util.Arrays.copyOf(data, 10))));
      String xfer = field(raw.readUntil("\"upload_ready\""), "xfer");
      raw.send(chunk(xfer, 0, data, 0, 20));
      assertThat(raw.readUntil("\"transfer_failed\"")).contains("\"code\":\"size_mismatch\"");
      raw.send("{\"type\":\"files\",\"id\":\"f\"}");
      assertThat(raw.readUntil("\"file_list\"")).contains("\"files\":[]").contains("\"usedBytes\":0");
      // A chunk for a transfer that is gone is an error, not a crash.
      raw.send(chunk(xfer, 0, data, 0, 10).replace("{\"type\"", "{\"id\":\"c\",\"type\""));
      assertThat(raw.readUntil("\"re\":\"c\"")).contains("no_such_transfer");
    }
  }

  @Test
  void anInterruptedUploadResumesWhereItStopped() throws Exception {
    try (TestServer server = new TestServer(dir)) {
      byte[] data = random(200_000, 11);
      String sha = sha256(data);
      try (RawConnection first = registeredRaw(server.port(), "ana")) {
        first.send(put("resume.bin", data.length, sha));
        String xfer = field(first.readUntil("\"upload_ready\""), "xfer");
        first.send(chunk(xfer, 0, data, 0, 32_768));
        first.send(chunk(xfer, 32_768, data, 32_768, 65_536));
        first.readUntil("\"next\":65536");
      } // the connection drops mid-transfer

      CharlaClient ana = server.client(new RecordingListener());
      ana.login("ana", "correct horse battery").join();
      List<TransferProgress> progress = new CopyOnWriteArrayList<>();
      ServerFrame.FileInfo f = ana.upload(write("resume.bin", data), progress::add).join();
      assertThat(f.sha256()).isEqualTo(sha);
      // The second attempt started from the bytes the server already had.
      assertThat(progress.getFirst().done()).isGreaterThanOrEqualTo(65_536);
      assertThat(dir.resolve("files").resolve(f.id())).hasBinaryContent(data);

      // A download that stopped part way resumes from its .part file.
      Path into = Files.createDirectories(dir.resolve("down"));
      Files.write(into.resolve(".charla-" + f.id() + ".part"), java.util.Arrays.copyOf(data, 100_000));
      List<TransferProgress> down = new CopyOnWriteArrayList<>();
      Path saved = ana.download(f.id(), into, down::add).join();
      assertThat(saved).hasBinaryContent(data);
      assertThat(down.getFirst().done()).isGreaterThanOrEqualTo(100_000);
      assertThat(into.resolve(".charla-" + f.id() + ".part")).doesNotExist();
    }
  }

  @Test
  void namesWithPathsAndReservedWordsAreMadeSafe() throws Exception {
    try (TestServer server = new TestServer(dir)) {
      CharlaClient ana = registered(server, "ana", Transport.TCP);
      byte[] data = random(100, 12);
      try (RawConnection raw = new RawConnection(server.port()).hello()) {
        raw.send("{\"type\":\"login\",\"id\":\"l\",\"name\":\"ana\",\"password\":\"correct horse battery\"}");
        raw.readUntil("\"logged_in\"");
        raw.send(put("../../etc/passwd", data.length, sha256(data)));
        String xfer = field(raw.readUntil("\"upload_ready\""), "xfer");
        raw.send(chunk(xfer, 0, data, 0, data.length));
        assertThat(raw.readUntil("\"transfer_done\"")).contains("\"name\":\"passwd\"");
        raw.send(put("CON.txt", data.length, sha256(data)));
        xfer = field(raw.readUntil("\"upload_ready\""), "xfer");
        raw.send(chunk(xfer, 0, data, 0, data.length));
        assertThat(raw.readUntil("\"transfer_done\"")).contains("\"name\":\"_CON.txt\"");
      }
      List<ServerFrame.FileInfo> files = ana.files().join().files();
      Path into = Files.createDirectories(dir.resolve("safe"));
      Files.writeString(into.resolve("passwd"), "mine");
      Path saved = ana.download(files.getFirst().id(), into, TransferListener.NONE).join();
      assertThat(saved).isEqualTo(into.resolve("passwd (1)"));
      assertThat(into.resolve("passwd")).hasContent("mine");
      // Asking to save as a path with parts and a leading dot lands inside the folder under a safe name.
      Path named = ana.download(files.get(1).id(), into.resolve("..hidden"), TransferListener.NONE).join();
      assertThat(named).isEqualTo(into.resolve("hidden"));
    }
  }

  @Test
  void aFileOfferedToSomeoneOnlineIsAcceptedOrDeclined() throws Exception {
    try (TestServer server = new TestServer(dir)) {
      CharlaClient ana = registered(server, "ana", Transport.TCP);
      RecordingListener bobEvents = new RecordingListener();
      CharlaClient bob = server.client(bobEvents);
      bob.register("bob", "correct horse battery").join();
      byte[] data = random(90_000, 13);

      ServerFrame.FileInfo offered = ana.offer("@bob", write("photo.jpg", data), TransferListener.NONE).join();
      assertThat(offered.to()).isEqualTo("bob");
      await().atMost(Duration.ofSeconds(5)).until(() -> !bobEvents.offers.isEmpty());
      assertThat(bob.files().join().files()).isEmpty(); // offers are not in the shared area

      Path saved = bob.acceptOffer(bobEvents.offers.getFirst(), Files.createDirectories(dir.resolve("bob")),
          TransferListener.NONE).join();
      assertThat(saved.getFileName().toString()).isEqualTo("photo.jpg");
      assertThat(saved).hasBinaryContent(data);
      assertThat(ana.files().join().usedBytes()).isZero(); // accepted offers leave the server

      ServerFrame.FileInfo second = ana.offer("bob", write("other.jpg", random(10, 14)), TransferListener.NONE).join();
      await().atMost(Duration.ofSeconds(5)).until(() -> bobEvents.offers.size() == 2);
      bob.declineOffer(bobEvents.offers.get(1)).join();
      assertThatThrownBy(() -> bob.download(second.id(), dir, TransferListener.NONE).join())
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NO_SUCH_FILE));
    }
  }

  @Test
  void aFileOfferedToSomeoneOfflineIsOfferedAtTheirNextLogin() throws Exception {
    try (TestServer server = new TestServer(dir)) {
      CharlaClient bob = registered(server, "bob", Transport.TCP);
      bob.close();
      CharlaClient ana = registered(server, "ana", Transport.TCP);
      byte[] data = random(40_000, 15);
      ana.offer("bob", write("notes.txt", data), TransferListener.NONE).join();
      // Someone else cannot see or take it.
      CharlaClient eve = registered(server, "eve", Transport.TCP);
      assertThat(eve.files().join().files()).isEmpty();

      RecordingListener events = new RecordingListener();
      CharlaClient bobAgain = server.client(events);
      bobAgain.login("bob", "correct horse battery").join();
      await().atMost(Duration.ofSeconds(5)).until(() -> events.offers.size() == 1);
      ServerFrame.FileInfo offer = events.offers.getFirst();
      assertThat(offer.owner()).isEqualTo("ana");
      assertThatThrownBy(() -> eve.download(offer.id(), dir, TransferListener.NONE).join())
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NO_SUCH_FILE));
      Path saved = bobAgain.acceptOffer(offer, Files.createDirectories(dir.resolve("b")), TransferListener.NONE)
          .join();
      assertThat(saved).hasBinaryContent(data);
    }
  }
}
