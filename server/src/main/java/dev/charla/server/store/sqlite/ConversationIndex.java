package dev.charla.server.store.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * Where each conversation's messages are, by seq: {@code (conv, seq) → sid}, in a SQLite file of its own beside
 * the store's, written behind by its own thread ({@code charla-indexer}).
 *
 * <p>Why behind, and why another file. Every commit of the message store is fsynced whole. With this index in
 * the message table, a batch spanning many conversations (500 private conversations ping-ponging, say) put each
 * row on a different index page, so every commit wrote and fsynced hundreds of pages for a few kilobytes of
 * messages. Written behind, sorted, a few times a second, each index page is written once per flush; and in its
 * own file the flush takes its own write lock, so the message writer never waits for it (in the same file the
 * flush stalled every commit behind it: the private scenario's p99 went from 18-51 ms to 218 ms).
 *
 * <p>How a flush works. The writer only says how far the store has committed ({@link #committedUpTo}); the
 * indexer's connection has the store attached and copies the new rows in one statement, {@code INSERT … SELECT
 * … ORDER BY conv, seq}. So an indexer that falls behind holds nothing in memory (the rows wait in the store), and
 * the writer hands over one number per batch instead of an object per message. The CPU is SQLite's B-tree
 * insert either way: about 15 % of a core in the private ping-pong, as when the rows were queued, sorted in Java
 * and bound one by one.
 *
 * <p>The index file needs no durability of its own: {@code conv_index_state.indexed_sid} says how far it goes
 * (every message with a smaller sid is in it), readers add the messages above that from the message table (see
 * {@code SqliteChatStore.history}), and opening the store indexes whatever the last run did not; a lost or
 * deleted index file is rebuilt.
 *
 * <p>So it never syncs while the server runs ({@code synchronous=OFF}). Its syncs (two per checkpoint, each
 * flushing up to a megabyte of index pages) made the store's own syncs, which every message waits for, slower: in
 * seven alternating paced runs, the store's WAL sync p99 median 0.65 ms against 0.91, the paced p99 median 7.2 ms
 * against 14.6, lower in six of the seven (bench/README.md, session 8). Without syncs a process
 * kill loses nothing (the writes are in the kernel's page cache), but a machine that stops (power loss, kernel
 * crash) can leave the file torn. So the index notes, synced, which boot of the machine opened it
 * ({@code conv_index_run}: the kernel's boot id) and whether it was closed cleanly; an index that was open when
 * its machine stopped is deleted and rebuilt from the store at the next open. Closing syncs everything first
 * (back to {@code synchronous=FULL}, a full checkpoint), then marks the file clean. Where the kernel has no boot id
 * to read (not Linux), the index syncs as before ({@code synchronous=NORMAL}).
 *
 * <p>Thread rules: {@link #committedUpTo} is called by the store's writer after each commit; the indexer thread
 * owns {@link #connection} after {@link #open}; {@link #close} stops it, then flushes on the caller's thread.
 */
final class ConversationIndex implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConversationIndex.class);

  /** How long committed messages wait to be indexed (and so how long a reader's unindexed tail can get). */
  static final long FLUSH_MILLIS = 250;

  /**
   * The index file's page size, a quarter of SQLite's default. A flush adds a few rows to the last leaf of each
   * active conversation, so it rewrites one leaf per conversation whatever the rows' size: at 10 000 private
   * messages a second across 500 conversations, 5 800 pages a second. With 1 KiB pages that is less than half the
   * bytes (more pages, each smaller), and the paced scenario's p99 was lower in five of six alternating runs
   * (median 5.6 against 7.3 ms, bench/README.md, session 7): the index's writes compete with the store's syncs.
   */
  static final int PAGE_SIZE = 1024;

  static final String SCHEMA = """
      CREATE TABLE IF NOT EXISTS conv_index (
        conv TEXT    NOT NULL,
        seq  INTEGER NOT NULL,
        sid  INTEGER NOT NULL,
        PRIMARY KEY (conv, seq)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS conv_index_state (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        indexed_sid INTEGER NOT NULL
      );
      INSERT OR IGNORE INTO conv_index_state (id, indexed_sid) VALUES (1, 0);
      CREATE TABLE IF NOT EXISTS conv_index_run (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        boot_id TEXT    NOT NULL,
        clean   INTEGER NOT NULL
      )
      """;

  /** Where Linux says which boot this is: a random id, new at every start of the kernel. */
  private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

  /** Indexes the store's messages above the mark and up to {@code ?}, sorted so each index page is visited once. */
  private static final String COPY_NEW_ROWS =
      "INSERT OR IGNORE INTO conv_index (conv, seq, sid) SELECT conv, seq, sid FROM store.messages"
          + " WHERE sid > (SELECT indexed_sid FROM conv_index_state) AND sid <= ? ORDER BY conv, seq";
  private static final String MOVE_MARK = "UPDATE conv_index_state SET indexed_sid = max(indexed_sid, ?) WHERE id = 1";

  private final Path file;
  private final Connection connection;
  /** Whether the index syncs its writes: only where there is no boot id to tell a machine stop by. */
  private final boolean syncs;
  private final Thread thread;
  /** The highest sid the store has committed; written by the store's writer, read by whoever flushes. */
  private final AtomicLong committed = new AtomicLong();
  private volatile boolean running = true;
  /** Tests: while set, the indexer flushes nothing (as if it were slow). */
  private volatile boolean held;

  // ---- the flushing thread only (the indexer; after it stopped, close()) ----
  /** The highest sid this index holds every message up to. */
  private long indexed;

  private ConversationIndex(Path file, Connection connection, boolean syncs, long indexed) {
    this.file = file;
    this.connection = connection;
    this.syncs = syncs;
    this.indexed = indexed;
    this.committed.set(indexed);
    this.thread = new Thread(this::run, "charla-indexer");
    this.thread.setDaemon(true);
  }

  /** The index file of the store in {@code dbFile}. */
  static Path fileFor(Path dbFile) {
    return dbFile.resolveSibling(dbFile.getFileName() + ".index");
  }

  /**
   * Opens (creating if needed) the index of the store in {@code dbFile}, indexes every message of it above the
   * index's mark, and starts the indexer. Call before the store appends anything.
   */
  static ConversationIndex open(Path dbFile) throws SQLException {
    return open(dbFile, kernelBootId());
  }

  /** As {@link #open(Path)}, on the machine boot {@code bootId} (empty: unknown, so the index syncs). */
  static ConversationIndex open(Path dbFile, Optional<String> bootId) throws SQLException {
    Path file = fileFor(dbFile);
    Connection connection;
    try {
      connection = connect(file);
    } catch (SQLException e) {
      log.warn("Could not open the conversation index {}: rebuilding it", file, e);
      delete(file);
      connection = connect(file);
    }
    long indexed;
    try {
      if (bootId.isPresent() && openWhenAnotherBootStopped(connection, bootId.get())) {
        log.warn("The conversation index {} was being written, unsynced, when the machine stopped: rebuilding it",
            file);
        connection.close();
        delete(file);
        connection = connect(file);
      }
      try (PreparedStatement run =
          connection.prepareStatement("INSERT OR REPLACE INTO conv_index_run (id, boot_id, clean) VALUES (1, ?, 0)")) {
        // Synced (the connection starts with synchronous=FULL): from here on, a machine stop means a rebuild.
        run.setString(1, bootId.orElse(""));
        run.executeUpdate();
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute(bootId.isPresent() ? "PRAGMA synchronous = OFF" : "PRAGMA synchronous = NORMAL");
        // Attached for good (ATTACH is not allowed inside a transaction): every flush reads the store's messages.
        statement.execute(
            "ATTACH DATABASE '" + dbFile.toAbsolutePath().toString().replace("'", "''") + "' AS store");
      }
      indexed = catchUp(connection);
      connection.setAutoCommit(false);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
    ConversationIndex index = new ConversationIndex(file, connection, bootId.isEmpty(), indexed);
    index.thread.start();
    return index;
  }

  /** Deletes the index file and SQLite's files beside it: the index is rebuilt from the store. */
  private static void delete(Path file) throws SQLException {
    try {
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
      }
    } catch (IOException e) {
      throw new SQLException("could not delete " + file + " to rebuild it", e);
    }
  }

  /** A connection to the index file, its schema in place, with {@code synchronous=FULL} and in auto-commit. */
  private static Connection connect(Path file) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(10_000);
    config.setCacheSize(-16 * 1024);
    config.setTempStore(SQLiteConfig.TempStore.MEMORY); // the ORDER BY of a flush sorts in memory
    config.setGetGeneratedKeys(false); // no "SELECT last_insert_rowid()" after each insert (see SqliteChatStore)
    Connection connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
    try (Statement statement = connection.createStatement()) {
      // Before WAL mode, which fixes the page size; a file made with another page size keeps it.
      statement.execute("PRAGMA page_size = " + PAGE_SIZE);
      statement.execute("PRAGMA journal_mode = WAL");
      for (String sql : SCHEMA.split(";")) {
        if (!sql.isBlank()) {
          statement.execute(sql);
        }
      }
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  /**
   * Whether the index was open, not closed cleanly, by another boot of the machine: then its unsynced writes may
   * be torn. A file written before {@code conv_index_run} existed synced its writes, and is kept.
   */
  private static boolean openWhenAnotherBootStopped(Connection connection, String bootId) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet run = statement.executeQuery("SELECT boot_id, clean FROM conv_index_run WHERE id = 1")) {
      return run.next() && run.getInt(2) == 0 && !run.getString(1).equals(bootId);
    } catch (SQLException e) {
      // A torn file can fail even this read: rebuild it.
      log.warn("Could not read how the conversation index was last closed", e);
      return true;
    }
  }

  /** The kernel's boot id, where there is one (Linux). */
  static Optional<String> kernelBootId() {
    try {
      String id = Files.readString(BOOT_ID).trim();
      return id.isEmpty() ? Optional.empty() : Optional.of(id);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Indexes the messages a previous run committed but did not index (a crash, or a deleted index file); returns
   * the new mark.
   */
  private static long catchUp(Connection connection) throws SQLException {
    long last;
    try (Statement statement = connection.createStatement();
        ResultSet max = statement.executeQuery("SELECT coalesce(max(sid), 0) FROM store.messages")) {
      last = max.next() ? max.getLong(1) : 0;
    }
    int rows = copy(connection, last);
    if (rows > 0) {
      log.info("Indexed {} messages the index did not have yet", rows);
    }
    return last;
  }

  /** Indexes every message above the mark up to {@code upTo} and moves the mark there; returns the rows added. */
  private static int copy(Connection connection, long upTo) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(COPY_NEW_ROWS);
        PreparedStatement mark = connection.prepareStatement(MOVE_MARK)) {
      insert.setLong(1, upTo);
      int rows = insert.executeUpdate();
      mark.setLong(1, upTo);
      mark.executeUpdate();
      return rows;
    }
  }

  /**
   * The store has committed every message up to {@code sid}: the next flush indexes them. Never blocks. Called by
   * the store's writer after each commit that added messages.
   */
  void committedUpTo(long sid) {
    committed.accumulateAndGet(sid, Math::max);
  }

  /** Tests: stop flushing (true) or go on (false). */
  void hold(boolean hold) {
    this.held = hold;
  }

  Path file() {
    return file;
  }

  private void run() {
    while (running) {
      try {
        Thread.sleep(FLUSH_MILLIS); // let a flush's worth gather: each index page is written once per flush
        if (!held) {
          flush();
        }
      } catch (InterruptedException e) {
        running = false;
      } catch (SQLException | RuntimeException e) {
        // Nothing is lost: the rows are in the store, readers find them above the mark, and the next flush retries.
        log.warn("Could not update the conversation index {}; retrying", file, e);
        rollbackQuietly();
      }
    }
  }

  private void flush() throws SQLException {
    long upTo = committed.get();
    if (upTo <= indexed) {
      return;
    }
    copy(connection, upTo);
    connection.commit();
    indexed = upTo;
  }

  private void rollbackQuietly() {
    try {
      connection.rollback();
    } catch (SQLException e) {
      log.debug("rollback of the conversation index failed", e);
    }
  }

  /** Indexes everything queued, stops the indexer and closes the file. */
  @Override
  public void close() {
    running = false;
    held = false;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // The thread may have been interrupted in its sleep: index what is left here.
    try {
      flush();
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly();
      log.warn("Could not index the last messages in {}; the next open will", file, e);
    }
    markClean();
    try {
      connection.close();
    } catch (SQLException e) {
      log.warn("Closing {} failed", file, e);
    }
  }

  /**
   * Syncs everything the index wrote unsynced (a full checkpoint with {@code synchronous=FULL} syncs the WAL, copies
   * all of it into the database file and syncs that), then marks the file clean, synced: only then may a machine
   * stop not rebuild it.
   */
  private void markClean() {
    try {
      connection.setAutoCommit(true);
      try (Statement statement = connection.createStatement()) {
        statement.execute("PRAGMA synchronous = FULL");
        // main: this file only. Unqualified, it would checkpoint the attached store too, whose writer is open.
        statement.execute("PRAGMA main.wal_checkpoint(FULL)");
        statement.execute("UPDATE conv_index_run SET clean = 1 WHERE id = 1");
      }
    } catch (SQLException e) {
      log.warn("Could not mark {} as closed cleanly; after a machine restart it will be rebuilt", file, e);
    }
  }

  /** Tests: stops the indexer as a machine stop would, without closing anything. */
  void abandon() {
    running = false;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
      connection.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (SQLException e) {
      log.debug("closing an abandoned index", e);
    }
  }

  /** Tests: whether the index syncs its writes (it does where there is no boot id). */
  boolean syncs() {
    return syncs;
  }

  /** Tests: the index file's page size. */
  static long pageSize(Path dbFile) throws SQLException {
    return queryLong(dbFile, "PRAGMA page_size");
  }

  /** Tests and diagnostics: how many rows the index holds. */
  static long rows(Path dbFile) throws SQLException {
    return queryLong(dbFile, "SELECT count(*) FROM conv_index");
  }

  private static long queryLong(Path dbFile, String sql) throws SQLException {
    try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + fileFor(dbFile).toAbsolutePath());
        Statement statement = c.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }
}
