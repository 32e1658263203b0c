package dev.charla.protocol.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
}
