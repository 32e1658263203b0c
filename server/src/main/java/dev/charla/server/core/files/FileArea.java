package dev.charla.server.core.files;

import dev.charla.protocol.ClientFrame;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.FileNames;
import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.Limits;
import dev.charla.protocol.ServerFrame;
import dev.charla.server.core.ChatConfig;
import dev.charla.server.core.FrameFitter;
import dev.charla.server.core.Session;
import dev.charla.server.core.Ticker;
import dev.charla.server.store.ExpiredOffer;
import dev.charla.server.store.FileBlobs;
import dev.charla.server.store.FileRecord;
import dev.charla.server.store.FileStore;
import dev.charla.server.store.UploadRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's file area and file offers: list, upload (resumable, verified by SHA-256), download and delete, with
 * a per-user quota and a maximum file size. Bytes live in {@link FileBlobs} under server-generated ids; metadata in
 * {@link FileStore}. An offer is an upload kept for one recipient instead of the shared area.
 *
 * <p>Flow control: a sender may have at most {@link Limits#FILE_WINDOW_CHUNKS} chunks unacknowledged. The server
 * acknowledges an upload's chunk after writing it, and sends a download's chunks only while the client's
 * acknowledgements keep the window open, so neither direction holds more than a window per transfer in memory and
 * a download never overflows the session's outbound queue.
 *
 * <p>Expiry: an upload without a chunk for {@link ChatConfig#uploadExpiry()} and an offer neither fetched nor
 * removed by its recipient for {@link ChatConfig#offerExpiry()} are deleted by {@link #sweep()}, which runs once
 * when the file area is built and then every {@link ChatConfig#fileSweepInterval()}, always against the injected
 * {@link Ticker}. Blobs without a row (left by a crash between writing bytes and recording them) are deleted once,
 * at startup, before any transfer can be under way; later they could be a transfer's bytes whose row is coming.
 *
 * <p>Thread rules: the frame methods run on the session's transport thread and never block. Store and file I/O run
 * on {@link #io}; each transfer's I/O runs on its own {@link SerialExecutor}, so it is ordered. The sweep runs on
 * its own thread ({@code charla-files-sweep}), never on a transport thread. Fields of a transfer read on both
 * sides are volatile; {@code received} of an upload belongs to the transport thread of the session it is attached
 * to. Attaching an upload to a session and expiring it both happen under {@link #quotaLock}, so an upload being
 * resumed is never expired under it.
 */
public final class FileArea implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FileArea.class);
  private static final long WINDOW_BYTES = (long) Limits.FILE_WINDOW_CHUNKS * Limits.FILE_CHUNK_BYTES;
  /**
   * How long an expired offer (and, in memory, an expired upload's transfer id) is remembered, so that its sender
   * or recipient is told {@code expired} rather than {@code no_such_file}. After that it is simply unknown.
   */
  public static final Duration EXPIRED_MEMORY = Duration.ofDays(30);
  /**
   * An upload's last activity is written to the store at most this often while chunks flow (and always when it is
   * resumed or its connection ends), so after a crash it is at most this stale; in between the sweep goes by the
   * in-memory time.
   */
  private static final long ACTIVITY_WRITE_MILLIS = 60_000;

  /** What the file area needs to know of users: who may receive an offer, and how to reach them. */
  public interface Users {
    /** The registered or online user of this name, if any. */
    Optional<Recipient> find(String name);

    /** Queues a frame to every session of the user, if online. */
    void deliver(String userKey, byte[] frame);
  }

  /** A user a file may be offered to. */
  public record Recipient(String key, String displayName) {}

  private final ChatConfig config;
  private final FileStore store;
  private final FileBlobs blobs;
  private final Users users;
  private final Ticker ticker;
  private final FrameCodec codec = new FrameCodec();
  private final SecureRandom random = new SecureRandom();
  private final ExecutorService io;
  /** Uploads attached to a session, by transfer id. */
  private final ConcurrentHashMap<String, Upload> uploads = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Download> downloads = new ConcurrentHashMap<>();
  /** Serializes quota checks with the reservations they allow, and attaching uploads with expiring them. */
  private final Object quotaLock = new Object();
  /** Transfer ids of uploads the sweep expired, with when, so a late chunk is told {@code expired}. */
  private final ConcurrentHashMap<String, Long> expiredUploads = new ConcurrentHashMap<>();
  /** Runs {@link #sweep()} periodically; its one thread does blocking store and disk work. */
  private final ScheduledExecutorService sweeper;

  /** What one sweep removed: uploads and offers expired, and the bytes of quota they held. */
  public record SweepResult(int uploads, int offers, long bytes) {}

  public FileArea(ChatConfig config, FileStore store, FileBlobs blobs, Users users, Ticker ticker) {
    this.config = config;
    this.store = store;
    this.blobs = blobs;
    this.users = users;
    this.ticker = ticker;
    this.io = Executors.newFixedThreadPool(4, Thread.ofPlatform().name("charla-files-", 0).daemon().factory());
    // At startup, before any connection exists: a restart must not keep garbage forever.
    removeOrphans();
    sweepQuietly();
    this.sweeper = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("charla-files-sweep").daemon().factory());
    long every = config.fileSweepInterval().toMillis();
    sweeper.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  // ---- frames (transport threads) ----

  /** Whether a chunk or ack belongs to a live transfer of this session (such frames skip the frame-rate limit). */
  public boolean isTransferFrame(Session s, ClientFrame f) {
    if (f instanceof ClientFrame.Chunk c) {
      Upload u = uploads.get(c.xfer());
      return u != null && u.session == s;
    }
    if (f instanceof ClientFrame.Ack a) {
      Download d = downloads.get(a.xfer());
      return d != null && d.session == s;
    }
    return false;
  }

  public void list(Session s, ClientFrame.Files f) {
    String owner = s.userKey();
    boolean guest = s.isGuest();
    run(s, f.id(), () -> {
      List<ServerFrame.FileInfo> files = store.sharedFiles().stream().map(FileArea::info).toList();
      long used = guest ? 0 : store.usedBytes(owner);
      send(s, new ServerFrame.FileList(f.id(), files, used, guest ? 0 : config.fileQuotaBytes(),
          config.maxFileBytes(), null));
    });
  }

  public void put(Session s, ClientFrame.Put p) {
    begin(s, p.id(), p.name(), p.size(), p.sha256(), null);
  }

  public void offer(Session s, ClientFrame.Offer o) {
    String to = o.to().startsWith("@") ? o.to().substring(1) : o.to();
    if (s.isGuest()) {
      guestRefused(s, o.id());
      return;
    }
    run(s, o.id(), () -> {
      Optional<Recipient> r = users.find(to);
      if (r.isEmpty()) {
        error(s, o.id(), ErrorCode.NO_SUCH_USER, "no such user: " + to);
        return;
      }
      begin(s, o.id(), o.name(), o.size(), o.sha256(), r.get());
    });
  }

  /** Sends the offers waiting for a user who just logged in. */
  public void onLogin(Session s) {
    String key = s.userKey();
    io.execute(() -> {
      try {
        for (FileRecord f : store.offersFor(key, ticker.nowMillis() - config.offerExpiry().toMillis())) {
          send(s, new ServerFrame.FileOffer(info(f)));
        }
      } catch (RuntimeException e) {
        log.error("listing offers for {} failed", key, e);
      }
    });
  }

  public void get(Session s, ClientFrame.Get g) {
    String me = s.userKey();
    run(s, g.id(), () -> {
      Optional<FileRecord> found = store.findFile(g.file());
      if (found.isEmpty() || !visibleTo(found.get(), me)) {
        noSuchFile(s, g.id(), g.file(), me);
        return;
      }
      FileRecord f = found.get();
      if (me.equals(f.recipientKey())) {
        // Accepting restarts the offer's expiry clock; the store refuses if it already ran out (or the offer is
        // gone), and an offer past its time is expired now rather than served until the next sweep.
        long now = ticker.nowMillis();
        long cutoff = now - config.offerExpiry().toMillis();
        if (!store.touchOffer(f.id(), now, cutoff)) {
          if (!downloading(f.id())) {
            expireOffer(f, now, cutoff);
          }
          noSuchFile(s, g.id(), g.file(), me);
          return;
        }
      }
      long offset = g.offset() == null ? 0 : g.offset();
      if (offset > f.size()) {
        error(s, g.id(), ErrorCode.BAD_FRAME, "offset " + offset + " is past the end (" + f.size() + " bytes)");
        return;
      }
      FileChannel channel;
      try {
        channel = blobs.readFile(f.id());
      } catch (IOException e) {
        log.error("cannot open file {}", f.id(), e);
        error(s, g.id(), ErrorCode.INTERNAL, "cannot read that file now");
        return;
      }
      Download d = new Download(newId(), s, f, channel, offset, new SerialExecutor(io));
      downloads.put(d.xfer, d);
      send(s, new ServerFrame.DownloadReady(g.id(), d.xfer, info(f), offset, Limits.FILE_CHUNK_BYTES,
          Limits.FILE_WINDOW_CHUNKS));
      if (offset == f.size()) {
        finish(d);
      } else {
        d.serial.execute(() -> pump(d));
      }
    });
  }

  public void remove(Session s, ClientFrame.Rm r) {
    String me = s.userKey();
    run(s, r.id(), () -> {
      Optional<FileRecord> found = store.findFile(r.file());
      if (found.isEmpty() || !visibleTo(found.get(), me)) {
        noSuchFile(s, r.id(), r.file(), me);
        return;
      }
      FileRecord f = found.get();
      if (!f.ownerKey().equals(me) && !me.equals(f.recipientKey())) {
        error(s, r.id(), ErrorCode.FORBIDDEN, "only " + f.ownerName() + " may delete " + f.name());
        return;
      }
      store.deleteFile(f.id());
      try {
        blobs.deleteFile(f.id());
      } catch (IOException e) {
        log.warn("deleted file {} from the store but not from disk", f.id(), e);
      }
      send(s, new ServerFrame.Ok(r.id()));
    });
  }

  public void chunk(Session s, ClientFrame.Chunk c) {
    Upload u = uploads.get(c.xfer());
    if (u == null || u.session != s) {
      if (u == null && expiredUploads.containsKey(c.xfer())) {
        error(s, c.id(), ErrorCode.EXPIRED, "upload " + c.xfer() + " expired after "
            + describe(config.uploadExpiry()) + " without a chunk and was deleted; put again to start over");
      } else {
        error(s, c.id(), ErrorCode.NO_SUCH_TRANSFER, "no upload " + c.xfer() + " on this connection");
      }
      return;
    }
    int n = c.data().length;
    if (c.offset() != u.received) {
      detach(u, ErrorCode.BAD_FRAME, "chunk at offset " + c.offset() + ", expected " + u.received
          + "; put again to resume");
      return;
    }
    if (u.received + n > u.record.size()) {
      discard(u, ErrorCode.SIZE_MISMATCH, "more bytes than the announced size " + u.record.size()
          + "; nothing was kept");
      return;
    }
    if (u.received + n - u.written > 2 * WINDOW_BYTES) {
      detach(u, ErrorCode.BAD_FRAME, "more than " + Limits.FILE_WINDOW_CHUNKS
          + " chunks unacknowledged; wait for ack");
      return;
    }
    u.received += n;
    u.serial.execute(() -> write(u, s, c.data()));
  }

  public void ack(Session s, ClientFrame.Ack a) {
    Download d = downloads.get(a.xfer());
    if (d == null || d.session != s) {
      error(s, a.id(), ErrorCode.NO_SUCH_TRANSFER, "no download " + a.xfer() + " on this connection");
      return;
    }
    long next = Math.min(a.next(), d.sent);
    if (next > d.acked) {
      d.acked = next;
    }
    if (d.acked >= d.file.size()) {
      finish(d);
    } else {
      d.serial.execute(() -> pump(d));
    }
  }

  /** The session is gone: its downloads stop, its uploads stay on disk to be resumed by a later put. */
  public void onClosed(Session s) {
    for (Upload u : uploads.values()) {
      if (u.session == s) {
        // Stays in the map, detached, so a resuming put reuses its serial executor after these writes.
        u.session = null;
        u.serial.execute(() -> {
          u.closeChannel();
          recordActivity(u);
        });
      }
    }
    for (Download d : downloads.values()) {
      if (d.session == s) {
        finish(d);
      }
    }
  }

  // ---- uploads ----

  private void begin(Session s, String id, String rawName, long size, String sha256, Recipient to) {
    if (s.isGuest()) {
      guestRefused(s, id);
      return;
    }
    if (size > config.maxFileBytes()) {
      error(s, id, ErrorCode.FILE_TOO_LARGE,
          "file too large: " + size + " bytes (limit: " + config.maxFileBytes() + ")");
      return;
    }
    String owner = s.userKey();
    String ownerName = s.userName();
    String name = FileNames.safe(rawName);
    run(s, id, () -> {
      String recipientKey = to == null ? null : to.key();
      UploadRecord record;
      Upload u;
      synchronized (quotaLock) {
        Optional<UploadRecord> existing = store.findUpload(owner, sha256, size, recipientKey);
        if (existing.isPresent()) {
          record = existing.get();
        } else {
          long used = store.usedBytes(owner);
          if (used + size > config.fileQuotaBytes()) {
            error(s, id, ErrorCode.QUOTA_EXCEEDED, "quota exceeded: you keep " + used + " bytes, this file needs "
                + size + " more (quota: " + config.fileQuotaBytes() + ")");
            return;
          }
          record = new UploadRecord(newId(), owner, ownerName, name, size, sha256, ticker.nowMillis(), recipientKey,
              to == null ? null : to.displayName());
          store.createUpload(record);
        }
        // Attach to this session; a resumed upload still attached to a dead connection is taken over, on the same
        // serial executor so its last writes finish before the partial file is measured. Under the lock, and
        // marked active now, so the sweep cannot expire it between being found and being attached.
        long now = ticker.nowMillis();
        u = uploads.compute(record.xfer(), (k, old) -> old != null ? old.takeOver(s, now) : new Upload(record, s,
            new SerialExecutor(io), now));
      }
      u.serial.execute(() -> open(u, s, id));
    });
  }

  /** On the upload's serial executor: measure and re-hash what is already on disk, then invite the chunks. */
  private void open(Upload u, Session s, String id) {
    if (u.session != s) {
      return;
    }
    try {
      u.closeChannel();
      String xfer = u.record.xfer();
      long have = blobs.partialSize(xfer);
      if (have > u.record.size()) {
        blobs.deletePartial(xfer);
        have = 0;
      }
      MessageDigest digest = sha256();
      try (FileChannel in = blobs.readPartial(xfer)) {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        long left = have;
        while (left > 0) {
          buf.clear().limit((int) Math.min(buf.capacity(), left));
          int r = in.read(buf);
          if (r < 0) {
            break;
          }
          buf.flip();
          digest.update(buf);
          left -= r;
        }
      }
      u.digest = digest;
      u.channel = blobs.openPartial(xfer);
      recordActivity(u);
      u.written = have;
      u.received = have;
      send(s, new ServerFrame.UploadReady(id, xfer, have, Limits.FILE_CHUNK_BYTES, Limits.FILE_WINDOW_CHUNKS));
      if (have == u.record.size()) {
        complete(u, s);
      }
    } catch (IOException | RuntimeException e) {
      log.error("cannot open upload {}", u.record.xfer(), e);
      uploads.remove(u.record.xfer(), u);
      u.closeChannel();
      error(s, id, ErrorCode.INTERNAL, "cannot store files now; retry");
    }
  }

  /** On the upload's serial executor. */
  private void write(Upload u, Session s, byte[] data) {
    if (u.session != s || u.channel == null) {
      return; // detached or taken over: these bytes are not acknowledged and will be sent again
    }
    try {
      ByteBuffer buf = ByteBuffer.wrap(data);
      while (buf.hasRemaining()) {
        u.channel.write(buf);
      }
      u.digest.update(data);
      u.written += data.length;
      u.lastActive = ticker.nowMillis();
      send(s, new ServerFrame.Ack(u.record.xfer(), u.written));
      if (u.written == u.record.size()) {
        complete(u, s);
      } else if (u.lastActive - u.recordedActive >= ACTIVITY_WRITE_MILLIS) {
        recordActivity(u);
      }
    } catch (IOException e) {
      log.error("writing upload {} failed", u.record.xfer(), e);
      uploads.remove(u.record.xfer(), u);
      u.closeChannel();
      send(s, new ServerFrame.TransferFailed(u.record.xfer(), ErrorCode.INTERNAL, "cannot write; put again to resume"));
    }
  }

  /** On the upload's serial executor, with every byte written: verify, then keep or discard. */
  private void complete(Upload u, Session s) throws IOException {
    UploadRecord r = u.record;
    uploads.remove(r.xfer(), u);
    u.channel.force(true);
    u.closeChannel();
    String actual = HexFormat.of().formatHex(u.digest.digest());
    if (!actual.equals(r.sha256())) {
      blobs.deletePartial(r.xfer());
      store.deleteUpload(r.xfer());
      send(s, new ServerFrame.TransferFailed(r.xfer(), ErrorCode.CHECKSUM_MISMATCH,
          "SHA-256 of the bytes received is " + actual + ", not " + r.sha256() + "; nothing was kept"));
      return;
    }
    String fileId = newId();
    blobs.promote(r.xfer(), fileId);
    FileRecord f = new FileRecord(fileId, r.ownerKey(), r.ownerName(), r.name(), r.size(), r.sha256(),
        ticker.nowMillis(), r.recipientKey(), r.recipientName());
    store.completeUpload(r.xfer(), f);
    log.info("stored file {} '{}' ({} bytes) from {}{}", fileId, f.name(), f.size(), f.ownerName(),
        f.recipientKey() == null ? "" : " for " + f.recipientName());
    send(s, new ServerFrame.TransferDone(r.xfer(), info(f)));
    if (f.recipientKey() != null) {
      users.deliver(f.recipientKey(), codec.encode(new ServerFrame.FileOffer(info(f))));
    }
  }

  /** Stops an upload on this connection but keeps its bytes, so a later put resumes it. */
  private void detach(Upload u, ErrorCode code, String message) {
    Session s = u.session;
    u.session = null;
    u.serial.execute(() -> {
      u.closeChannel();
      recordActivity(u);
    });
    send(s, new ServerFrame.TransferFailed(u.record.xfer(), code, message));
  }

  /** Ends an upload and throws its bytes and reservation away. */
  private void discard(Upload u, ErrorCode code, String message) {
    uploads.remove(u.record.xfer(), u);
    Session s = u.session;
    u.session = null;
    String xfer = u.record.xfer();
    u.serial.execute(() -> {
      u.closeChannel();
      try {
        blobs.deletePartial(xfer);
        store.deleteUpload(xfer);
      } catch (IOException | RuntimeException e) {
        log.warn("discarding upload {} failed", xfer, e);
      }
      // Only now: a file_list asked for after transfer_failed must not count the discarded bytes.
      send(s, new ServerFrame.TransferFailed(xfer, code, message));
    });
  }

  /** On the upload's serial executor: writes its last activity to the store, so expiry survives a restart. */
  private void recordActivity(Upload u) {
    long at = u.lastActive;
    try {
      store.touchUpload(u.record.xfer(), at);
      u.recordedActive = at;
    } catch (RuntimeException e) {
      log.warn("recording activity of upload {} failed", u.record.xfer(), e);
    }
  }

  // ---- expiry ----

  /**
   * Expires uploads without a chunk for {@link ChatConfig#uploadExpiry()} and offers neither fetched nor removed
   * by their recipient for {@link ChatConfig#offerExpiry()}, then forgets what expired more than
   * {@link #EXPIRED_MEMORY} ago. Blocking: runs on the sweep thread (tests may call it from theirs). Uploads
   * attached to a connection that keeps sending, and offers being downloaded, are never expired.
   */
  public SweepResult sweep() {
    long now = ticker.nowMillis();
    int uploadCount = 0;
    int offerCount = 0;
    long bytes = 0;
    long uploadCutoff = now - config.uploadExpiry().toMillis();
    for (UploadRecord r : store.uploadsIdleSince(uploadCutoff)) {
      if (expireUpload(r, now, uploadCutoff)) {
        uploadCount++;
        bytes += r.size();
      }
    }
    long offerCutoff = now - config.offerExpiry().toMillis();
    for (FileRecord f : store.offersIdleSince(offerCutoff)) {
      if (!downloading(f.id()) && expireOffer(f, now, offerCutoff)) {
        offerCount++;
        bytes += f.size();
      }
    }
    long forget = now - EXPIRED_MEMORY.toMillis();
    store.forgetExpiredOffers(forget);
    expiredUploads.values().removeIf(at -> at < forget);
    return new SweepResult(uploadCount, offerCount, bytes);
  }

  private void sweepQuietly() {
    try {
      SweepResult r = sweep();
      if (r.uploads() + r.offers() > 0) {
        log.info("expired {} unfinished uploads and {} unanswered offers, freeing {} bytes", r.uploads(),
            r.offers(), r.bytes());
      }
    } catch (RuntimeException e) {
      log.error("file expiry sweep failed; retrying at the next one", e);
    }
  }

  private boolean expireUpload(UploadRecord r, long now, long cutoff) {
    String xfer = r.xfer();
    Upload u;
    Session attached;
    synchronized (quotaLock) {
      u = uploads.get(xfer);
      if (u != null && u.lastActive >= cutoff) {
        return false; // chunks flow (the store's time lags by up to a minute), or it was just resumed
      }
      if (!store.expireUpload(xfer, cutoff)) {
        return false;
      }
      expiredUploads.put(xfer, now);
      attached = null;
      if (u != null) {
        uploads.remove(xfer, u);
        // Writes already queued see a foreign session and drop their bytes instead of acknowledging them.
        attached = u.session;
        u.session = null;
      }
    }
    String why = "upload of " + r.name() + " expired after " + describe(config.uploadExpiry())
        + " without a chunk and was deleted; put again to start over";
    if (u == null) {
      deletePartial(xfer);
    } else {
      Session s = attached;
      u.serial.execute(() -> {
        u.closeChannel();
        deletePartial(xfer);
        send(s, new ServerFrame.TransferFailed(xfer, ErrorCode.EXPIRED, why));
      });
    }
    log.info("expired upload {} '{}' of {} ({} bytes reserved)", xfer, r.name(), r.ownerName(), r.size());
    return true;
  }

  private void deletePartial(String xfer) {
    try {
      blobs.deletePartial(xfer);
    } catch (IOException e) {
      log.warn("expired upload {} but could not delete its partial file", xfer, e);
    }
  }

  /** Withdraws an offer whose expiry clock is still before {@code cutoff}; tells its sender and recipient. */
  private boolean expireOffer(FileRecord f, long now, long cutoff) {
    if (!store.expireOffer(f.id(), cutoff, now)) {
      return false;
    }
    try {
      blobs.deleteFile(f.id()); // each offer has its own blob: nothing else refers to it
    } catch (IOException e) {
      log.warn("expired offer {} but could not delete its file", f.id(), e);
    }
    log.info("expired offer {} '{}' from {} to {} ({} bytes)", f.id(), f.name(), f.ownerName(), f.recipientName(),
        f.size());
    String after = describe(config.offerExpiry());
    users.deliver(f.ownerKey(), codec.encode(new ServerFrame.Error(null, ErrorCode.EXPIRED,
        "your offer of " + f.name() + " (" + f.id() + ") to " + f.recipientName() + " was not answered within "
            + after + " and was deleted")));
    users.deliver(f.recipientKey(), codec.encode(new ServerFrame.Error(null, ErrorCode.EXPIRED,
        "the offer of " + f.name() + " (" + f.id() + ") from " + f.ownerName() + " was not answered within "
            + after + " and was withdrawn")));
    return true;
  }

  private boolean downloading(String fileId) {
    for (Download d : downloads.values()) {
      if (d.file.id().equals(fileId)) {
        return true;
      }
    }
    return false;
  }

  /** Answers a request for a file that is not there: {@code expired} if it was an offer to or from this user. */
  private void noSuchFile(Session s, String id, String fileId, String me) {
    Optional<ExpiredOffer> gone = store.findExpiredOffer(fileId);
    if (gone.isPresent() && (me.equals(gone.get().ownerKey()) || me.equals(gone.get().recipientKey()))) {
      ExpiredOffer e = gone.get();
      error(s, id, ErrorCode.EXPIRED, "the offer of " + e.name() + " from " + e.ownerName() + " to "
          + e.recipientName() + " expired unanswered at " + Instant.ofEpochMilli(e.expiredAtMillis())
          + " and was deleted");
    } else {
      error(s, id, ErrorCode.NO_SUCH_FILE, "no such file: " + fileId);
    }
  }

  /**
   * Deletes files and partial uploads on disk that no row refers to: a crash between writing bytes and recording
   * them (or between deleting a row and its bytes) leaves them. Only at startup, when no transfer is under way.
   */
  private void removeOrphans() {
    try {
      Set<String> files = store.fileIds();
      for (String id : blobs.fileIds()) {
        if (!files.contains(id)) {
          log.info("deleting orphaned file {} (no record of it)", id);
          blobs.deleteFile(id);
        }
      }
      Set<String> xfers = store.uploadXfers();
      for (String xfer : blobs.partialIds()) {
        if (!xfers.contains(xfer)) {
          log.info("deleting orphaned partial upload {} (no record of it)", xfer);
          blobs.deletePartial(xfer);
        }
      }
    } catch (IOException | RuntimeException e) {
      log.error("looking for orphaned files failed; they stay until the next start", e);
    }
  }

  /** "7 days", "24 hours", "90 seconds": how long a limit is, for messages. */
  static String describe(Duration d) {
    long s = d.toSeconds();
    if (s % 86_400 == 0) {
      return plural(s / 86_400, "day");
    }
    if (s % 3_600 == 0) {
      return plural(s / 3_600, "hour");
    }
    if (s % 60 == 0) {
      return plural(s / 60, "minute");
    }
    return plural(s, "second");
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }

  // ---- downloads ----

  /** On the download's serial executor: send chunks while the window is open. */
  private void pump(Download d) {
    try {
      long size = d.file.size();
      while (!d.done && d.sent < size && d.sent - d.acked < WINDOW_BYTES && !d.session.isClosed()) {
        int n = (int) Math.min(Limits.FILE_CHUNK_BYTES, size - d.sent);
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
          if (d.channel.read(buf, d.sent + buf.position()) < 0) {
            throw new IOException("file " + d.file.id() + " is shorter than its record");
          }
        }
        send(d.session, new ServerFrame.Chunk(d.xfer, d.sent, buf.array()));
        d.sent += n;
      }
    } catch (IOException e) {
      log.error("reading file {} failed", d.file.id(), e);
      send(d.session, new ServerFrame.TransferFailed(d.xfer, ErrorCode.INTERNAL, "cannot read the file; get again"));
      finish(d);
    }
  }

  private void finish(Download d) {
    if (downloads.remove(d.xfer, d)) {
      d.serial.execute(() -> {
        d.done = true;
        try {
          d.channel.close();
        } catch (IOException e) {
          log.debug("closing {} failed", d.file.id(), e);
        }
      });
    }
  }

  // ---- helpers ----

  private static boolean visibleTo(FileRecord f, String userKey) {
    return f.recipientKey() == null || f.recipientKey().equals(userKey) || f.ownerKey().equals(userKey);
  }

  static ServerFrame.FileInfo info(FileRecord f) {
    return new ServerFrame.FileInfo(f.id(), f.name(), f.size(), f.sha256(), f.ownerName(), f.createdAtMillis(),
        f.recipientName());
  }

  private String newId() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void guestRefused(Session s, String id) {
    error(s, id, ErrorCode.FORBIDDEN, "guests may list and download files but not upload; register to share files");
  }

  private void run(Session s, String id, Runnable task) {
    io.execute(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("file request failed for {}", s.describe(), e);
        error(s, id, ErrorCode.INTERNAL, "internal error; retry");
      }
    });
  }

  private void send(Session s, ServerFrame frame) {
    if (s != null) {
      s.send(FrameFitter.encode(codec, frame, true));
    }
  }

  private void error(Session s, String id, ErrorCode code, String message) {
    send(s, new ServerFrame.Error(id, code, message));
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
    try {
      sweeper.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    io.shutdown();
    try {
      io.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Upload u : uploads.values()) {
      u.closeChannel();
    }
    for (Download d : downloads.values()) {
      try {
        d.channel.close();
      } catch (IOException e) {
        log.debug("closing {} failed", d.file.id(), e);
      }
    }
  }

  /**
   * An upload attached to a session. {@link #channel}, {@link #digest} and {@link #recordedActive} belong to
   * {@link #serial}.
   */
  private static final class Upload {
    final UploadRecord record;
    final SerialExecutor serial;
    volatile Session session;
    /** Ticker millis of the last chunk written or resume; the sweep expires the upload by it. */
    volatile long lastActive;
    /** The last activity time written to the store. */
    long recordedActive;
    /** Bytes accepted from the wire; written by the attached session's transport thread (and by open). */
    volatile long received;
    /** Bytes written to disk (and acknowledged). */
    volatile long written;
    FileChannel channel;
    MessageDigest digest;

    Upload(UploadRecord record, Session session, SerialExecutor serial, long now) {
      this.record = record;
      this.session = session;
      this.serial = serial;
      this.lastActive = now;
    }

    Upload takeOver(Session s, long now) {
      session = s;
      lastActive = now;
      return this;
    }

    void closeChannel() {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException e) {
          log.debug("closing upload {} failed", record.xfer(), e);
        }
        channel = null;
      }
    }
  }

  /** A download in progress. {@link #channel} belongs to {@link #serial}. */
  private static final class Download {
    final String xfer;
    final Session session;
    final FileRecord file;
    final FileChannel channel;
    final SerialExecutor serial;
    volatile long sent;
    volatile long acked;
    volatile boolean done;

    Download(String xfer, Session session, FileRecord file, FileChannel channel, long offset, SerialExecutor serial) {
      this.xfer = xfer;
      this.session = session;
      this.file = file;
      this.channel = channel;
      this.sent = offset;
      this.acked = offset;
      this.serial = serial;
    }
  }
}
