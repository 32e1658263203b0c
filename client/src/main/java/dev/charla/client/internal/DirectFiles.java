package dev.charla.client.internal;

import dev.charla.client.ChatException;
import dev.charla.client.ChatListener;
import dev.charla.client.TransferListener;
import dev.charla.client.TransferProgress;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.FileNames;
import dev.charla.protocol.Limits;
import dev.charla.protocol.ServerFrame;
import dev.charla.protocol.peer.PeerFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files sent over a direct path (docs/PROTOCOL.md, "Files over a direct connection"): {@code file_offer} (name,
 * size, SHA-256) → the recipient's {@code file_answer} (decline, or accept from an offset) → {@code file_chunk}s,
 * at most {@link Limits#FILE_WINDOW_CHUNKS} beyond the last {@code file_ack} → the recipient verifies the SHA-256,
 * saves under a safe name that replaces nothing, and answers {@code file_end}.
 *
 * <p>If the direct path goes down before the end, the sender falls back to the server by itself: the file is
 * offered through the server's file area (the recipient sees a new offer there). The recipient keeps what it had
 * received in {@code .charla-direct-<sha256>.part} in the target folder, so a later direct offer of the same
 * content to the same folder resumes from there.
 *
 * <p>Direct offers reach the application as ordinary {@link ChatListener#onFileOffer} calls whose file id starts
 * with {@value #ID_PREFIX} (server ids never contain a dot), so accepting ({@code download}) and declining
 * ({@code deleteFile}) work through the same calls as for the server's offers.
 *
 * <p>Thread rules: each outgoing transfer runs on its own virtual thread (blocking file reads and path sends);
 * incoming chunks are written on the path's reader thread, which is what paces the sender. Transfer objects are
 * guarded by themselves; the maps are concurrent.
 */
final class DirectFiles {
  private static final Logger log = LoggerFactory.getLogger(DirectFiles.class);
  static final String ID_PREFIX = "d.";
  /** Longest wait for an acknowledgement before the sender gives up on the path. */
  private static final long ACK_TIMEOUT_MILLIS = 30_000;

  private final ClientConnection conn;
  private final ChatListener listener;
  /** Outgoing transfers by link + "/" + xfer. */
  private final Map<String, Outgoing> outgoing = new ConcurrentHashMap<>();
  /** Incoming offers and transfers by file id ({@code d.<link>.<xfer>}). */
  private final Map<String, Incoming> incoming = new ConcurrentHashMap<>();

  DirectFiles(ClientConnection conn, ChatListener listener, dev.charla.protocol.FrameCodec codec) {
    this.conn = conn;
    this.listener = listener;
  }

  static boolean isDirectId(String fileId) {
    return fileId.startsWith(ID_PREFIX);
  }

  // ---- sending ----

  /** Offers {@code file} over {@code to}'s path; if the path goes down first, completes with {@code fallback}. */
  CompletableFuture<ServerFrame.FileInfo> offer(DirectLinks.DirectTo to, Path file, TransferListener progress,
      Supplier<CompletableFuture<ServerFrame.FileInfo>> fallback) {
    CompletableFuture<ServerFrame.FileInfo> result = new CompletableFuture<>();
    Thread.ofVirtual().name("charla-direct-file").start(() -> {
      Outgoing o = null;
      try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
        long size = in.size();
        String sha = FileTransfers.sha256(file, size);
        String name = file.getFileName().toString();
        o = new Outgoing(to.link(), randomXfer());
        outgoing.put(o.key(), o);
        to.path().send(new PeerFrame.FileOffer(o.xfer, name, size, sha));
        PeerFrame.FileAnswer answer = await(o.answer);
        if (!answer.accept()) {
          throw new ChatException(ErrorCode.DECLINED, to.peer() + " declined " + name);
        }
        long offset = answer.offset();
        if (offset < 0 || offset > size) {
          throw new ChatException(ErrorCode.BAD_FRAME, "bad resume offset " + offset);
        }
        FileTransfers.Meter meter = new FileTransfers.Meter(offset);
        o.setStart(offset);
        long window = (long) Limits.FILE_WINDOW_CHUNKS * Limits.FILE_CHUNK_BYTES;
        for (long sent = offset; sent < size && !o.end.isDone(); ) {
          long acked = o.awaitAckAbove(sent - window);
          emitProgress(progress, meter.at(name, acked, size, false));
          int n = (int) Math.min(Limits.FILE_CHUNK_BYTES, size - sent);
          ByteBuffer buf = ByteBuffer.allocate(n);
          while (buf.hasRemaining()) {
            if (in.read(buf, sent + buf.position()) < 0) {
              throw new ChatException(ErrorCode.INTERNAL, "the file got shorter while sending it");
            }
          }
          to.path().send(new PeerFrame.FileChunk(o.xfer, sent, buf.array()));
          sent += n;
        }
        PeerFrame.FileEnd end = await(o.end);
        if (end.code() != null) {
          throw new ChatException(end.code(), to.peer() + ": " + end.message());
        }
        emitProgress(progress, meter.at(name, size, size, true));
        conn.emitSuccess(result, new ServerFrame.FileInfo(ID_PREFIX + to.link() + "." + o.xfer, name, size, sha,
            conn.name(), System.currentTimeMillis(), to.peer()));
      } catch (PathDown | IOException e) {
        // The direct path broke (or never answered): the server's file area takes the file instead.
        log.debug("direct file to {} falls back to the server: {}", to.peer(), e.toString());
        fallback.get().whenComplete((f, err) -> {
          if (err != null) {
            conn.emitFailure(result, ClientConnection.asChat(err));
          } else {
            conn.emitSuccess(result, f);
          }
        });
      } catch (ChatException e) {
        if (o != null && e.code() != ErrorCode.DECLINED && !o.end.isDone()) {
          sendQuietly(to.path(), new PeerFrame.FileEnd(o.xfer, e.code(), e.getMessage()));
        }
        conn.emitFailure(result, e);
      } catch (Exception e) {
        conn.emitFailure(result, ClientConnection.asChat(e));
      } finally {
        if (o != null) {
          outgoing.remove(o.key());
        }
      }
    });
    return result;
  }

  /** Waits for a peer's answer; the path going down or an error the peer sent come out as exceptions. */
  private static <T> T await(CompletableFuture<T> f) throws PathDown, ChatException, InterruptedException {
    try {
      return f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof PathDown down) {
        throw down;
      }
      throw ClientConnection.asChat(e.getCause());
    }
  }

  // ---- receiving ----

  /** Accepts a direct offer: saves into {@code target} (a folder, or a file path whose name is a wish). */
  CompletableFuture<Path> accept(String fileId, Path target, TransferListener progress) {
    Incoming in = incoming.get(fileId);
    if (in == null) {
      return CompletableFuture.failedFuture(new ChatException(ErrorCode.NO_SUCH_FILE,
          "no direct offer " + fileId + " (it ended, or the direct connection went down)"));
    }
    Thread.ofVirtual().name("charla-direct-file").start(() -> {
      try {
        in.open(target, progress);
        in.path.send(new PeerFrame.FileAnswer(in.offer.xfer(), true, in.received()));
        in.finishIfComplete();
      } catch (Exception e) {
        incoming.remove(fileId);
        in.fail(ClientConnection.asChat(e));
      }
    });
    return in.result;
  }

  /** Declines a direct offer; accepted or finished ones are left alone (the terminal deletes after accepting). */
  CompletableFuture<Void> decline(String fileId) {
    Incoming in = incoming.get(fileId);
    if (in == null || in.isAccepted()) {
      return CompletableFuture.completedFuture(null);
    }
    incoming.remove(fileId);
    sendQuietly(in.path, new PeerFrame.FileAnswer(in.offer.xfer(), false, 0));
    return CompletableFuture.completedFuture(null);
  }

  /** A file frame on link {@code link}'s chosen path (its reader thread). */
  void onFrame(String link, String peer, PeerPath path, PeerFrame f) {
    switch (f) {
      case PeerFrame.FileOffer o -> {
        String id = ID_PREFIX + link + "." + o.xfer();
        if (!o.xfer().matches("[A-Za-z0-9_-]{1,64}") || incoming.containsKey(id)) {
          sendQuietly(path, new PeerFrame.FileEnd(o.xfer(), ErrorCode.BAD_FRAME, "bad or repeated transfer id"));
          return;
        }
        incoming.put(id, new Incoming(id, link, path, o));
        ServerFrame.FileInfo info = new ServerFrame.FileInfo(id, FileNames.safe(o.name()), o.size(), o.sha256(),
            peer, System.currentTimeMillis(), conn.name());
        conn.emitEvent(() -> listener.onFileOffer(info));
      }
      case PeerFrame.FileChunk c -> {
        Incoming in = incoming.get(ID_PREFIX + link + "." + c.xfer());
        if (in != null) {
          in.write(c);
        }
      }
      case PeerFrame.FileAnswer a -> {
        Outgoing o = outgoing.get(link + "/" + a.xfer());
        if (o != null) {
          o.answer.complete(a);
        }
      }
      case PeerFrame.FileAck a -> {
        Outgoing o = outgoing.get(link + "/" + a.xfer());
        if (o != null) {
          o.acked(a.next());
        }
      }
      case PeerFrame.FileEnd e -> {
        Outgoing o = outgoing.get(link + "/" + e.xfer());
        if (o != null) {
          // An end before any answer (the recipient could not start) ends the offer too.
          o.answer.completeExceptionally(new ChatException(e.code() == null ? ErrorCode.INTERNAL : e.code(),
              String.valueOf(e.message())));
          o.end.complete(e);
          o.acked(Long.MAX_VALUE);
        }
        Incoming in = incoming.remove(ID_PREFIX + link + "." + e.xfer());
        if (in != null) {
          in.fail(new ChatException(e.code() == null ? ErrorCode.INTERNAL : e.code(), "the sender stopped: "
              + e.message()));
        }
      }
      default -> { }
    }
  }

  /** Link {@code link}'s direct path went down: senders fall back to the server, receivers fail (keeping parts). */
  void onPathDown(String link) {
    for (Outgoing o : outgoing.values()) {
      if (o.link.equals(link)) {
        o.down();
      }
    }
    for (Incoming in : incoming.values()) {
      if (in.link.equals(link)) {
        incoming.remove(in.id);
        in.fail(new ChatException(ErrorCode.INTERNAL,
            "the direct connection went down; the sender offers the file through the server instead"));
      }
    }
  }

  private void emitProgress(TransferListener l, TransferProgress p) {
    if (p != null) {
      conn.emitEvent(() -> l.onProgress(p));
    }
  }

  private static void sendQuietly(PeerPath path, PeerFrame f) {
    try {
      path.send(f);
    } catch (IOException e) {
      log.debug("cannot send {}: {}", f, e.toString());
    }
  }

  private static String randomXfer() {
    byte[] b = new byte[9];
    ThreadLocalRandom.current().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** The direct path went down while a transfer depended on it. */
  private static final class PathDown extends Exception {
    PathDown() {
      super("direct path down", null, false, false);
    }
  }

  /** One file being sent. Guarded by itself. */
  private static final class Outgoing {
    final String link;
    final String xfer;
    final CompletableFuture<PeerFrame.FileAnswer> answer = new CompletableFuture<>();
    final CompletableFuture<PeerFrame.FileEnd> end = new CompletableFuture<>();
    private long acked;
    private boolean down;

    Outgoing(String link, String xfer) {
      this.link = link;
      this.xfer = xfer;
    }

    String key() {
      return link + "/" + xfer;
    }

    synchronized void setStart(long offset) {
      acked = Math.max(acked, offset);
    }

    synchronized void acked(long next) {
      acked = Math.max(acked, next);
      notifyAll();
    }

    void down() {
      synchronized (this) {
        down = true;
        notifyAll();
      }
      answer.completeExceptionally(new PathDown());
      end.completeExceptionally(new PathDown());
    }

    /** Waits until more than {@code floor} bytes are acknowledged; returns the acknowledged count. */
    synchronized long awaitAckAbove(long floor) throws PathDown, InterruptedException, ChatException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ACK_TIMEOUT_MILLIS);
      while (acked <= floor) {
        if (down) {
          throw new PathDown();
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new PathDown(); // the peer stopped acknowledging: treat the path as gone
        }
        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
      if (down) {
        throw new PathDown();
      }
      return acked;
    }
  }

  /** One file offered to us. Guarded by itself. */
  private final class Incoming {
    final String id;
    final String link;
    final PeerPath path;
    final PeerFrame.FileOffer offer;
    final CompletableFuture<Path> result = new CompletableFuture<>();
    private Path dir;
    private String wanted;
    private Path part;
    private FileChannel out;
    private MessageDigest digest;
    private long received;
    private boolean accepted;
    private boolean ended;
    private TransferListener progress = TransferListener.NONE;
    private FileTransfers.Meter meter;

    Incoming(String id, String link, PeerPath path, PeerFrame.FileOffer offer) {
      this.id = id;
      this.link = link;
      this.path = path;
      this.offer = offer;
    }

    synchronized boolean isAccepted() {
      return accepted;
    }

    synchronized long received() {
      return received;
    }

    /** Prepares the part file: what an earlier interrupted transfer of the same content left is kept and hashed. */
    synchronized void open(Path target, TransferListener progress) throws IOException, ChatException {
      if (accepted) {
        throw new ChatException(ErrorCode.FORBIDDEN, "already accepted");
      }
      accepted = true;
      this.progress = progress;
      boolean intoDir = Files.isDirectory(target);
      dir = intoDir ? target : target.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      wanted = intoDir ? FileNames.safe(offer.name()) : FileNames.safe(target.getFileName().toString());
      part = dir.resolve(".charla-direct-" + offer.sha256() + ".part");
      long have = Files.exists(part) ? Math.min(Files.size(part), offer.size()) : 0;
      digest = FileTransfers.newDigest();
      if (have > 0) {
        FileTransfers.hashInto(digest, part, have);
      }
      out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      out.truncate(have);
      out.position(have);
      received = have;
      meter = new FileTransfers.Meter(have);
    }

    /** On the path's reader thread: append, acknowledge, finish after the last byte. */
    synchronized void write(PeerFrame.FileChunk c) {
      if (!accepted || ended || out == null) {
        return;
      }
      if (c.offset() != received || received + c.data().length > offer.size()) {
        incoming.remove(id);
        String why = "chunk at " + c.offset() + " of " + c.data().length + " bytes, expected " + received;
        sendQuietly(path, new PeerFrame.FileEnd(offer.xfer(), ErrorCode.SIZE_MISMATCH, why));
        fail(new ChatException(ErrorCode.SIZE_MISMATCH, why));
        return;
      }
      try {
        ByteBuffer buf = ByteBuffer.wrap(c.data());
        while (buf.hasRemaining()) {
          out.write(buf);
        }
      } catch (IOException e) {
        incoming.remove(id);
        sendQuietly(path, new PeerFrame.FileEnd(offer.xfer(), ErrorCode.INTERNAL, "the recipient cannot write"));
        fail(new ChatException(ErrorCode.INTERNAL, "cannot write " + part + ": " + e.getMessage()));
        return;
      }
      digest.update(c.data());
      received += c.data().length;
      sendQuietly(path, new PeerFrame.FileAck(offer.xfer(), received));
      emitProgress(progress, meter.at(offer.name(), received, offer.size(), false));
      finishIfComplete();
    }

    /** With every byte written: verify, then move into place under a name nothing else has. */
    synchronized void finishIfComplete() {
      if (ended || received != offer.size()) {
        return;
      }
      ended = true;
      incoming.remove(id);
      try {
        out.force(true);
        out.close();
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(offer.sha256())) {
          Files.deleteIfExists(part);
          String why = "received bytes have SHA-256 " + actual + ", expected " + offer.sha256() + "; deleted";
          sendQuietly(path, new PeerFrame.FileEnd(offer.xfer(), ErrorCode.CHECKSUM_MISMATCH, why));
          conn.emitFailure(result, new ChatException(ErrorCode.CHECKSUM_MISMATCH, why));
          return;
        }
        Path saved = FileTransfers.moveToFreeName(part, dir, wanted);
        sendQuietly(path, new PeerFrame.FileEnd(offer.xfer(), null, null));
        emitProgress(progress, meter.at(offer.name(), received, offer.size(), true));
        conn.emitSuccess(result, saved);
      } catch (IOException e) {
        sendQuietly(path, new PeerFrame.FileEnd(offer.xfer(), ErrorCode.INTERNAL, "the recipient cannot save"));
        conn.emitFailure(result, new ChatException(ErrorCode.INTERNAL, "cannot save " + part + ": " + e));
      }
    }

    /** Ends without success; the part file stays for a resume. */
    synchronized void fail(ChatException e) {
      ended = true;
      if (out != null) {
        try {
          out.close();
        } catch (IOException ignored) {
          // nothing to do
        }
      }
      conn.emitFailure(result, e);
    }
  }
}
