package dev.charla.server.core;

/**
 * What the core needs of one client connection, whatever the transport. Implemented by the transports
 * (transport/tcp, later transport/udp); the core never sees a socket.
 *
 * <p>All methods are safe to call from any thread and never block.
 */
public interface SessionLink {
  /**
   * Queues one encoded frame (compact JSON, no terminator) for the client. Frames queued by one thread are sent
   * in order; the transport coalesces queued frames into as few socket writes as it can. If the client does not
   * read fast enough the transport disconnects it ({@code slow_consumer}).
   */
  void deliver(byte[] frame);

  /**
   * Queues a frame like {@link #deliver} but does not start sending it until {@link #flush}: the fan-out thread
   * queues a whole committed batch to every recipient, then flushes each recipient once.
   */
  default void write(byte[] frame) {
    deliver(frame);
  }

  /** Starts sending what {@link #write} queued. */
  default void flush() {}

  /**
   * Sends what {@link #write} queued with the next {@link #flush}, or after the transport's coalescing delay
   * ({@code ChatConfig.ackCoalesceDelay}) if no flush comes first: for frames that may wait a little for company
   * (a sender's own acknowledgements on a busy server), so that one write carries them and the next message.
   */
  default void flushLater() {
    flush();
  }

  /** Sends nothing more after the frames already queued, then closes. */
  void close();

  String remoteIp();

  int remotePort();

  /** {@code tcp} or {@code udp}. */
  String transport();
}
