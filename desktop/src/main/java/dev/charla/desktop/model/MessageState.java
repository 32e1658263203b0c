package dev.charla.desktop.model;

/** Where one of your own messages stands: sent to the server, stored by it, or refused. */
public enum MessageState {
  /** Handed to the client library; no {@code stored} reply yet (also while reconnecting). */
  SENDING,
  /** The server stored it (it has a sequence number in its conversation). */
  STORED,
  /** The server refused it or the session ended before it was stored. */
  FAILED
}
