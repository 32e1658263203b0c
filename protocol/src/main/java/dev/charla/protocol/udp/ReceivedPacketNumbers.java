package dev.charla.protocol.udp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The packet numbers received from the peer, as at most {@link UdpLimits#MAX_ACK_RANGES} disjoint ranges: what an
 * ACK chunk reports, and how duplicates are recognised.
 *
 * <p>When a new gap would need one range too many, the lowest range is forgotten and every number below the
 * lowest remaining range counts as already seen. A late packet down there is then dropped as a duplicate and not
 * acknowledged; its sender has long declared it lost and resent its data under a new packet number, so nothing is
 * lost, and memory and ack size stay bounded.
 *
 * <p>Not thread-safe; owned by one {@link ReliableConnection}.
 */
final class ReceivedPacketNumbers {
  private static final long[] NONE = {};

  /**
   * Disjoint, non-adjacent ranges sorted from the highest down, two longs each: {@code r[2i]} is range i's
   * smallest, {@code r[2i + 1]} its largest; {@link #count} ranges are in use. A flat array rather than a list of
   * pairs: one per connection on the server, where an idle connection has one range (a 32-byte array, not 112
   * bytes of list and pair). It grows as gaps appear, up to {@link UdpLimits#MAX_ACK_RANGES} + 1 ranges.
   */
  private long[] r = NONE;
  private int count;

  /** Numbers below this count as seen (raised when a range is forgotten). */
  private long floor;

  /** Records {@code pn}; false if it was already seen (a duplicate). */
  boolean add(long pn) {
    if (pn < floor) {
      return false;
    }
    int i = 0;
    while (i < count && smallest(i) > pn) {
      i++;
    }
    // Now range i is the first range whose smallest <= pn (or i == count); range i - 1 lies above pn.
    if (i < count && largest(i) >= pn) {
      return false;
    }
    boolean joinsBelow = i < count && largest(i) == pn - 1;
    boolean joinsAbove = i > 0 && smallest(i - 1) == pn + 1;
    if (joinsBelow && joinsAbove) {
      r[2 * i + 1] = largest(i - 1);
      remove(i - 1);
    } else if (joinsBelow) {
      r[2 * i + 1] = pn;
    } else if (joinsAbove) {
      r[2 * (i - 1)] = pn;
    } else {
      insert(i, pn);
      if (count > UdpLimits.MAX_ACK_RANGES) {
        count--;
        floor = smallest(count - 1);
      }
    }
    return true;
  }

  /** Whether {@code pn} was already seen (or is too old to track, which counts as seen). */
  boolean contains(long pn) {
    if (pn < floor) {
      return true;
    }
    for (int i = 0; i < count; i++) {
      if (pn >= smallest(i)) {
        return pn <= largest(i);
      }
    }
    return false;
  }

  boolean isEmpty() {
    return count == 0;
  }

  /** The largest number received; only when not empty. */
  long largest() {
    return largest(0);
  }

  /** The ranges, highest first, as an ACK chunk carries them; only when not empty. */
  List<Chunk.Range> ranges() {
    List<Chunk.Range> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(new Chunk.Range(smallest(i), largest(i)));
    }
    return out;
  }

  private long smallest(int i) {
    return r[2 * i];
  }

  private long largest(int i) {
    return r[2 * i + 1];
  }

  /** Inserts the range {pn, pn} at index i, shifting the lower ranges down. */
  private void insert(int i, long pn) {
    if (2 * (count + 1) > r.length) {
      r = Arrays.copyOf(r, 2 * Math.max(1, Math.min(2 * count, UdpLimits.MAX_ACK_RANGES + 1)));
    }
    System.arraycopy(r, 2 * i, r, 2 * i + 2, 2 * (count - i));
    r[2 * i] = pn;
    r[2 * i + 1] = pn;
    count++;
  }

  private void remove(int i) {
    System.arraycopy(r, 2 * i + 2, r, 2 * i, 2 * (count - i - 1));
    count--;
  }
}
