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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
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
 * <p>Throughput of {@link #append}: one transaction (one fdatasync) per call, one INSERT per message plus one per
 * pending row, with cached statements; the conversation index is written behind, in its own file, a few times a
 * second ({@link ConversationIndex} says why). Measure with the bench module's {@code private} scenario.
 */
public final class SqliteChatStore implements ChatStore {
  private static final Logger log = LoggerFactory.getLogger(SqliteChatStore.class);

  /** How commits reach the disk. */
  public enum Durability {
    /**
     * WAL, synced at every commit (fdatasync; see {@link WalSync}): a committed write survives a process kill, an
     * OS crash and a power loss.
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
          + " ON CONFLICT (cmid, sender_key) WHERE cmid IS NOT NULL DO NOTHING";
  private static final String INSERT_PENDING =
      "INSERT OR IGNORE INTO pending (account_id, sid) VALUES (?, ?)";
  private static final String SELECT_BY_CMID =
      "SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE cmid = ? AND sender_key = ?";

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

  /** The per-conversation index, written behind in its own file; see {@link ConversationIndex}. */
  private final ConversationIndex index;

  /** The highest seq appended per conversation, filled as conversations are first appended to; writeLock. */
  private final Map<String, Long> lastSeqByConv = new HashMap<>();

  /**
   * With {@link Durability#DURABLE}: the writer's syncs and checkpoints. Set once in {@link #open}, before the store
   * is shared; then used under writeLock.
   */
  private WalSync walSync;

  private volatile boolean closed;

  private SqliteChatStore(Path file, StatementCachingConnection writer, List<StatementCachingConnection> readers,
      ConversationIndex index) {
    this.file = file;
    this.index = index;
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
    return open(dbFile, durability, readers, System::nanoTime);
  }

  /** As {@link #open(Path, Durability, int)}; {@code nanoClock} paces the writer's checkpoints (tests move it). */
  static SqliteChatStore open(Path dbFile, Durability durability, int readers, LongSupplier nanoClock) {
    if (readers < 1) {
      throw new IllegalArgumentException("readers must be at least 1, was " + readers);
    }
    List<StatementCachingConnection> opened = new ArrayList<>();
    ConversationIndex index = null;
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
      index = ConversationIndex.open(dbFile);
      List<StatementCachingConnection> readerConnections = new ArrayList<>();
      for (int i = 0; i < readers; i++) {
        StatementCachingConnection reader = new StatementCachingConnection(connect(dbFile, durability, true));
        opened.add(reader);
        readerConnections.add(reader);
        // Readers see the index as "idx"; the writer does not attach it (a write transaction would lock it too).
        try (var statement = reader.connection.createStatement()) {
          statement.execute("ATTACH DATABASE '"
              + index.file().toAbsolutePath().toString().replace("'", "''") + "' AS idx");
        }
      }
      log.info("Opened {} ({}, {} readers)", dbFile, durability, readers);
      SqliteChatStore store = new SqliteChatStore(dbFile, writer, readerConnections, index);
      try (var statement = writer.connection.createStatement();
          ResultSet max = statement.executeQuery("SELECT coalesce(max(sid), 0) FROM messages")) {
        store.lastSid = max.next() ? max.getLong(1) : 0;
      }
      writer.connection.commit();
      if (durability == Durability.DURABLE) {
        store.walSync = WalSync.takeOver(writer.connection, dbFile, nanoClock);
      }
      return store;
    } catch (Exception e) {
      if (index != null) {
        index.close();
      }
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
    // Off: the driver would otherwise follow every INSERT with "SELECT last_insert_rowid()" on a new statement
    // (parsed, stepped, kept open until the next one), which nothing here reads; the writer assigns sids itself.
    // Measured with the private scenario (3 alternating pairs): ping-pong 30.8 k msgs/s median against 27.3 k.
    config.setGetGeneratedKeys(false);
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
   * <p>The {@code messages} table is append-only (rowid order, no index on the conversation): the
   * per-conversation index is written behind, in its own file, by {@link ConversationIndex}, which is told how
   * far this file has committed and copies the new rows from it. Each commit is fsynced whole, and an index on
   * {@code (conv, seq)} in this file put the rows of a batch spanning many conversations on as many pages.
   *
   * @throws SqliteStoreException if anything fails, including a seq that is not above the last one appended to
   *     its conversation; the whole batch is rolled back
   */
  @Override
  public List<AppendResult> append(List<NewMessage> batch) {
    if (batch.isEmpty()) {
      return List.of();
    }
    writeLock.lock(); // reentrant: held across write() so that lastSid is still this batch's when reported
    try {
      Map<String, Long> seqs = new HashMap<>();
      List<AppendResult> results =
          write("append of " + batch.size() + " messages", w -> appendRows(w, batch, seqs));
      lastSeqByConv.putAll(seqs);
      index.committedUpTo(lastSid);
      return results;
    } finally {
      writeLock.unlock();
    }
  }

  /** Checkpoints the WAL when it is time; see {@link WalSync}. Durability {@code FAST} leaves it to SQLite. */
  @Override
  public void upkeep(boolean idle) {
    writeLock.lock();
    try {
      if (walSync != null && !closed) {
        walSync.upkeep(writer.connection, idle);
      }
    } finally {
      writeLock.unlock();
    }
  }

  private List<AppendResult> appendRows(StatementCachingConnection w, List<NewMessage> batch,
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
          last = lastSeq(message.conv()); // committed state, from a reader: the batch's own rows are in seqs
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

  /** Tests: closes the files {@link WalSync} syncs, so that its next sync fails as a failing disk's would. */
  void failNextSync() {
    walSync.close();
  }

  /** Tests: stops (true) or resumes (false) writing the conversation index, as if it fell behind. */
  void holdIndex(boolean hold) {
    index.hold(hold);
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
    return read("lastSeq", reader -> {
      long mark = indexedSid(reader);
      PreparedStatement indexed = reader.prepare("SELECT coalesce(max(seq), 0) FROM idx.conv_index WHERE conv = ?");
      indexed.setString(1, conv);
      long last = single(indexed);
      PreparedStatement tail =
          reader.prepare("SELECT coalesce(max(seq), 0) FROM messages WHERE sid > ? AND conv = ?");
      tail.setLong(1, mark);
      tail.setString(2, conv);
      return Math.max(last, single(tail));
    });
  }

  // Reading through the index. It is another file (see ConversationIndex), so no single statement sees both in
  // one snapshot; instead each read goes in this order, every statement seeing at least what the previous one
  // saw: (1) the index's mark, (2) the index, (3) the messages. Every message up to the mark is in (2), because
  // the index only grows; every message above it is in (3), because (3) is the newest look; and (2) may hold
  // rows above the mark too, which is why pages are merged by sid.

  private static long indexedSid(StatementCachingConnection reader) throws SQLException {
    return single(reader.prepare("SELECT indexed_sid FROM idx.conv_index_state WHERE id = 1"));
  }

  private static long single(PreparedStatement select) throws SQLException {
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
    select.setString(1, cmid);
    select.setString(2, senderKey);
    try (ResultSet rows = select.executeQuery()) {
      return rows.next() ? Optional.of(message(rows)) : Optional.empty();
    }
  }

  private static final String INDEX_BEFORE =
      "SELECT sid FROM idx.conv_index WHERE conv = ? AND seq < ? ORDER BY seq DESC LIMIT ?";
  private static final String INDEX_BETWEEN =
      "SELECT sid FROM idx.conv_index WHERE conv = ? AND seq > ? AND seq < ? ORDER BY seq ASC LIMIT ?";
  private static final String TAIL_BEFORE = "SELECT " + MESSAGE_COLUMNS
      + " FROM messages WHERE sid > ? AND conv = ? AND seq < ? ORDER BY seq DESC LIMIT ?";
  private static final String TAIL_BETWEEN = "SELECT " + MESSAGE_COLUMNS
      + " FROM messages WHERE sid > ? AND conv = ? AND seq > ? AND seq < ? ORDER BY seq ASC LIMIT ?";
  private static final String BY_SIDS =
      "SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE sid IN (SELECT value FROM json_each(?))";

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
    boolean ascending = afterSeq != null;
    return read(
        "history",
        reader -> {
          long mark = indexedSid(reader);
          PreparedStatement indexed = reader.prepare(ascending ? INDEX_BETWEEN : INDEX_BEFORE);
          int i = 1;
          indexed.setString(i++, conv);
          if (ascending) {
            indexed.setLong(i++, afterSeq);
          }
          indexed.setLong(i++, below);
          indexed.setInt(i, limit);
          StringBuilder sids = new StringBuilder("[");
          try (ResultSet rows = indexed.executeQuery()) {
            while (rows.next()) {
              sids.append(sids.length() > 1 ? "," : "").append(rows.getLong(1));
            }
          }
          Map<Long, StoredMessage> bySid = new HashMap<>();
          PreparedStatement tail = reader.prepare(ascending ? TAIL_BETWEEN : TAIL_BEFORE);
          i = 1;
          tail.setLong(i++, mark);
          tail.setString(i++, conv);
          if (ascending) {
            tail.setLong(i++, afterSeq);
          }
          tail.setLong(i++, below);
          tail.setInt(i, limit);
          List<StoredMessage> found = new ArrayList<>();
          collect(tail, found);
          if (sids.length() > 1) {
            PreparedStatement select = reader.prepare(BY_SIDS);
            select.setString(1, sids.append(']').toString());
            collect(select, found);
          }
          for (StoredMessage m : found) {
            bySid.put(m.sid(), m);
          }
          List<StoredMessage> page = new ArrayList<>(bySid.values());
          page.sort(Comparator.comparingLong(StoredMessage::seq));
          // Oldest first either way; "before" pages are the newest `limit` below the bound.
          return ascending
              ? List.copyOf(page.subList(0, Math.min(limit, page.size())))
              : List.copyOf(page.subList(Math.max(0, page.size() - limit), page.size()));
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
      if (walSync != null) {
        try {
          walSync.checkUsable();
        } catch (java.io.IOException e) {
          throw new SqliteStoreException(what + " refused: " + e.getMessage(), e);
        }
      }
      try {
        T result = work.run(writer);
        writer.connection.commit();
        if (walSync != null) {
          walSync.committed(writer.connection);
        }
        return result;
      } catch (java.io.IOException e) {
        throw new SqliteStoreException(what + " was committed but could not be synced to disk: " + e.getMessage(), e);
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
      closed = true;
      index.close(); // indexes what it has not yet; after a kill, the next open does
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
      if (walSync != null) {
        try {
          walSync.beforeClose(writer.connection);
        } catch (SQLException e) {
          log.warn("Could not prepare {} for its closing checkpoint", file, e);
        }
        walSync.close();
      }
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
