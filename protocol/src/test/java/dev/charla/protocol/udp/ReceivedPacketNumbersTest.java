package dev.charla.protocol.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ReceivedPacketNumbersTest {
  private final ReceivedPacketNumbers received = new ReceivedPacketNumbers();

  @Test
  void consecutiveNumbersFormOneRange() {
    for (long pn = 0; pn < 10; pn++) {
      assertThat(received.add(pn)).isTrue();
    }
    assertThat(received.ranges()).containsExactly(new Chunk.Range(0, 9));
  }

  @Test
  void gapsMakeRangesHighestFirstAndFillingAGapMergesThem() {
    for (long pn : new long[] {0, 1, 2, 5, 6, 9}) {
      received.add(pn);
    }
    assertThat(received.ranges())
        .containsExactly(new Chunk.Range(9, 9), new Chunk.Range(5, 6), new Chunk.Range(0, 2));
    received.add(4);
    received.add(3);
    assertThat(received.ranges()).containsExactly(new Chunk.Range(9, 9), new Chunk.Range(0, 6));
    received.add(8);
    received.add(7);
    assertThat(received.ranges()).containsExactly(new Chunk.Range(0, 9));
  }

  @Test
  void aNumberSeenBeforeIsADuplicate() {
    received.add(3);
    received.add(7);
    assertThat(received.add(3)).isFalse();
    assertThat(received.add(7)).isFalse();
    assertThat(received.contains(5)).isFalse();
    assertThat(received.add(5)).isTrue();
    assertThat(received.contains(5)).isTrue();
  }

  @Test
  void onlyTheNewestRangesAreKeptAndOlderNumbersCountAsSeen() {
    // Every even number: each is its own range.
    for (long pn = 0; pn < 2 * (UdpLimits.MAX_ACK_RANGES + 10); pn += 2) {
      received.add(pn);
    }
    List<Chunk.Range> ranges = received.ranges();
    assertThat(ranges).hasSize(UdpLimits.MAX_ACK_RANGES);
    long lowestKept = ranges.get(ranges.size() - 1).smallest();
    assertThat(lowestKept).isEqualTo(2 * 10);
    assertThat(received.contains(lowestKept - 1)).isTrue();
    assertThat(received.add(1)).isFalse();
    assertThat(received.add(lowestKept + 1)).isTrue();
  }

  @Test
  void reorderedAndDuplicatedNumbersGiveTheSameRangesAsASetOfEverythingSeen() {
    long seed = new Random().nextLong();
    System.out.println("reorderedAndDuplicatedNumbersGiveTheSameRangesAsASetOfEverythingSeen seed " + seed);
    Random random = new Random(seed);
    TreeSet<Long> seen = new TreeSet<>();
    // Blocks of 16 numbers, each block shuffled, some numbers lost or repeated: at most 9 ranges at a time, so
    // nothing is forgotten and the set is an exact model.
    for (long block = 0; block < 50; block++) {
      List<Long> numbers = new ArrayList<>();
      for (long pn = block * 16; pn < block * 16 + 16; pn++) {
        if (random.nextInt(10) != 0) {
          numbers.add(pn);
        }
        if (random.nextInt(10) == 0) {
          numbers.add(pn);
        }
      }
      Collections.shuffle(numbers, random);
      for (long pn : numbers) {
        assertThat(received.add(pn)).as("add %d", pn).isEqualTo(seen.add(pn));
      }
      assertThat(received.ranges()).isEqualTo(rangesOf(seen));
      // Forget all but the last two blocks in the model and the subject alike, by filling the older gaps.
      for (long pn = 0; pn < Math.max(0, (block - 1) * 16); pn++) {
        received.add(pn);
        seen.add(pn);
      }
    }
    assertThat(received.ranges()).isEqualTo(rangesOf(seen));
    assertThat(received.largest()).isEqualTo(seen.last());
    for (long pn = 0; pn <= seen.last() + 2; pn++) {
      assertThat(received.contains(pn)).as("contains %d", pn).isEqualTo(seen.contains(pn));
    }
  }

  /** The ranges of a set of numbers, highest first. */
  private static List<Chunk.Range> rangesOf(TreeSet<Long> numbers) {
    List<Chunk.Range> out = new ArrayList<>();
    Long hi = null;
    Long lo = null;
    for (long pn : numbers.descendingSet()) {
      if (hi == null) {
        hi = pn;
      } else if (pn != lo - 1) {
        out.add(new Chunk.Range(lo, hi));
        hi = pn;
      }
      lo = pn;
    }
    if (hi != null) {
      out.add(new Chunk.Range(lo, hi));
    }
    return out;
  }
}
