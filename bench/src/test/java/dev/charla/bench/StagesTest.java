package dev.charla.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charla.bench.Stages.Attribution;
import dev.charla.bench.Stages.Batch;
import dev.charla.bench.Stages.Cause;
import dev.charla.bench.Stages.Drain;
import dev.charla.bench.Stages.DrainTally;
import dev.charla.bench.Stages.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@code bench stages} decides what a delayed batch waited for. Times in milliseconds, as nanoseconds. */
class StagesTest {
  static final long MS = 1_000_000;

  @Test
  void aWaitMostlyDuringACheckpointIsTheCheckpoints() {
    // A batch from 0 to 1 ms, a checkpoint from 1 to 5 ms, then a batch of 7 sends whose oldest came at 0.5 ms.
    List<Batch> batches = List.of(batch(0, 1, 0, 0.8, 0.2), batch(6, 7, 5.5, 0.5, 0.1));
    List<Span> spans = List.of(new Span(ms(0.1), ms(0.7), false), new Span(ms(1), ms(5), true));

    Attribution a = Stages.attribute(batches, spans, 0, ms(100), MS);

    assertThat(a.delayedBatches()).isEqualTo(1);
    assertThat(a.delayedSends()).isEqualTo(7);
    assertThat(a.byCause().get(Cause.CHECKPOINT).sends).isEqualTo(7);
    assertThat(a.byCause().get(Cause.CHECKPOINT).overlapNanos).isEqualTo(4 * MS);
    assertThat(a.byCause().get(Cause.WAL_SYNC).overlapNanos).isEqualTo(ms(0.2)); // 0.5 to 0.7 ms
    assertThat(a.byCause().get(Cause.IDLE).overlapNanos).isEqualTo(ms(1)); // 5 to 6 ms
  }

  @Test
  void aWaitBehindALongSyncIsTheSyncsAndTheRestOfTheStorePhaseIsTheStores() {
    // The writer stores a batch from 0 to 6 ms, 5 of them syncing (1 to 6); the next batch's oldest came at 0.
    List<Batch> batches = List.of(batch(0, 2, 0, 6, 0.1), batch(6.1, 3, 6.1, 0.3, 0.1));
    List<Span> spans = List.of(new Span(ms(1), ms(6), false));

    Attribution a = Stages.attribute(batches, spans, 0, ms(100), MS);

    assertThat(a.byCause().get(Cause.WAL_SYNC).batches).isEqualTo(1);
    assertThat(a.byCause().get(Cause.WAL_SYNC).sends).isEqualTo(3);
    assertThat(a.byCause().get(Cause.STORE_OTHER).overlapNanos).isEqualTo(ms(1));
    assertThat(a.byCause().get(Cause.FANOUT).overlapNanos).isEqualTo(ms(0.1));
  }

  @Test
  void aWaitWithTheWriterDoingNothingIsItsWakeUp() {
    List<Batch> batches = List.of(batch(10, 4, 3, 0.2, 0.1));

    Attribution a = Stages.attribute(batches, List.of(), 0, ms(100), MS);

    assertThat(a.byCause().get(Cause.IDLE).sends).isEqualTo(4);
  }

  @Test
  void shortWaitsAndBatchesOutsideTheWindowAreNotDelays() {
    List<Batch> batches = List.of(batch(10, 4, 0.9, 0.2, 0.1), batch(200, 5, 50, 0.2, 0.1));

    Attribution a = Stages.attribute(batches, List.of(), 0, ms(100), MS);

    assertThat(a.batches()).isEqualTo(1);
    assertThat(a.sends()).isEqualTo(4);
    assertThat(a.delayedBatches()).isZero();
  }

  @Test
  void drainPassesCountTheSessionsTheyWroteAndOnlyThoseInTheWindow() {
    List<Drain> drains = List.of(
        new Drain(ms(1), ms(0.2), 3), // quick
        new Drain(ms(2), ms(1.5), 40), // waited: its 40 sessions waited
        new Drain(ms(3), ms(1), 5), // exactly the threshold is not a delay
        new Drain(ms(150), ms(9), 7)); // outside the window

    DrainTally t = Stages.tallyDrains(drains, 0, ms(100), MS);

    assertThat(t).isEqualTo(new DrainTally(3, 48, 1, 40));
  }

  static Batch batch(double startMs, int sends, double waitMs, double storeMs, double fanoutMs) {
    return new Batch(ms(startMs), sends, ms(waitMs), ms(storeMs), ms(fanoutMs));
  }

  static long ms(double millis) {
    return Math.round(millis * MS);
  }
}
