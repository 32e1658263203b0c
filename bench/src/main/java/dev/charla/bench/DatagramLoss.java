package dev.charla.bench;

import java.util.Random;

/**
 * The generator's loss simulator for UDP: each DATA datagram is dropped with probability {@code rate}, going out
 * and coming in, by a {@link Random} per connection seeded from {@code seed} and the connection's index, so a run
 * can be repeated with the same pattern of drops (as far as timing lets the same datagrams exist).
 */
record DatagramLoss(double rate, long seed) {
  DatagramLoss {
    if (rate < 0 || rate >= 1) {
      throw new IllegalArgumentException("loss rate " + rate + " (allowed: 0 to below 1)");
    }
  }

  Random randomFor(int index) {
    return new Random(seed * 1_000_003L + index);
  }
}
