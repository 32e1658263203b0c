package dev.charla.client.internal;

import dev.charla.client.Transport;

/**
 * One network path to the server that carries frames: a TCP connection or a reliable UDP connection. Created and
 * used on the client's event loop only.
 */
interface Wire {
  /** Sends one encoded frame (JSON, no terminator). */
  void send(byte[] frame);

  /** Closes the path; {@link Listener#onClosed} follows. */
  void close();

  Transport transport();

  /** What a wire reports, on the client's event loop. */
  interface Listener {
    /** The path is up: the client may send {@code hello}. */
    void onOpen(Wire wire);

    /** One frame arrived. */
    void onFrame(Wire wire, byte[] frame);

    /** The path is gone (or never came up); {@code why} is for people. */
    void onClosed(Wire wire, String why);
  }
}
