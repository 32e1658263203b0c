package dev.charla.client.internal;

import dev.charla.client.ChatException;
import dev.charla.client.TransferListener;
import dev.charla.client.TransferProgress;
import dev.charla.protocol.ClientFrame;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.FileNames;
import dev.charla.protocol.ServerFrame;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Uploads and downloads for one {@link ClientConnection}: chunking, flow control (at most the server's window of
 * chunks unacknowledged), SHA-256, resume, progress and safe saving.
 *
 * <p>Thread rules: the maps and every transfer's counters are confined to the connection's event loop. File I/O
 * runs on each transfer's own single thread ({@code disk}), which hands results back to the loop; the loop never
 * touches a file. Memory per transfer is bounded by the window (16 × 32 KiB).
 */
final class FileTransfers {
  private static final long PROGRESS_EVERY_NANOS = 100_000_000L;

  private final ClientConnection conn;
  private final Map<String, Upload> uploads = new HashMap<>();
  private final Map<String, Download> downloads = new HashMap<>();

  FileTransfers(ClientConnection conn) {
    this.conn = conn;
  }

  // ---- public operations (any thread) ----

  /** Uploads to the area ({@code to} null) or offers to a user; resumes an earlier interrupted upload. */
  CompletableFuture<ServerFrame.FileInfo> upload(Path file, String to, TransferListener listener) {
    CompletableFuture<ServerFrame.FileInfo> result = new CompletableFuture<>();
    ExecutorService disk = diskThread();
    disk.execute(() -> {
      try {
        long size = Files.size(file);
        String sha = sha256(file, size);
        String name = file.getFileName().toString();
        FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
        conn.onLoop(() -> {
          Upload u = new Upload(name, size, in, disk, result, listener);
          CompletableFuture<ServerFrame.UploadReady> ready = conn.requestForTransfer(id -> to == null
              ? new ClientFrame.Put(id, name, size, sha)
              : new ClientFrame.Offer(id, to, name, size, sha), ServerFrame.UploadReady.class);
          if (ready == null) {
            u.fail(new ChatException(ErrorCode.INTERNAL, "not connected"));
            return;
          }
          // Completes on the loop, before the next frame is handled.
          ready.whenComplete((r, err) -> {
            if (err != null) {
              u.fail(err);
              return;
            }
            u.xfer = r.xfer();
            u.window = (long) r.window() * r.chunkBytes();
            u.chunkBytes = r.chunkBytes();
            u.sent = r.offset();
            u.acked = r.offset();
            u.meter = new Meter(r.offset());
            uploads.put(u.xfer, u);
            fill(u);
          });
        });
      } catch (IOException e) {
        disk.shutdown();
        conn.emitFailure(result, new ChatException(ErrorCode.INTERNAL, "cannot read " + file + ": " + e.getMessage()));
      }
    });
    return result;
  }

  /**
   * Downloads a file into {@code target}: a directory (saved under the file's own name, made safe) or a file path
   * (its name made safe). Never overwrites: a taken name gets " (1)", " (2)", … A partial download stays in
   * {@code .charla-<id>.part} beside it and is resumed by the next download of the same file there.
   */
  CompletableFuture<Path> download(String fileId, Path target, TransferListener listener) {
    CompletableFuture<Path> result = new CompletableFuture<>();
    ExecutorService disk = diskThread();
    disk.execute(() -> {
      try {
        boolean intoDir = Files.isDirectory(target);
        Path dir = intoDir ? target : target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String wanted = intoDir ? null : FileNames.safe(target.getFileName().toString());
        Path part = dir.resolve(".charla-" + FileNames.safe(fileId) + ".part");
        long have = Files.exists(part) ? Files.size(part) : 0;
        conn.onLoop(() -> {
          Download d = new Download(dir, wanted, part, disk, result, listener);
          CompletableFuture<ServerFrame.DownloadReady> ready =
              conn.requestForTransfer(id -> new ClientFrame.Get(id, fileId, have), ServerFrame.DownloadReady.class);
          if (ready == null) {
            d.fail(new ChatException(ErrorCode.INTERNAL, "not connected"));
            return;
          }
          ready.whenComplete((r, err) -> {
            if (err != null) {
              d.fail(err);
              return;
            }
            d.xfer = r.xfer();
            d.file = r.file();
            d.received = r.offset();
            d.meter = new Meter(r.offset());
            downloads.put(d.xfer, d);
            disk.execute(() -> d.open(r.offset()));
            if (r.offset() == r.file().size()) {
              disk.execute(d::finish);
            }
          });
        });
      } catch (IOException e) {
        disk.shutdown();
        conn.emitFailure(result, new ChatException(ErrorCode.INTERNAL, "cannot write into " + target + ": " + e));
      }
    });
    return result;
  }

  // ---- frames (on the loop) ----

  void onAck(ServerFrame.Ack a) {
    Upload u = uploads.get(a.xfer());
    if (u == null) {
      return;
    }
    u.acked = Math.max(u.acked, a.next());
    u.progress(false);
    fill(u);
  }

  void onDone(ServerFrame.TransferDone t) {
    Upload u = uploads.remove(t.xfer());
    if (u != null) {
      u.acked = u.size;
      u.progress(true);
      u.close();
      conn.emitSuccess(u.result, t.file());
    }
  }

  void onFailed(ServerFrame.TransferFailed t) {
    Upload u = uploads.remove(t.xfer());
    if (u != null) {
      u.fail(new ChatException(t.code(), t.message()));
    }
    Download d = downloads.remove(t.xfer());
    if (d != null) {
      d.fail(new ChatException(t.code(), t.message()));
    }
  }

  void onChunk(ServerFrame.Chunk c) {
    Download d = downloads.get(c.xfer());
    if (d == null) {
      return;
    }
    if (c.offset() != d.received || d.received + c.data().length > d.file.size()) {
      downloads.remove(d.xfer);
      d.fail(new ChatException(ErrorCode.SIZE_MISMATCH, "chunk at " + c.offset() + ", expected " + d.received));
      return;
    }
    d.received += c.data().length;
    d.disk.execute(() -> d.write(c.data()));
  }

  /** The connection dropped: every transfer fails; calling upload or download again resumes it. */
  void onDisconnected() {
    ChatException lost = new ChatException(ErrorCode.INTERNAL, "connection lost; transfer again to resume");
    uploads.values().forEach(u -> u.fail(lost));
    downloads.values().forEach(d -> d.fail(lost));
    uploads.clear();
    downloads.clear();
  }

  // ---- uploads ----

  /** On the loop: read the next chunk (one read at a time) if the window allows. */
  private void fill(Upload u) {
    if (u.reading || u.closed || u.sent >= u.size || u.sent - u.acked >= u.window) {
      return;
    }
    u.reading = true;
    long offset = u.sent;
    int n = (int) Math.min(u.chunkBytes, u.size - offset);
    u.disk.execute(() -> {
      ByteBuffer buf = ByteBuffer.allocate(n);
      try {
        while (buf.hasRemaining()) {
          if (u.in.read(buf, offset + buf.position()) < 0) {
            throw new IOException("the file got shorter while sending it");
          }
        }
      } catch (IOException e) {
        conn.onLoop(() -> {
          uploads.remove(u.xfer);
          u.fail(new ChatException(ErrorCode.INTERNAL, e.getMessage()));
        });
        return;
      }
      conn.onLoop(() -> {
        u.reading = false;
        if (u.closed) {
          return;
        }
        conn.writeOnLoop(new ClientFrame.Chunk(null, u.xfer, offset, buf.array()));
        u.sent = offset + n;
        fill(u);
      });
    });
  }

  // ---- helpers ----

  private static void safeExecute(ExecutorService disk, Runnable r) {
    try {
      disk.execute(r);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the transfer's disk thread already finished
    }
  }

  private static ExecutorService diskThread() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "charla-client-file");
      t.setDaemon(true);
      return t;
    });
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SHA-256 of the first {@code length} bytes of a file, streamed. */
  static String sha256(Path file, long length) throws IOException {
    MessageDigest digest = newDigest();
    hashInto(digest, file, length);
    return HexFormat.of().formatHex(digest.digest());
  }

  static void hashInto(MessageDigest digest, Path file, long length) throws IOException {
    byte[] buf = new byte[1 << 16];
    long left = length;
    try (InputStream in = Files.newInputStream(file)) {
      while (left > 0) {
        int r = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (r < 0) {
          throw new IOException(file + " is shorter than " + length + " bytes");
        }
        digest.update(buf, 0, r);
        left -= r;
      }
    }
  }

  /**
   * Moves a finished {@code part} file into {@code dir} under {@code base}, or {@code base (1).ext}, … whichever is
   * free first; never replaces anything (the name is claimed atomically before the move). Returns the path.
   */
  static Path moveToFreeName(Path part, Path dir, String base) throws IOException {
    for (int n = 0; n < 10_000; n++) {
      Path candidate = dir.resolve(n == 0 ? base : FileNames.numbered(base, n));
      try {
        Files.createFile(candidate); // claims the name atomically; never replaces anything
        Files.move(part, candidate, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return candidate;
      } catch (FileAlreadyExistsException taken) {
        // try the next number
      }
    }
    throw new IOException("no free name for " + base + " in " + dir);
  }

  /** Rate and time left, measured from when this attempt started. */
  static final class Meter {
    final long startNanos = System.nanoTime();
    final long startBytes;
    long lastEmitNanos;

    Meter(long startBytes) {
      this.startBytes = startBytes;
    }

    TransferProgress at(String name, long done, long total, boolean last) {
      long now = System.nanoTime();
      if (!last && now - lastEmitNanos < PROGRESS_EVERY_NANOS) {
        return null;
      }
      lastEmitNanos = now;
      double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
      double rate = (done - startBytes) / seconds;
      long eta = rate <= 0 ? -1 : (long) ((total - done) / rate * 1000);
      return new TransferProgress(name, done, total, rate, last ? 0 : eta);
    }
  }

  private final class Upload {
    final String name;
    final long size;
    final FileChannel in;
    final ExecutorService disk;
    final CompletableFuture<ServerFrame.FileInfo> result;
    final TransferListener listener;
    String xfer;
    long window;
    int chunkBytes;
    long sent;
    long acked;
    boolean reading;
    boolean closed;
    Meter meter;

    Upload(String name, long size, FileChannel in, ExecutorService disk,
        CompletableFuture<ServerFrame.FileInfo> result, TransferListener listener) {
      this.name = name;
      this.size = size;
      this.in = in;
      this.disk = disk;
      this.result = result;
      this.listener = listener;
    }

    void progress(boolean last) {
      TransferProgress p = meter == null ? null : meter.at(name, acked, size, last);
      if (p != null) {
        conn.emitEvent(() -> listener.onProgress(p));
      }
    }

    void close() {
      if (closed) {
        return;
      }
      closed = true;
      safeExecute(disk, () -> {
        try {
          in.close();
        } catch (IOException ignored) {
          // nothing to do
        }
      });
      disk.shutdown();
    }

    void fail(Throwable e) {
      close();
      conn.emitFailure(result, ClientConnection.asChat(e));
    }
  }

  private final class Download {
    final Path dir;
    final String wantedName;
    final Path part;
    final ExecutorService disk;
    final CompletableFuture<Path> result;
    final TransferListener listener;
    String xfer;
    ServerFrame.FileInfo file;
    long received;
    Meter meter;
    /** Owned by {@link #disk}. */
    FileChannel out;
    MessageDigest digest;
    long written;
    boolean failed;

    Download(Path dir, String wantedName, Path part, ExecutorService disk, CompletableFuture<Path> result,
        TransferListener listener) {
      this.dir = dir;
      this.wantedName = wantedName;
      this.part = part;
      this.disk = disk;
      this.result = result;
      this.listener = listener;
    }

    /** On disk: hash what a previous attempt left, then append. */
    void open(long offset) {
      try {
        digest = newDigest();
        if (offset > 0) {
          hashInto(digest, part, offset);
        }
        out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        out.truncate(offset);
        out.position(offset);
        written = offset;
      } catch (IOException e) {
        diskFailed(e);
      }
    }

    /** On disk. */
    void write(byte[] data) {
      if (failed) {
        return;
      }
      try {
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
          out.write(buf);
        }
        digest.update(data);
        written += data.length;
      } catch (IOException e) {
        diskFailed(e);
        return;
      }
      long w = written;
      conn.onLoop(() -> {
        if (downloads.get(xfer) != this) {
          return;
        }
        conn.writeOnLoop(new ClientFrame.Ack(null, xfer, w));
        TransferProgress p = meter.at(file.name(), w, file.size(), w == file.size());
        if (p != null) {
          conn.emitEvent(() -> listener.onProgress(p));
        }
      });
      if (w == file.size()) {
        finish();
      }
    }

    /** On disk, with every byte written: verify, then move into place under a name nothing else has. */
    void finish() {
      try {
        out.force(true);
        out.close();
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(file.sha256())) {
          Files.deleteIfExists(part);
          throw new ChatException(ErrorCode.CHECKSUM_MISMATCH,
              "downloaded bytes have SHA-256 " + actual + ", expected " + file.sha256() + "; deleted");
        }
        String base = wantedName != null ? wantedName : FileNames.safe(file.name());
        Path done = moveToFreeName(part, dir, base);
        conn.onLoop(() -> downloads.remove(xfer));
        disk.shutdown();
        conn.emitSuccess(result, done);
      } catch (IOException e) {
        diskFailed(e);
      } catch (ChatException e) {
        failed = true;
        conn.onLoop(() -> downloads.remove(xfer));
        disk.shutdown();
        conn.emitFailure(result, e);
      }
    }

    private void diskFailed(IOException e) {
      failed = true;
      conn.onLoop(() -> {
        downloads.remove(xfer);
        fail(new ChatException(ErrorCode.INTERNAL, "cannot write " + part + ": " + e.getMessage()));
      });
    }

    void fail(Throwable e) {
      safeExecute(disk, () -> {
        failed = true;
        try {
          if (out != null) {
            out.close();
          }
        } catch (IOException ignored) {
          // nothing to do
        }
      });
      disk.shutdown();
      conn.emitFailure(result, ClientConnection.asChat(e));
    }
  }
}
