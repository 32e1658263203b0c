package dev.charla.server.core;

import org.agrona.collections.LongHashSet;

/**
 * The writer's memory of the client message ids ({@code cmid}) of the last {@code capacity} messages stored: a
 * retried send is usually answered without a store read, and without consuming a seq. Writer thread only.
 *
 * <p>It keeps a 64-bit hash of (sender, cmid) per message and nothing else, so a hit means "probably a retry": the
 * caller confirms it in the store, which holds the message. A retry is rare and a false hit rarer still (see
 * {@link #hash}), so the read costs nothing in the common case.
 *
 * <p>Why no objects: the window holds the last 100 000 messages, ten seconds at 10 000 a second. Kept as a map of
 * strings and messages (as it was), every young collection copied all of it: with cmids on every send, G1's pauses
 * grew from 7-10 ms to 35-55 ms under 10 000 private messages a second, and they were the latency tail. Here it is
 * two arrays of longs, allocated once.
 */
final class CmidWindow {
  private final LongHashSet hashes;
  /** The hashes in the order they were added, a ring: the oldest is evicted when the window is full. */
  private final long[] order;
  private int next;
  private int size;

  CmidWindow(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.hashes = new LongHashSet(capacity * 2);
    this.order = new long[capacity];
  }

  /** True if a message from this sender with this cmid was added and not evicted yet (or, rarely, another was). */
  boolean mightContain(String senderKey, String cmid) {
    return hashes.contains(hash(senderKey, cmid));
  }

  /** Remembers a stored message's (sender, cmid); the oldest one is forgotten if the window is full. */
  void add(String senderKey, String cmid) {
    long h = hash(senderKey, cmid);
    if (!hashes.add(h)) {
      return; // already in the window (a retry the store caught, or a hash twin): one ring slot per hash
    }
    if (size == order.length) {
      hashes.remove(order[next]);
    } else {
      size++;
    }
    order[next] = h;
    next = next + 1 == order.length ? 0 : next + 1;
  }

  int size() {
    return size;
  }

  /**
   * The sender key's hash in the high half, the cmid's in the low half, then a finalizer to spread the bits (the
   * set indexes by the low ones). {@link String#hashCode} is cached in the string: the sender's key is the same
   * object on every send, and the cmid's is computed once for both calls. A collision costs only a store read,
   * and only between two cmids of the same sender (about one in four billion).
   */
  static long hash(String senderKey, String cmid) {
    long h = ((long) senderKey.hashCode() << 32) | (cmid.hashCode() & 0xffffffffL);
    // MurmurHash3's fmix64
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb93e85ebca6bL;
    h ^= h >>> 33;
    return h;
  }
}
