package dev.charla.protocol.udp;

import java.util.ArrayList;
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
  /** Disjoint, non-adjacent ranges sorted from the highest down; each is {smallest, largest}. */
  private final List<long[]> ranges = new ArrayList<>();

  /** Numbers below this count as seen (raised when a range is forgotten). */
  private long floor;

  /** Records {@code pn}; false if it was already seen (a duplicate). */
  boolean add(long pn) {
    if (pn < floor) {
      return false;
    }
    int i = 0;
    while (i < ranges.size() && ranges.get(i)[0] > pn) {
      i++;
    }
    // Now ranges[i] is the first range whose smallest <= pn (or i == size); ranges[i - 1] lies above pn.
    if (i < ranges.size() && ranges.get(i)[1] >= pn) {
      return false;
    }
    boolean joinsBelow = i < ranges.size() && ranges.get(i)[1] == pn - 1;
    boolean joinsAbove = i > 0 && ranges.get(i - 1)[0] == pn + 1;
    if (joinsBelow && joinsAbove) {
      ranges.get(i)[1] = ranges.get(i - 1)[1];
      ranges.remove(i - 1);
    } else if (joinsBelow) {
      ranges.get(i)[1] = pn;
    } else if (joinsAbove) {
      ranges.get(i - 1)[0] = pn;
    } else {
      ranges.add(i, new long[] {pn, pn});
      if (ranges.size() > UdpLimits.MAX_ACK_RANGES) {
        ranges.remove(ranges.size() - 1);
        floor = ranges.get(ranges.size() - 1)[0];
      }
    }
    return true;
  }

  /** Whether {@code pn} was already seen (or is too old to track, which counts as seen). */
  boolean contains(long pn) {
    if (pn < floor) {
      return true;
    }
    for (long[] r : ranges) {
      if (pn >= r[0]) {
        return pn <= r[1];
      }
    }
    return false;
  }

  boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** The largest number received; only when not empty. */
  long largest() {
    return ranges.get(0)[1];
  }

  /** The ranges, highest first, as an ACK chunk carries them; only when not empty. */
  List<Chunk.Range> ranges() {
    List<Chunk.Range> out = new ArrayList<>(ranges.size());
    for (long[] r : ranges) {
      out.add(new Chunk.Range(r[0], r[1]));
    }
    return out;
  }
}
