package dev.charla.server.store.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * A JDBC connection that prepares each SQL string once and hands back the same statement afterwards, so the
 * hot paths skip SQLite's parser and planner.
 *
 * <p>Not thread-safe: it is used by one thread at a time (the writer under the store's write lock, a reader
 * while borrowed from the pool). Callers must close every ResultSet they open, since an open one keeps a read
 * transaction (and its WAL snapshot) alive.
 */
final class StatementCachingConnection implements AutoCloseable {
  final Connection connection;
  private final Map<String, PreparedStatement> statements = new HashMap<>();

  StatementCachingConnection(Connection connection) {
    this.connection = connection;
  }

  /** The cached statement for {@code sql}, with parameters cleared. */
  PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement statement = statements.get(sql);
    if (statement == null) {
      statement = connection.prepareStatement(sql);
      statements.put(sql, statement);
    } else {
      statement.clearParameters();
    }
    return statement;
  }

  @Override
  public void close() throws SQLException {
    SQLException failure = null;
    for (PreparedStatement statement : statements.values()) {
      try {
        statement.close();
      } catch (SQLException e) {
        failure = e;
      }
    }
    statements.clear();
    connection.close();
    if (failure != null) {
      throw failure;
    }
  }
}
