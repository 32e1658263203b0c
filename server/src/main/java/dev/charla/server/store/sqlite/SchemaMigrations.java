package dev.charla.server.store.sqlite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The numbered schema migrations. The database's {@code PRAGMA user_version} is the number of the last one
 * applied; migration {@code n} is {@code MIGRATIONS.get(n - 1)}.
 *
 * <p>Append only: a migration that has shipped is never edited, removed or renumbered, because its number is
 * persisted in every database file that ran it. Change the schema by adding the next migration.
 */
final class SchemaMigrations {
  private static final Logger log = LoggerFactory.getLogger(SchemaMigrations.class);

  static final List<String> MIGRATIONS =
      List.of(
          // 1: everything.
          """
          CREATE TABLE accounts (
            id            INTEGER PRIMARY KEY,
            user_key      TEXT    NOT NULL UNIQUE,
            display_name  TEXT    NOT NULL,
            password_hash TEXT    NOT NULL,
            created_at    INTEGER NOT NULL
          );
          CREATE TABLE tokens (
            token_hash BLOB    PRIMARY KEY,
            account_id INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
          ) WITHOUT ROWID;
          CREATE INDEX tokens_by_expiry ON tokens (expires_at);
          CREATE TABLE rooms (
            name       TEXT    PRIMARY KEY,
            topic      TEXT    NOT NULL DEFAULT '',
            created_at INTEGER NOT NULL
          ) WITHOUT ROWID;
          CREATE TABLE members (
            room       TEXT    NOT NULL,
            account_id INTEGER NOT NULL,
            PRIMARY KEY (room, account_id)
          ) WITHOUT ROWID;
          CREATE INDEX members_by_account ON members (account_id, room);
          CREATE TABLE messages (
            sid         INTEGER PRIMARY KEY, -- rowid: increasing, since messages are never deleted
            conv        TEXT    NOT NULL,
            seq         INTEGER NOT NULL,
            sender_key  TEXT    NOT NULL,
            sender_name TEXT    NOT NULL,
            recipient   TEXT    NOT NULL,
            ts          INTEGER NOT NULL,
            text        TEXT    NOT NULL,
            via         TEXT,
            cmid        TEXT,
            UNIQUE (conv, seq)
          );
          CREATE UNIQUE INDEX messages_by_cmid ON messages (sender_key, cmid) WHERE cmid IS NOT NULL;
          CREATE TABLE pending (
            account_id INTEGER NOT NULL,
            sid        INTEGER NOT NULL,
            PRIMARY KEY (account_id, sid)
          ) WITHOUT ROWID;
          """,
          // 2: the file area, files offered to users, and uploads in progress.
          """
          CREATE TABLE files (
            id             TEXT    PRIMARY KEY,
            owner_key      TEXT    NOT NULL,
            owner_name     TEXT    NOT NULL,
            name           TEXT    NOT NULL,
            size           INTEGER NOT NULL,
            sha256         TEXT    NOT NULL,
            created_at     INTEGER NOT NULL,
            recipient_key  TEXT,
            recipient_name TEXT
          ) WITHOUT ROWID;
          CREATE INDEX files_by_owner ON files (owner_key);
          CREATE INDEX files_by_recipient ON files (recipient_key, created_at);
          CREATE TABLE uploads (
            xfer           TEXT    PRIMARY KEY,
            owner_key      TEXT    NOT NULL,
            owner_name     TEXT    NOT NULL,
            name           TEXT    NOT NULL,
            size           INTEGER NOT NULL,
            sha256         TEXT    NOT NULL,
            created_at     INTEGER NOT NULL,
            recipient_key  TEXT,
            recipient_name TEXT
          ) WITHOUT ROWID;
          CREATE INDEX uploads_by_owner ON uploads (owner_key, sha256, size);
          """,
          // 3: expiry of abandoned uploads and unanswered offers. NULL in the new columns means "never since
          // created": the expiry clock then runs from created_at.
          """
          ALTER TABLE uploads ADD COLUMN active_at INTEGER;
          ALTER TABLE files ADD COLUMN fetched_at INTEGER;
          CREATE TABLE expired_offers (
            id             TEXT    PRIMARY KEY,
            owner_key      TEXT    NOT NULL,
            owner_name     TEXT    NOT NULL,
            name           TEXT    NOT NULL,
            recipient_key  TEXT    NOT NULL,
            recipient_name TEXT    NOT NULL,
            expired_at     INTEGER NOT NULL
          ) WITHOUT ROWID;
          CREATE INDEX expired_offers_by_time ON expired_offers (expired_at);
          """,
          // 4: the per-conversation index moves to its own file, written behind (see ConversationIndex): messages
          // loses its UNIQUE (conv, seq), which put every row of a commit on another index page. The index file
          // is built from the messages when the store opens.
          """
          CREATE TABLE messages_v4 (
            sid         INTEGER PRIMARY KEY,
            conv        TEXT    NOT NULL,
            seq         INTEGER NOT NULL,
            sender_key  TEXT    NOT NULL,
            sender_name TEXT    NOT NULL,
            recipient   TEXT    NOT NULL,
            ts          INTEGER NOT NULL,
            text        TEXT    NOT NULL,
            via         TEXT,
            cmid        TEXT
          );
          INSERT INTO messages_v4 (sid, conv, seq, sender_key, sender_name, recipient, ts, text, via, cmid)
            SELECT sid, conv, seq, sender_key, sender_name, recipient, ts, text, via, cmid FROM messages;
          DROP TABLE messages;
          ALTER TABLE messages_v4 RENAME TO messages;
          CREATE UNIQUE INDEX messages_by_cmid ON messages (sender_key, cmid) WHERE cmid IS NOT NULL;
          """,
          // 5: the cmid index leads with the cmid. Keyed by sender first, each commit's rows landed on as many
          // index pages as it had senders, every page a WAL frame to write and sync (about half of the
          // ping-pong rate, bench/README.md, session 6). Clients that begin their cmids with the time (the client library,
          // docs/PROTOCOL.md) now append near the index's right edge, as the rowid does.
          """
          DROP INDEX messages_by_cmid;
          CREATE UNIQUE INDEX messages_by_cmid ON messages (cmid, sender_key) WHERE cmid IS NOT NULL;
          """);

  private SchemaMigrations() {}

  /**
   * Brings the schema up to date, each migration in its own transaction together with its version bump, so a
   * crash leaves the file at a clean version. Refuses a file written by a newer server.
   */
  static void migrate(Connection connection) throws SQLException {
    int current = userVersion(connection);
    if (current > MIGRATIONS.size()) {
      throw new SqliteStoreException(
          "database schema version " + current + " is newer than this server knows (" + MIGRATIONS.size()
              + "); refusing to open it");
    }
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      for (int version = current + 1; version <= MIGRATIONS.size(); version++) {
        for (String sql : MIGRATIONS.get(version - 1).split(";")) {
          if (!sql.isBlank()) {
            statement.execute(sql);
          }
        }
        statement.execute("PRAGMA user_version = " + version);
        connection.commit();
        log.info("Applied schema migration {}", version);
      }
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  static int userVersion(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("PRAGMA user_version")) {
      rows.next();
      return rows.getInt(1);
    }
  }
}
