package dev.charla.server.store.sqlite;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the writer's commits durable with {@code fdatasync}, doing the syncs that SQLite's
 * {@code synchronous=FULL} would do, with one device round trip fewer per commit.
 *
 * <p>Why. The SQLite that sqlite-jdbc ships is built without {@code HAVE_FDATASYNC}, so it syncs with
 * {@code fsync}. On ext4 every write to the WAL changes the file's mtime, so each {@code fsync} writes the inode
 * too: data, then inode, then the cache flush. {@code fdatasync} skips the inode when only timestamps changed (the
 * size is still synced when the WAL grows). Measured on this project's machine (virtio disk, ext4, idle, 2000
 * syncs of a 4 KiB overwrite): fsync p50 66-98 µs, p99 0.25-1.0 ms; fdatasync p50 54-84 µs, p99 0.16-0.32 ms.
 *
 * <p>How it stays as durable as {@code FULL}. The writer connection runs with {@code synchronous=OFF} and without
 * automatic checkpoints, and this class does the two syncs that matter:
 *
 * <ol>
 *   <li>after every commit, {@code fdatasync} of the WAL: the commit's frames (and the WAL header, when the commit
 *       restarted the WAL) are on disk before the caller is told it committed;
 *   <li>checkpoints run here, under the write lock, between write transactions; when one copied frames into the
 *       database file, {@code fdatasync} of that file follows at once. SQLite overwrites (restarts) the WAL only in
 *       a later write transaction, so no frame is overwritten before its page is on disk in the database file.
 * </ol>
 *
 * <p>When to checkpoint. A checkpoint takes about a millisecond here, and up to ten when the disk is busy; run
 * after a commit, it delayed that commit's messages, since they are fanned out only when the store returns. So
 * the message writer asks for it between batches ({@link #upkeep}, from {@code ChatStore.upkeep}), after fanning
 * the last one out: when idle, once {@link #CHECKPOINT_INTERVAL_NANOS} has passed since the last; when more
 * messages are waiting, only once {@link #CHECKPOINT_OVERDUE_NANOS} has. A commit checkpoints by itself only after
 * {@link #CHECKPOINT_BACKSTOP_NANOS} (a store nobody calls upkeep on, such as in tests, keeps a bounded WAL).
 *
 * On close the connection goes back to {@code synchronous=FULL}, so SQLite's own last checkpoint syncs the
 * database file before it deletes the WAL.
 *
 * <p>Thread rules: every method is called with the store's write lock held (the writer connection's rule).
 */
final class WalSync implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WalSync.class);

  /**
   * How often, at most, an idle writer checkpoints: the WAL holds about this long's worth of writes. Small
   * checkpoints often, rather than SQLite's default of one per 1000 pages, keep each one short (it delays the
   * next commit) and the WAL small enough to stay in the page cache.
   */
  static final long CHECKPOINT_INTERVAL_NANOS = 50_000_000;

  /** How long a busy writer may go without a checkpoint: then it checkpoints even with messages waiting. */
  static final long CHECKPOINT_OVERDUE_NANOS = 4 * CHECKPOINT_INTERVAL_NANOS;

  /** How long commits may go without a checkpoint when nobody calls {@link #upkeep}: then a commit does one. */
  static final long CHECKPOINT_BACKSTOP_NANOS = 20 * CHECKPOINT_INTERVAL_NANOS;

  private final FileChannel wal;
  private final FileChannel database;
  private final LongSupplier nanoClock;
  private long lastCheckpointNanos;
  private boolean committedSinceCheckpoint;
  /** The first sync that failed; from then on every write is refused (see {@link #checkUsable}). */
  private IOException failedSync;

  private WalSync(FileChannel wal, FileChannel database, LongSupplier nanoClock) {
    this.wal = wal;
    this.database = database;
    this.nanoClock = nanoClock;
    this.lastCheckpointNanos = nanoClock.getAsLong();
  }

  /**
   * Switches {@code writer} (in manual-commit mode, its pending transaction empty) to syncs by this class.
   * Call after the writer's first commit: the WAL file exists from then on, as long as the connection is open.
   */
  static WalSync takeOver(Connection writer, Path dbFile, LongSupplier nanoClock) throws SQLException, IOException {
    Path absolute = dbFile.toAbsolutePath();
    FileChannel database = FileChannel.open(absolute, StandardOpenOption.READ);
    FileChannel wal;
    try {
      wal = FileChannel.open(absolute.resolveSibling(absolute.getFileName() + "-wal"), StandardOpenOption.READ);
    } catch (IOException e) {
      database.close();
      throw e;
    }
    WalSync sync = new WalSync(wal, database, nanoClock);
    try {
      sync.outsideTransaction(writer, "PRAGMA synchronous = OFF", "PRAGMA wal_autocheckpoint = 0");
    } catch (SQLException e) {
      sync.close();
      throw e;
    }
    return sync;
  }

  /**
   * Before each write transaction: refuses it once a sync has failed. After a failed fsync the kernel may have
   * dropped the pages it could not write and report the next fsync as a success, and a failed sync of the
   * database file after a checkpoint would let the next commit overwrite WAL frames whose pages are not on disk.
   * So the store stops writing (as PostgreSQL stops) until someone has looked at the disk and restarted it.
   */
  void checkUsable() throws IOException {
    if (failedSync != null) {
      throw new IOException("a sync to disk failed earlier; writes are refused until the server is restarted",
          failedSync);
    }
  }

  /**
   * After each commit of the writer: puts it on disk (if this throws, the commit is not durable). Checkpoints only
   * when nothing has for {@link #CHECKPOINT_BACKSTOP_NANOS}; see {@link #upkeep}.
   */
  void committed(Connection writer) throws IOException {
    sync(wal, "wal");
    committedSinceCheckpoint = true;
    if (nanoClock.getAsLong() - lastCheckpointNanos >= CHECKPOINT_BACKSTOP_NANOS) {
      checkpoint(writer);
    }
  }

  /**
   * Between write transactions: checkpoints if it is time, sooner when {@code idle} (see the class comment). A
   * checkpoint's failures do not undo any commit: they are logged, and a failed sync stops further writes (see
   * {@link #checkUsable}).
   */
  void upkeep(Connection writer, boolean idle) {
    long since = nanoClock.getAsLong() - lastCheckpointNanos;
    if (failedSync == null && since >= (idle ? CHECKPOINT_INTERVAL_NANOS : CHECKPOINT_OVERDUE_NANOS)) {
      checkpoint(writer);
    }
  }

  /** Copies what it can of the WAL into the database file, and syncs that file if anything was copied. */
  private void checkpoint(Connection writer) {
    lastCheckpointNanos = nanoClock.getAsLong();
    if (!committedSinceCheckpoint) {
      return;
    }
    committedSinceCheckpoint = false;
    CheckpointEvent event = new CheckpointEvent();
    event.begin();
    try {
      // A checkpoint cannot run inside a transaction, and the driver begins the next one as soon as one commits.
      writer.setAutoCommit(true);
      try (Statement statement = writer.createStatement();
          ResultSet result = statement.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
        // Columns: busy, frames in the WAL, frames copied so far. Readers may hold some frames back (PASSIVE
        // copies only what no reader still needs); the rest goes in a later checkpoint, at the next upkeep.
        if (result.next()) {
          event.walFrames = result.getLong(2);
          event.copiedFrames = result.getLong(3);
          committedSinceCheckpoint = event.copiedFrames < event.walFrames;
          if (event.copiedFrames > 0) {
            sync(database, "database");
          }
        }
      }
    } catch (SQLException e) {
      // Nothing was marked as copied: the WAL keeps every frame, and the next checkpoint tries again.
      committedSinceCheckpoint = true;
      log.warn("A checkpoint failed; the next one retries", e);
    } catch (IOException e) {
      log.error("The database file could not be synced after a checkpoint; writes are refused from now on", e);
    } finally {
      event.commit();
      try {
        writer.setAutoCommit(false);
      } catch (SQLException e) {
        // Left in auto-commit, the writer would commit statement by statement: refuse writes instead.
        failedSync = new IOException("could not begin the next write transaction after a checkpoint", e);
        log.error("The writer could not leave auto-commit after a checkpoint; writes are refused from now on", e);
      }
    }
  }

  private void sync(FileChannel file, String name) throws IOException {
    SyncEvent event = new SyncEvent();
    event.begin();
    try {
      file.force(false); // fdatasync
    } catch (IOException e) {
      failedSync = e;
      throw e;
    } finally {
      event.file = name;
      event.commit();
    }
  }

  /** Before the writer closes: SQLite's closing checkpoint must sync the database file before deleting the WAL. */
  void beforeClose(Connection writer) throws SQLException {
    outsideTransaction(writer, "PRAGMA synchronous = FULL");
  }

  private void outsideTransaction(Connection writer, String... pragmas) throws SQLException {
    writer.setAutoCommit(true);
    try (Statement statement = writer.createStatement()) {
      for (String pragma : pragmas) {
        statement.execute(pragma);
      }
    } finally {
      writer.setAutoCommit(false);
    }
  }

  @Override
  public void close() {
    try {
      wal.close();
    } catch (IOException ignored) {
      // read-only channels: nothing is lost
    }
    try {
      database.close();
    } catch (IOException ignored) {
      // read-only channels: nothing is lost
    }
  }
}
