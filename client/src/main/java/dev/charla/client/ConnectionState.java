package dev.charla.client;

/** Where a {@link CharlaClient} stands. */
public enum ConnectionState {
  /** Opening the connection (first time). */
  CONNECTING,
  /** Connected and greeted; not logged in yet. */
  CONNECTED,
  /** Logged in: chat requests are accepted. */
  LOGGED_IN,
  /** The connection dropped; the client is reconnecting and will resume the session. */
  RECONNECTING,
  /** Closed for good (by {@link CharlaClient#close()}, logout, or a fatal error). */
  CLOSED
}
