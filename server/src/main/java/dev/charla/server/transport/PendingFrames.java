package dev.charla.server.transport;

import java.util.ArrayList;
import java.util.List;

/**
 * Frames waiting to be written to one connection. Producers (the fan-out thread, event loops answering requests)
 * add; the connection's event loop takes everything at once. The list exists only while frames wait, so an idle
 * connection pays for one null reference: with tens of thousands of idle sessions, a preallocated lock-free queue
 * per connection (over 600 bytes each) was the largest thing on the heap.
 *
 * <p>Thread rules: every method is safe from any thread (guarded by {@code this}; the lock is held for a list
 * append or a swap, so contention is brief).
 */
public final class PendingFrames {
  private ArrayList<byte[]> frames; // guarded by this; null when empty
  /** How many frames the last takeAll found: the next list starts that big, so it rarely has to grow. */
  private int lastTaken = 8;

  public synchronized void add(byte[] frame) {
    if (frames == null) {
      frames = new ArrayList<>(lastTaken);
    }
    frames.add(frame);
  }

  /** Everything waiting, in the order added; the queue is empty afterwards. */
  public synchronized List<byte[]> takeAll() {
    List<byte[]> taken = frames;
    frames = null;
    if (taken == null) {
      return List.of();
    }
    lastTaken = Math.min(4_096, Math.max(8, taken.size()));
    return taken;
  }

  public synchronized boolean isEmpty() {
    return frames == null;
  }

  public synchronized void clear() {
    frames = null;
  }
}
