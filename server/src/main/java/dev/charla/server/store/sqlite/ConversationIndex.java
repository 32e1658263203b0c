package dev.charla.server.store.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
 * <p>The index file needs no durability of its own: {@code conv_index_state.indexed_sid} says how far it goes
 * (every message with a smaller sid is in it), readers add the messages above that from the message table (see
 * {@code SqliteChatStore.history}), and opening the store indexes whatever the last run did not. So it commits
 * with {@code synchronous=NORMAL}, and a lost or deleted index file is rebuilt.
 *
 * <p>Thread rules: {@link #enqueue} is called by the store's writer, under its write lock, after each commit, so
 * rows arrive in sid order; the indexer thread owns {@link #connection} after {@link #open}; {@link #close}
 * stops it after a last flush.
 */
final class ConversationIndex implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConversationIndex.class);

  /** How long committed messages wait to be indexed (and so how long a reader's unindexed tail can get). */
  static final long FLUSH_MILLIS = 250;

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
      INSERT OR IGNORE INTO conv_index_state (id, indexed_sid) VALUES (1, 0)
      """;

  /** One message's place in its conversation. */
  record Row(String conv, long seq, long sid) {}

  private static final Comparator<Row> INDEX_ORDER = Comparator.comparing(Row::conv).thenComparingLong(Row::seq);

  private final Path file;
  private final Connection connection;
  private final BlockingQueue<List<Row>> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean running = true;
  /** Tests: while set, the indexer flushes nothing (as if it were slow). */
  private volatile boolean held;

  // ---- indexer thread only ----
  /** Rows taken from the queue and not yet committed (kept across a failed flush). */
  private final List<Row> taken = new ArrayList<>();

  private ConversationIndex(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
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
    Path file = fileFor(dbFile);
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(10_000);
    config.setCacheSize(-16 * 1024);
    config.setGetGeneratedKeys(false); // no "SELECT last_insert_rowid()" after each insert (see SqliteChatStore)
    Connection connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
    try {
      try (Statement statement = connection.createStatement()) {
        for (String sql : SCHEMA.split(";")) {
          if (!sql.isBlank()) {
            statement.execute(sql);
          }
        }
      }
      catchUp(connection, dbFile);
      connection.setAutoCommit(false);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
    ConversationIndex index = new ConversationIndex(file, connection);
    index.thread.start();
    return index;
  }

  /** Indexes the messages a previous run committed but did not index (a crash, or a deleted index file). */
  private static void catchUp(Connection connection, Path dbFile) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("ATTACH DATABASE '" + dbFile.toAbsolutePath().toString().replace("'", "''") + "' AS store");
      try {
        int rows = statement.executeUpdate(
            "INSERT OR IGNORE INTO conv_index (conv, seq, sid) SELECT conv, seq, sid FROM store.messages"
                + " WHERE sid > (SELECT indexed_sid FROM conv_index_state) ORDER BY conv, seq");
        statement.executeUpdate("UPDATE conv_index_state SET indexed_sid ="
            + " max(indexed_sid, (SELECT coalesce(max(sid), 0) FROM store.messages))");
        if (rows > 0) {
          log.info("Indexed {} messages the index did not have yet", rows);
        }
      } finally {
        statement.execute("DETACH DATABASE store");
      }
    }
  }

  /** Queues the rows of one committed batch, in sid order. Never blocks. */
  void enqueue(List<Row> rows) {
    if (!rows.isEmpty()) {
      queue.add(rows);
    }
  }

  /** Tests: stop flushing (true) or go on (false). */
  void hold(boolean hold) {
    this.held = hold;
  }

  Path file() {
    return file;
  }

  private void run() {
    while (running || !queue.isEmpty() || !taken.isEmpty()) {
      try {
        List<Row> first = queue.poll(FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        if (first != null) {
          taken.addAll(first);
        }
        if (running) {
          Thread.sleep(FLUSH_MILLIS); // let a flush's worth gather: each index page is written once per flush
        }
        if (held && running) {
          continue;
        }
        List<List<Row>> more = new ArrayList<>();
        queue.drainTo(more);
        more.forEach(taken::addAll);
        if (!taken.isEmpty()) {
          flush();
        }
      } catch (InterruptedException e) {
        running = false;
      } catch (SQLException | RuntimeException e) {
        // The rows stay taken and are tried again; readers meanwhile find them above the mark.
        log.warn("Could not write {} rows to the conversation index {}; retrying", taken.size(), file, e);
        rollbackQuietly();
        if (!running) {
          return; // the next open catches up
        }
      }
    }
  }

  private void flush() throws SQLException {
    List<Row> rows = new ArrayList<>(taken);
    long upTo = rows.getLast().sid(); // rows came in sid order: everything up to here is now indexed
    rows.sort(INDEX_ORDER);
    try (PreparedStatement insert =
            connection.prepareStatement("INSERT OR IGNORE INTO conv_index (conv, seq, sid) VALUES (?, ?, ?)");
        PreparedStatement mark = connection.prepareStatement(
            "UPDATE conv_index_state SET indexed_sid = max(indexed_sid, ?) WHERE id = 1")) {
      for (Row row : rows) {
        insert.setString(1, row.conv());
        insert.setLong(2, row.seq());
        insert.setLong(3, row.sid());
        insert.addBatch();
      }
      insert.executeBatch();
      mark.setLong(1, upTo);
      mark.executeUpdate();
    }
    connection.commit();
    taken.clear();
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
      List<List<Row>> more = new ArrayList<>();
      queue.drainTo(more);
      more.forEach(taken::addAll);
      if (!taken.isEmpty()) {
        flush();
      }
    } catch (SQLException | RuntimeException e) {
      log.warn("Could not index the last messages in {}; the next open will", file, e);
    }
    try {
      connection.close();
    } catch (SQLException e) {
      log.warn("Closing {} failed", file, e);
    }
  }

  /** Tests and diagnostics: how many rows the index holds. */
  static long rows(Path dbFile) throws SQLException {
    try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + fileFor(dbFile).toAbsolutePath());
        Statement statement = c.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM conv_index")) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
