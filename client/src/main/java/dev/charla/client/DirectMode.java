package dev.charla.client;

/** How a direct conversation currently travels (docs/PROTOCOL.md, "Direct connections"). */
public enum DirectMode {
  /** Waiting for the other user's consent. */
  ASKING,
  /** Accepted: trying the peer's addresses (at most the direct timeout, 3 s by default). */
  CONNECTING,
  /** Over an authenticated TCP connection or UDP path between the two clients; the server sees none of it. */
  DIRECT,
  /** No direct path worked (or it broke): relayed through the server, which stores nothing. */
  RELAYED,
  /** Ended by either side, declined, or a side went offline. */
  CLOSED
}
