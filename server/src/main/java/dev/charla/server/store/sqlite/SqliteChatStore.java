package dev.charla.server.store.sqlite;

import dev.charla.server.store.Account;
import dev.charla.server.store.AppendResult;
import dev.charla.server.store.ChatStore;
import dev.charla.server.store.NewMessage;
import dev.charla.server.store.RoomRecord;
import dev.charla.server.store.StoredMessage;
import dev.charla.server.store.TokenRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The {@link ChatStore} on one SQLite file in WAL mode.
 *
 * <p>Connections: one writer connection, used by every mutating method under {@link #writeLock}, and a fixed
 * pool of read-only connections that WAL lets run alongside the writer, each reading the last committed state.
 * Every connection keeps its prepared statements, so the hot paths never re-parse SQL.
 *
 * <p>Throughput of {@link #append}: one transaction (one fsync) per call, one INSERT per message plus one per
 * pending row, with cached statements; the conversation index is written behind, a few times a second (see
 * {@link #append} for why: with it written per commit, a batch spanning many conversations wrote a WAL page per
 * message). Measure with the bench module's {@code private} scenario.
 */
public final class SqliteChatStore implements ChatStore {
  private static final Logger log = LoggerFactory.getLogger(SqliteChatStore.class);

  /** How commits reach the disk. */
  public enum Durability {
    /**
     * WAL with synchronous=FULL: the WAL is fsynced at every commit, so a committed write survives a process
     * kill, an OS crash and a power loss.
     */
    DURABLE,
    /**
     * WAL with synchronous=OFF: no fsync at all. Survives a process kill but not an OS crash or power loss.
     * Only for benchmarks that measure what durability costs.
     */
    FAST
  }

  private static final int BUSY_TIMEOUT_MILLIS = 10_000;
  private static final long BORROW_TIMEOUT_SECONDS = 30;

  private static final String MESSAGE_COLUMNS =
      "sid, conv, seq, sender_key, sender_name, recipient, ts, text, via, cmid";

  // The conflict target is the cmid index: a retried send is stored once. (A seq that is not above its
  // conversation's last is refused by append itself: conv_index is written behind.)
  // The sid is assigned here (see lastSid) rather than read back with RETURNING: no result set per row.
  private static final String INSERT_MESSAGE =
      "INSERT INTO messages (sid, conv, seq, sender_key, sender_name, recipient, ts, text, via, cmid)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (sender_key, cmid) WHERE cmid IS NOT NULL DO NOTHING";
  private static final String INSERT_PENDING =
      "INSERT OR IGNORE INTO pending (account_id, sid) VALUES (?, ?)";
  private static final String SELECT_BY_CMID =
      "SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE sender_key = ? AND cmid = ?";

  private final Path file;

  // Guards writer and every write transaction. Lock order: writeLock before any reader borrowed by the same
  // thread (no method does that today).
  private final ReentrantLock writeLock = new ReentrantLock();

  /** Guarded by writeLock. Always in manual-commit mode; every write method commits or rolls back. */
  private final StatementCachingConnection writer;

  /** Idle read-only connections; a reader is owned by exactly one thread between take and offer. */
  private final BlockingQueue<StatementCachingConnection> idleReaders;

  private final int readerCount;

  /** The highest sid stored; guarded by writeLock. The single writer numbers messages itself. */
  private long lastSid;

  /** How long appended messages may wait before their rows go into {@code conv_index}; see {@link #append}. */
  static final long INDEX_FLUSH_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** {@link #INDEX_FLUSH_NANOS}, changeable by tests; guarded by writeLock. */
  private long indexFlushNanos = INDEX_FLUSH_NANOS;

  /** At most this many messages wait for {@code conv_index}, whatever the time. */
  static final int INDEX_FLUSH_ROWS = 50_000;

  /** One {@code conv_index} row of a message appended but not indexed yet. */
  private record IndexRow(String conv, long seq, long sid) {}

  private static final Comparator<IndexRow> INDEX_ORDER =
      Comparator.comparing(IndexRow::conv).thenComparingLong(IndexRow::seq);

  /** Appended messages not yet in conv_index, in sid order; guarded by writeLock. */
  private final List<IndexRow> unindexed = new ArrayList<>();

  /** When conv_index was last brought up to date; guarded by writeLock. */
  private long indexedAtNanos = System.nanoTime();

  /** The highest seq appended per conversation, filled as conversations are first appended to; writeLock. */
  private final Map<String, Long> lastSeqByConv = new HashMap<>();

  private volatile boolean closed;

  private SqliteChatStore(
      Path file, StatementCachingConnection writer, List<StatementCachingConnection> readers) {
    this.file = file;
    this.writer = writer;
    this.readerCount = readers.size();
    this.idleReaders = new ArrayBlockingQueue<>(readers.size(), false, readers);
  }

  /** Opens {@code dbFile} with {@link Durability#DURABLE} and a reader pool sized for this machine. */
  public static SqliteChatStore open(Path dbFile) {
    return open(dbFile, Durability.DURABLE);
  }

  /** Opens {@code dbFile} with a reader pool sized for this machine. */
  public static SqliteChatStore open(Path dbFile, Durability durability) {
    int readers = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
    return open(dbFile, durability, readers);
  }

  /**
   * Opens {@code dbFile}, creating it and its parent directories if absent, and applies any schema migrations
   * it has not run yet.
   *
   * @param readers how many read-only connections to keep; at most this many reads run at once
   */
  public static SqliteChatStore open(Path dbFile, Durability durability, int readers) {
    if (readers < 1) {
      throw new IllegalArgumentException("readers must be at least 1, was " + readers);
    }
    List<StatementCachingConnection> opened = new ArrayList<>();
    try {
      Path parent = dbFile.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      // The writer comes first: it creates the file, switches it to WAL and migrates it before any reader
      // looks at the schema.
      StatementCachingConnection writer = new StatementCachingConnection(connect(dbFile, durability, false));
      opened.add(writer);
      SchemaMigrations.migrate(writer.connection);
      writer.connection.setAutoCommit(false);
      List<StatementCachingConnection> readerConnections = new ArrayList<>();
      for (int i = 0; i < readers; i++) {
        StatementCachingConnection reader = new StatementCachingConnection(connect(dbFile, durability, true));
        opened.add(reader);
        readerConnections.add(reader);
      }
      log.info("Opened {} ({}, {} readers)", dbFile, durability, readers);
      SqliteChatStore store = new SqliteChatStore(dbFile, writer, readerConnections);
      try (var statement = writer.connection.createStatement();
          ResultSet max = statement.executeQuery("SELECT coalesce(max(sid), 0) FROM messages")) {
        store.lastSid = max.next() ? max.getLong(1) : 0;
      }
      catchUpIndex(writer);
      writer.connection.commit();
      return store;
    } catch (Exception e) {
      for (StatementCachingConnection connection : opened) {
        try {
          connection.close();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      if (e instanceof SqliteStoreException storeException) {
        throw storeException;
      }
      throw new SqliteStoreException("cannot open database " + dbFile + ": " + e.getMessage(), e);
    }
  }

  private static Connection connect(Path dbFile, Durability durability, boolean readOnly)
      throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(
        durability == Durability.DURABLE
            ? SQLiteConfig.SynchronousMode.FULL
            : SQLiteConfig.SynchronousMode.OFF);
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    config.setTempStore(SQLiteConfig.TempStore.MEMORY);
    // IMMEDIATE takes the write lock at BEGIN, so a write transaction never fails half way with SQLITE_BUSY
    // when it upgrades from reading.
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    if (!readOnly) {
      // The writer touches the tail of every message index on each append; a 16 MiB page cache keeps them hot.
      config.setCacheSize(-16 * 1024);
    }
    Connection connection = config.createConnection("jdbc:sqlite:" + dbFile.toAbsolutePath());
    if (readOnly) {
      // query_only rather than a read-only open: a read-only open cannot recover the WAL index if it must.
      try (var statement = connection.createStatement()) {
        statement.execute("PRAGMA query_only = ON");
      }
    }
    return connection;
  }

  // ---- accounts -------------------------------------------------------------------------------------

  @Override
  public java.util.Set<String> accountKeys() {
    return read(
        "accountKeys",
        reader -> {
          java.util.Set<String> keys = new java.util.HashSet<>();
          try (ResultSet rows = reader.prepare("SELECT user_key FROM accounts").executeQuery()) {
            while (rows.next()) {
              keys.add(rows.getString(1));
            }
          }
          return keys;
        });
  }

  @Override
  public Optional<Account> findAccount(String userKey) {
    return read(
        "findAccount",
        reader -> {
          PreparedStatement select =
              reader.prepare(
                  "SELECT id, user_key, display_name, password_hash, created_at FROM accounts"
                      + " WHERE user_key = ?");
          select.setString(1, userKey);
          return oneAccount(select);
        });
  }

  @Override
  public Optional<Account> findAccount(long accountId) {
    return read(
        "findAccount",
        reader -> {
          PreparedStatement select =
              reader.prepare(
                  "SELECT id, user_key, display_name, password_hash, created_at FROM accounts WHERE id = ?");
          select.setLong(1, accountId);
          return oneAccount(select);
        });
  }

  private static Optional<Account> oneAccount(PreparedStatement select) throws SQLException {
    try (ResultSet rows = select.executeQuery()) {
      if (!rows.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new Account(
              rows.getLong(1), rows.getString(2), rows.getString(3), rows.getString(4), rows.getLong(5)));
    }
  }

  @Override
  public Optional<Account> createAccount(
      String userKey, String displayName, String passwordHash, long createdAtMillis) {
    return write(
        "createAccount",
        w -> {
          PreparedStatement insert =
              w.prepare(
                  "INSERT INTO accounts (user_key, display_name, password_hash, created_at)"
                      + " VALUES (?, ?, ?, ?) ON CONFLICT (user_key) DO NOTHING RETURNING id");
          insert.setString(1, userKey);
          insert.setString(2, displayName);
          insert.setString(3, passwordHash);
          insert.setLong(4, createdAtMillis);
          try (ResultSet rows = insert.executeQuery()) {
            if (!rows.next()) {
              return Optional.empty();
            }
            return Optional.of(
                new Account(rows.getLong(1), userKey, displayName, passwordHash, createdAtMillis));
          }
        });
  }

  // ---- resume tokens --------------------------------------------------------------------------------

  @Override
  public void saveToken(byte[] tokenHash, long accountId, long expiresAtMillis) {
    write(
        "saveToken",
        w -> {
          PreparedStatement insert =
              w.prepare(
                  "INSERT OR REPLACE INTO tokens (token_hash, account_id, expires_at) VALUES (?, ?, ?)");
          insert.setBytes(1, tokenHash);
          insert.setLong(2, accountId);
          insert.setLong(3, expiresAtMillis);
          insert.executeUpdate();
          return null;
        });
  }

  @Override
  public Optional<TokenRecord> findToken(byte[] tokenHash) {
    return read(
        "findToken",
        reader -> {
          PreparedStatement select =
              reader.prepare("SELECT account_id, expires_at FROM tokens WHERE token_hash = ?");
          select.setBytes(1, tokenHash);
          try (ResultSet rows = select.executeQuery()) {
            return rows.next()
                ? Optional.of(new TokenRecord(rows.getLong(1), rows.getLong(2)))
                : Optional.empty();
          }
        });
  }

  @Override
  public void revokeToken(byte[] tokenHash) {
    write(
        "revokeToken",
        w -> {
          PreparedStatement delete = w.prepare("DELETE FROM tokens WHERE token_hash = ?");
          delete.setBytes(1, tokenHash);
          delete.executeUpdate();
          return null;
        });
  }

  @Override
  public int purgeExpiredTokens(long nowMillis) {
    return write(
        "purgeExpiredTokens",
        w -> {
          PreparedStatement delete = w.prepare("DELETE FROM tokens WHERE expires_at < ?");
          delete.setLong(1, nowMillis);
          return delete.executeUpdate();
        });
  }

  // ---- rooms and memberships ------------------------------------------------------------------------

  @Override
  public List<RoomRecord> loadRooms() {
    return read(
        "loadRooms",
        reader -> {
          PreparedStatement select =
              reader.prepare("SELECT name, topic, created_at FROM rooms ORDER BY name");
          List<RoomRecord> rooms = new ArrayList<>();
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              rooms.add(new RoomRecord(rows.getString(1), rows.getString(2), rows.getLong(3)));
            }
          }
          return rooms;
        });
  }

  @Override
  public void ensureRoom(String room, long createdAtMillis) {
    write(
        "ensureRoom",
        w -> {
          PreparedStatement insert =
              w.prepare("INSERT OR IGNORE INTO rooms (name, topic, created_at) VALUES (?, '', ?)");
          insert.setString(1, room);
          insert.setLong(2, createdAtMillis);
          insert.executeUpdate();
          return null;
        });
  }

  /** Sets the topic of an existing room; does nothing if the room does not exist. */
  @Override
  public void setTopic(String room, String topic) {
    write(
        "setTopic",
        w -> {
          PreparedStatement update = w.prepare("UPDATE rooms SET topic = ? WHERE name = ?");
          update.setString(1, topic);
          update.setString(2, room);
          update.executeUpdate();
          return null;
        });
  }

  @Override
  public List<String> roomsOf(long accountId) {
    return read(
        "roomsOf",
        reader -> {
          PreparedStatement select =
              reader.prepare("SELECT room FROM members WHERE account_id = ? ORDER BY room");
          select.setLong(1, accountId);
          List<String> rooms = new ArrayList<>();
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              rooms.add(rows.getString(1));
            }
          }
          return rooms;
        });
  }

  @Override
  public void addMember(String room, long accountId) {
    write(
        "addMember",
        w -> {
          PreparedStatement insert =
              w.prepare("INSERT OR IGNORE INTO members (room, account_id) VALUES (?, ?)");
          insert.setString(1, room);
          insert.setLong(2, accountId);
          insert.executeUpdate();
          return null;
        });
  }

  @Override
  public void removeMember(String room, long accountId) {
    write(
        "removeMember",
        w -> {
          PreparedStatement delete = w.prepare("DELETE FROM members WHERE room = ? AND account_id = ?");
          delete.setString(1, room);
          delete.setLong(2, accountId);
          delete.executeUpdate();
          return null;
        });
  }

  // ---- messages --------------------------------------------------------------------------------------

  /**
   * {@inheritDoc}
   *
   * <p>A duplicate within the batch is found the same way as one from an earlier batch: the first occurrence
   * is already in the (uncommitted) transaction when the second is inserted. A duplicate gets no pending rows;
   * the earlier message already has its own. A null {@code pendingFor} means none.
   *
   * <p>The per-conversation index is written behind. Each commit is fsynced whole, and an index on
   * {@code (conv, seq)} puts the rows of a batch that spans many conversations (500 private conversations, say)
   * on as many different pages: half a megabyte or more of WAL per commit for a few kilobytes of messages, which
   * made the fsync, not the CPU, the limit. So the {@code messages} table is append-only (rowid order) and
   * {@code conv_index} is brought up to date at most every {@link #INDEX_FLUSH_NANOS} (or
   * {@link #INDEX_FLUSH_ROWS} messages), inside an append's transaction, sorted, so each index page is written
   * once per flush instead of once per commit. {@code conv_index_state.indexed_sid} says how far the index goes;
   * readers add the messages above it (a short rowid range) to what the index finds, in the same statement, so
   * they always see every committed message. Nothing is lost in a crash: the index is caught up at open.
   *
   * @throws SqliteStoreException if anything fails, including a seq that is not above the last one appended to
   *     its conversation; the whole batch is rolled back
   */
  @Override
  public List<AppendResult> append(List<NewMessage> batch) {
    if (batch.isEmpty()) {
      return List.of();
    }
    writeLock.lock(); // reentrant: held across write() so the in-memory index state moves with the commit
    try {
      List<IndexRow> added = new ArrayList<>(batch.size());
      Map<String, Long> seqs = new HashMap<>();
      boolean flush =
          System.nanoTime() - indexedAtNanos >= indexFlushNanos || unindexed.size() >= INDEX_FLUSH_ROWS;
      List<AppendResult> results = write("append of " + batch.size() + " messages", w -> {
        List<AppendResult> out = appendRows(w, batch, added, seqs);
        if (flush) {
          List<IndexRow> rows = new ArrayList<>(unindexed.size() + added.size());
          rows.addAll(unindexed);
          rows.addAll(added);
          writeIndex(w, rows, lastSid);
        }
        return out;
      });
      lastSeqByConv.putAll(seqs);
      if (flush) {
        unindexed.clear();
        indexedAtNanos = System.nanoTime();
      } else {
        unindexed.addAll(added);
      }
      return results;
    } finally {
      writeLock.unlock();
    }
  }

  private List<AppendResult> appendRows(StatementCachingConnection w, List<NewMessage> batch, List<IndexRow> added,
      Map<String, Long> seqs) throws SQLException {
    List<AppendResult> results = new ArrayList<>(batch.size());
    PreparedStatement insert = w.prepare(INSERT_MESSAGE);
    PreparedStatement insertPending = w.prepare(INSERT_PENDING);
    long sidBefore = lastSid;
    boolean finished = false;
    try {
      for (NewMessage message : batch) {
        Long last = seqs.get(message.conv());
        if (last == null) {
          last = lastSeqByConv.get(message.conv());
        }
        if (last == null) {
          last = lastSeq(w, message.conv());
        }
        // Every parameter is set on every row, so no clearParameters() between rows.
        long sid = lastSid + 1;
        insert.setLong(1, sid);
        insert.setString(2, message.conv());
        insert.setLong(3, message.seq());
        insert.setString(4, message.senderKey());
        insert.setString(5, message.senderName());
        insert.setString(6, message.recipient());
        insert.setLong(7, message.tsMillis());
        insert.setString(8, message.text());
        setNullableString(insert, 9, message.via());
        setNullableString(insert, 10, message.cmid());
        if (insert.executeUpdate() == 1) {
          if (message.seq() <= last) {
            throw new SQLException( // write() rolls the batch back and reports it as a store failure
                "seq " + message.seq() + " of " + message.conv() + " is not above the last one stored (" + last + ")");
          }
          lastSid = sid;
          seqs.put(message.conv(), message.seq());
          added.add(new IndexRow(message.conv(), message.seq(), sid));
        } else {
          // Only the cmid conflict is ignored, so the earlier message must exist.
          StoredMessage earlier =
              selectByCmid(w, message.senderKey(), message.cmid())
                  .orElseThrow(() -> new IllegalStateException("insert ignored but no message with that cmid"));
          results.add(new AppendResult(earlier, true));
          continue;
        }
        if (message.pendingFor() != null) {
          for (Long accountId : message.pendingFor()) {
            insertPending.setLong(1, accountId);
            insertPending.setLong(2, sid);
            insertPending.executeUpdate();
          }
        }
        results.add(
            new AppendResult(
                new StoredMessage(
                    sid,
                    message.conv(),
                    message.seq(),
                    message.senderKey(),
                    message.senderName(),
                    message.recipient(),
                    message.tsMillis(),
                    message.text(),
                    message.via(),
                    message.cmid()),
                false));
      }
      finished = true;
      return results;
    } finally {
      if (!finished) {
        // The transaction is rolled back: those sids were never stored. (Should the commit itself fail,
        // the sids are skipped instead: still unique and increasing.)
        lastSid = sidBefore;
      }
    }
  }

  /** Inserts {@code rows} into conv_index, in index order, and records that it now covers sids up to {@code upTo}. */
  private static void writeIndex(StatementCachingConnection w, List<IndexRow> rows, long upTo) throws SQLException {
    rows.sort(INDEX_ORDER);
    PreparedStatement insert = w.prepare("INSERT INTO conv_index (conv, seq, sid) VALUES (?, ?, ?)");
    for (IndexRow row : rows) {
      insert.setString(1, row.conv());
      insert.setLong(2, row.seq());
      insert.setLong(3, row.sid());
      insert.executeUpdate();
    }
    PreparedStatement state = w.prepare("UPDATE conv_index_state SET indexed_sid = ? WHERE id = 1");
    state.setLong(1, upTo);
    state.executeUpdate();
  }

  /** At open: indexes whatever a crash left unindexed. Runs in the caller's transaction. */
  private static void catchUpIndex(StatementCachingConnection w) throws SQLException {
    try (var statement = w.connection.createStatement()) {
      int rows = statement.executeUpdate(
          "INSERT INTO conv_index (conv, seq, sid) SELECT conv, seq, sid FROM messages"
              + " WHERE sid > (SELECT indexed_sid FROM conv_index_state) ORDER BY conv, seq");
      statement.executeUpdate(
          "UPDATE conv_index_state SET indexed_sid = (SELECT coalesce(max(sid), 0) FROM messages)");
      if (rows > 0) {
        log.info("Indexed {} messages the last run had not indexed yet", rows);
      }
    }
  }

  /** For tests: how long appends may leave messages unindexed (0: index at every append). */
  void indexFlushInterval(java.time.Duration interval) {
    writeLock.lock();
    try {
      indexFlushNanos = interval.toNanos();
    } finally {
      writeLock.unlock();
    }
  }

  /** Brings conv_index up to date; before closing. */
  private void flushIndex() {
    if (unindexed.isEmpty()) {
      return;
    }
    List<IndexRow> rows = new ArrayList<>(unindexed);
    write("index flush", w -> {
      writeIndex(w, rows, lastSid);
      return null;
    });
    unindexed.clear();
    indexedAtNanos = System.nanoTime();
  }

  private static void setNullableString(PreparedStatement statement, int index, String value)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.VARCHAR);
    } else {
      statement.setString(index, value);
    }
  }

  @Override
  public long lastSeq(String conv) {
    return read("lastSeq", reader -> lastSeq(reader, conv));
  }

  // The indexed part and the part above the index, in one statement: one snapshot (see append).
  private static final String UNINDEXED = "sid > (SELECT indexed_sid FROM conv_index_state)";

  private static long lastSeq(StatementCachingConnection connection, String conv) throws SQLException {
    PreparedStatement select = connection.prepare(
        "SELECT coalesce(max(s), 0) FROM (SELECT max(seq) AS s FROM conv_index WHERE conv = ?1"
            + " UNION ALL SELECT max(seq) FROM messages WHERE " + UNINDEXED + " AND conv = ?1)");
    select.setString(1, conv);
    try (ResultSet rows = select.executeQuery()) {
      return rows.next() ? rows.getLong(1) : 0L;
    }
  }

  @Override
  public Optional<StoredMessage> findByCmid(String senderKey, String cmid) {
    if (cmid == null) {
      return Optional.empty();
    }
    return read("findByCmid", reader -> selectByCmid(reader, senderKey, cmid));
  }

  private static Optional<StoredMessage> selectByCmid(
      StatementCachingConnection connection, String senderKey, String cmid) throws SQLException {
    PreparedStatement select = connection.prepare(SELECT_BY_CMID);
    select.setString(1, senderKey);
    select.setString(2, cmid);
    try (ResultSet rows = select.executeQuery()) {
      return rows.next() ? Optional.of(message(rows)) : Optional.empty();
    }
  }

  // A compound SELECT with ORDER BY ... LIMIT: SQLite merges the two arms, reading conv_index in seq order and
  // stopping at the limit (the arm above the index is a short rowid range). The index arm selects i.seq, not
  // m.seq, so that its order comes from the index rather than a sort.
  private static final String INDEXED_COLUMNS =
      "m.sid, i.conv, i.seq, m.sender_key, m.sender_name, m.recipient, m.ts, m.text, m.via, m.cmid";
  private static final String HISTORY_BEFORE =
      "SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE " + UNINDEXED + " AND conv = ?1 AND seq < ?2"
          + " UNION ALL SELECT " + INDEXED_COLUMNS + " FROM conv_index i JOIN messages m ON m.sid = i.sid"
          + " WHERE i.conv = ?1 AND i.seq < ?2 ORDER BY 3 DESC LIMIT ?3";
  private static final String HISTORY_AFTER =
      "SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE " + UNINDEXED + " AND conv = ?1 AND seq > ?2"
          + " AND seq < ?3 UNION ALL SELECT " + INDEXED_COLUMNS + " FROM conv_index i JOIN messages m"
          + " ON m.sid = i.sid WHERE i.conv = ?1 AND i.seq > ?2 AND i.seq < ?3 ORDER BY 3 ASC LIMIT ?4";

  /**
   * {@inheritDoc}
   *
   * <p>If both bounds are given, the page is the oldest {@code limit} messages strictly between them.
   *
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  @Override
  public List<StoredMessage> history(String conv, Long beforeSeq, Long afterSeq, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, was " + limit);
    }
    if (limit == 0) {
      return List.of();
    }
    long below = beforeSeq == null ? Long.MAX_VALUE : beforeSeq;
    return read(
        "history",
        reader -> {
          List<StoredMessage> page = new ArrayList<>();
          if (afterSeq != null) {
            PreparedStatement select = reader.prepare(HISTORY_AFTER);
            select.setString(1, conv);
            select.setLong(2, afterSeq);
            select.setLong(3, below);
            select.setInt(4, limit);
            collect(select, page);
          } else {
            PreparedStatement select = reader.prepare(HISTORY_BEFORE);
            select.setString(1, conv);
            select.setLong(2, below);
            select.setInt(3, limit);
            collect(select, page);
            Collections.reverse(page);
          }
          return page;
        });
  }

  // ---- offline delivery -----------------------------------------------------------------------------

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  @Override
  public List<StoredMessage> pending(long accountId, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, was " + limit);
    }
    return read(
        "pending",
        reader -> {
          PreparedStatement select =
              reader.prepare(
                  "SELECT m.sid, m.conv, m.seq, m.sender_key, m.sender_name, m.recipient, m.ts, m.text,"
                      + " m.via, m.cmid FROM pending p JOIN messages m ON m.sid = p.sid"
                      + " WHERE p.account_id = ? ORDER BY p.sid LIMIT ?");
          select.setLong(1, accountId);
          select.setInt(2, limit);
          List<StoredMessage> messages = new ArrayList<>();
          collect(select, messages);
          return messages;
        });
  }

  @Override
  public void ackPending(long accountId, long uptoSid) {
    write(
        "ackPending",
        w -> {
          PreparedStatement delete = w.prepare("DELETE FROM pending WHERE account_id = ? AND sid <= ?");
          delete.setLong(1, accountId);
          delete.setLong(2, uptoSid);
          delete.executeUpdate();
          return null;
        });
  }

  private static void collect(PreparedStatement select, List<StoredMessage> into) throws SQLException {
    try (ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        into.add(message(rows));
      }
    }
  }

  /** Reads a row selected with {@link #MESSAGE_COLUMNS}, in that order. */
  private static StoredMessage message(ResultSet rows) throws SQLException {
    return new StoredMessage(
        rows.getLong(1),
        rows.getString(2),
        rows.getLong(3),
        rows.getString(4),
        rows.getString(5),
        rows.getString(6),
        rows.getLong(7),
        rows.getString(8),
        rows.getString(9),
        rows.getString(10));
  }

  // ---- connections ----------------------------------------------------------------------------------

  @FunctionalInterface
  interface SqlWork<T> {
    T run(StatementCachingConnection connection) throws SQLException;
  }

  /** Runs {@code work} as one write transaction: committed if it returns, rolled back if it throws. */
  <T> T write(String what, SqlWork<T> work) {
    writeLock.lock();
    try {
      checkOpen();
      try {
        T result = work.run(writer);
        writer.connection.commit();
        return result;
      } catch (SQLException e) {
        rollback(e);
        throw new SqliteStoreException(what + " failed and was rolled back: " + e.getMessage(), e);
      } catch (RuntimeException e) {
        rollback(e);
        throw e;
      }
    } finally {
      writeLock.unlock();
    }
  }

  private void rollback(Exception cause) {
    try {
      writer.connection.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  /** Runs {@code work} on a pooled reader, which sees everything committed before the statement began. */
  <T> T read(String what, SqlWork<T> work) {
    StatementCachingConnection reader = borrowReader();
    try {
      return work.run(reader);
    } catch (SQLException e) {
      throw new SqliteStoreException(what + " failed: " + e.getMessage(), e);
    } finally {
      idleReaders.add(reader);
    }
  }

  private StatementCachingConnection borrowReader() {
    checkOpen();
    try {
      StatementCachingConnection reader = idleReaders.poll(BORROW_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (reader == null) {
        throw new SqliteStoreException(
            "no reader connection free after " + BORROW_TIMEOUT_SECONDS + " s (pool: " + readerCount + ")");
      }
      if (closed) {
        idleReaders.add(reader);
        throw new SqliteStoreException("store is closed: " + file);
      }
      return reader;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SqliteStoreException("interrupted while waiting for a reader connection", e);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new SqliteStoreException("store is closed: " + file);
    }
  }

  /**
   * Closes all connections. Waits for reads in progress to finish (up to a timeout each); calls after this
   * one throw {@link SqliteStoreException}. Idempotent.
   */
  @Override
  public void close() {
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      try {
        flushIndex();
      } catch (RuntimeException e) {
        log.warn("Could not index the last messages of {}; the next open will", file, e);
      }
      closed = true;
      List<StatementCachingConnection> readers = new ArrayList<>();
      try {
        for (int i = 0; i < readerCount; i++) {
          StatementCachingConnection reader = idleReaders.poll(BORROW_TIMEOUT_SECONDS, TimeUnit.SECONDS);
          if (reader == null) {
            log.warn("A reader connection of {} was not returned; closing without it", file);
            break;
          }
          readers.add(reader);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (StatementCachingConnection reader : readers) {
        closeQuietly(reader);
      }
      // The writer closes last: when the last connection to a WAL database closes cleanly, SQLite
      // checkpoints and deletes the WAL file.
      closeQuietly(writer);
      log.info("Closed {}", file);
    } finally {
      writeLock.unlock();
    }
  }

  private void closeQuietly(StatementCachingConnection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      log.warn("Closing a connection to {} failed", file, e);
    }
  }
}
