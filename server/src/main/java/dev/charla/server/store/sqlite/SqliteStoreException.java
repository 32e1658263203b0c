package dev.charla.server.store.sqlite;

/**
 * A storage operation failed (I/O error, full disk, corrupt file, or a caller bug such as a seq collision).
 * Whatever the failed operation wrote has been rolled back.
 */
public final class SqliteStoreException extends RuntimeException {
  public SqliteStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public SqliteStoreException(String message) {
    super(message);
  }
}
