package dev.charla.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * What delayed messages waited for, from a JFR recording of a Charla server (its {@code dev.charla.WriterBatch},
 * {@code StoreSync} and {@code StoreCheckpoint} events; record with {@code --server-jvm-arg=-XX:StartFlightRecording
 * =filename=server.jfr}).
 *
 * <p>How it attributes. A batch's oldest send waited {@code oldestWait} before the writer took it. Meanwhile the
 * writer was busy with earlier batches (storing, syncing the WAL, fanning out), checkpointing, or idle (then the
 * wait is the writer's wake-up: a thread waiting for a core). Each batch whose oldest send waited longer than the
 * threshold is put under the activity that overlapped that wait the most, with all its sends; the sends of a
 * batch waited at most as long as its oldest. Only the writer thread's events count.
 *
 * <p>The event loops' side. After the fan-out, a message waits for its recipient's event loop to run a drain pass
 * ({@code dev.charla.LoopDrain}, TCP): how long each pass waited for its loop, and what share of the sessions
 * written waited more than the threshold, in the same window.
 */
final class Stages {
  /** What the writer was doing while a send waited for it. */
  enum Cause {
    WAL_SYNC("WAL sync (fdatasync after a commit)"),
    CHECKPOINT("checkpoint (copy into the database file, its sync)"),
    STORE_OTHER("store, other than the sync (SQLite inserts, commit)"),
    FANOUT("fan-out on the writer, or the hand-off"),
    IDLE("writer idle: waking up and getting a core");

    final String label;

    Cause(String label) {
      this.label = label;
    }
  }

  /** One writer turn; times in nanoseconds on the recording's clock. */
  record Batch(long start, int sends, long oldestWait, long store, long fanout) {
    long storeEnd() {
      return start + store;
    }

    long end() {
      return start + store + fanout;
    }
  }

  /** A sync of the WAL ({@code checkpoint} false) or a checkpoint, on the writer thread. */
  record Span(long start, long end, boolean checkpoint) {}

  /** How many batches and sends waited mostly because of one cause, and how long that cause overlapped waits. */
  static final class Tally {
    int batches;
    long sends;
    long overlapNanos;
  }

  /** The result of {@link #attribute}: per cause, and totals over the window. */
  record Attribution(Map<Cause, Tally> byCause, int batches, long sends, int delayedBatches, long delayedSends) {}

  /**
   * Attributes every batch that started in {@code [from, to)} and whose oldest send waited more than
   * {@code thresholdNanos}. Batches and spans may come in any order.
   */
  static Attribution attribute(List<Batch> batches, List<Span> spans, long from, long to, long thresholdNanos) {
    List<Batch> sorted = new ArrayList<>(batches);
    sorted.sort(Comparator.comparingLong(Batch::start));
    List<Span> byEnd = new ArrayList<>(spans);
    byEnd.sort(Comparator.comparingLong(Span::end));
    Map<Cause, Tally> byCause = new EnumMap<>(Cause.class);
    for (Cause c : Cause.values()) {
      byCause.put(c, new Tally());
    }
    int inWindow = 0;
    long sends = 0;
    int delayed = 0;
    long delayedSends = 0;
    for (int i = 0; i < sorted.size(); i++) {
      Batch b = sorted.get(i);
      if (b.start() < from || b.start() >= to) {
        continue;
      }
      inWindow++;
      sends += b.sends();
      if (b.oldestWait() <= thresholdNanos) {
        continue;
      }
      delayed++;
      delayedSends += b.sends();
      long waitFrom = b.start() - b.oldestWait();
      long waitTo = b.start();
      EnumMap<Cause, Long> overlap = new EnumMap<>(Cause.class);
      long store = 0;
      long fanout = 0;
      // Earlier batches, newest first, until they end before the wait began (the writer runs them one by one).
      for (int j = i - 1; j >= 0 && sorted.get(j).end() > waitFrom; j--) {
        Batch p = sorted.get(j);
        store += overlap(p.start(), p.storeEnd(), waitFrom, waitTo);
        fanout += overlap(p.storeEnd(), p.end(), waitFrom, waitTo);
      }
      long sync = 0;
      long checkpoint = 0;
      // Spans on one thread follow each other, so in order of end they are in order of start too.
      for (int j = firstEndingAfter(byEnd, waitFrom); j < byEnd.size(); j++) {
        Span s = byEnd.get(j);
        if (s.start() >= waitTo) {
          break;
        }
        long o = overlap(s.start(), s.end(), waitFrom, waitTo);
        if (s.checkpoint()) {
          checkpoint += o;
        } else {
          sync += o;
        }
      }
      // A WAL sync happens inside a batch's store phase: the store's own share is the rest of it. Checkpoints run
      // between batches (the writer's upkeep), so they overlap neither phase.
      overlap.put(Cause.WAL_SYNC, sync);
      overlap.put(Cause.CHECKPOINT, checkpoint);
      overlap.put(Cause.STORE_OTHER, Math.max(0, store - sync));
      overlap.put(Cause.FANOUT, fanout);
      overlap.put(Cause.IDLE, Math.max(0, b.oldestWait() - store - fanout - checkpoint));
      Cause top = Cause.IDLE;
      for (Cause c : Cause.values()) {
        if (overlap.get(c) > overlap.get(top)) {
          top = c;
        }
      }
      Tally t = byCause.get(top);
      t.batches++;
      t.sends += b.sends();
      for (Cause c : Cause.values()) {
        byCause.get(c).overlapNanos += overlap.get(c);
      }
    }
    return new Attribution(byCause, inWindow, sends, delayed, delayedSends);
  }

  /** One drain pass of an event loop: when it started, how long it waited for its loop, sessions it wrote. */
  record Drain(long start, long waited, int sessions) {}

  /** Drain passes in a window, and those that waited more than the threshold, with the sessions they wrote. */
  record DrainTally(int passes, long sessions, int delayedPasses, long delayedSessions) {}

  /** Tallies the passes that started in {@code [from, to)}. */
  static DrainTally tallyDrains(List<Drain> drains, long from, long to, long thresholdNanos) {
    int passes = 0;
    long sessions = 0;
    int delayed = 0;
    long delayedSessions = 0;
    for (Drain d : drains) {
      if (d.start() < from || d.start() >= to) {
        continue;
      }
      passes++;
      sessions += d.sessions();
      if (d.waited() > thresholdNanos) {
        delayed++;
        delayedSessions += d.sessions();
      }
    }
    return new DrainTally(passes, sessions, delayed, delayedSessions);
  }

  private static long overlap(long start, long end, long from, long to) {
    return Math.max(0, Math.min(end, to) - Math.max(start, from));
  }

  /** Index of the first span (sorted by end) that ends after {@code t}. */
  private static int firstEndingAfter(List<Span> byEnd, long t) {
    int lo = 0;
    int hi = byEnd.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (byEnd.get(mid).end() <= t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  // ---- reading a recording ----

  static final String BATCH = "dev.charla.WriterBatch";
  static final String SYNC = "dev.charla.StoreSync";
  static final String CHECKPOINT = "dev.charla.StoreCheckpoint";
  static final String DRAIN = "dev.charla.LoopDrain";
  static final String WRITER_THREAD = "charla-writer";

  /**
   * Reads {@code recording} and reports the last {@code window} of writer batches (ending at the last batch: a
   * bench run's measured window is its last seconds of load).
   */
  static String report(Path recording, Duration window, Duration threshold) throws IOException {
    Instant epoch = null;
    List<Batch> batches = new ArrayList<>();
    List<Span> spans = new ArrayList<>();
    List<RecordedEvent> drainEvents = new ArrayList<>();
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent e = file.readEvent();
        String name = e.getEventType().getName();
        if (name.equals(DRAIN)) {
          drainEvents.add(e); // any event loop's; placed on the writer's clock once that is known
          continue;
        }
        if (!name.equals(BATCH) && !name.equals(SYNC) && !name.equals(CHECKPOINT)) {
          continue;
        }
        if (e.getThread() == null || !WRITER_THREAD.equals(e.getThread().getJavaName())) {
          continue;
        }
        if (epoch == null) {
          epoch = e.getStartTime();
        }
        long start = Duration.between(epoch, e.getStartTime()).toNanos();
        long end = Duration.between(epoch, e.getEndTime()).toNanos();
        switch (name) {
          case BATCH -> batches.add(new Batch(start, e.getInt("sends"), e.getLong("oldestWait"), e.getLong("store"),
              e.getLong("fanout")));
          case SYNC -> {
            if ("wal".equals(e.getString("file"))) {
              spans.add(new Span(start, end, false));
            }
          }
          default -> spans.add(new Span(start, end, true));
        }
      }
    }
    if (batches.isEmpty()) {
      return "No " + BATCH + " events on " + WRITER_THREAD + " in " + recording
          + ": was the server recording (-XX:StartFlightRecording) and did it store any message?\n";
    }
    long to = batches.stream().mapToLong(Batch::start).max().orElseThrow() + 1;
    long from = to - window.toNanos();
    Attribution a = attribute(batches, spans, from, to, threshold.toNanos());
    List<Long> waits = new ArrayList<>();
    for (Batch b : batches) {
      if (b.start() >= from) {
        waits.add(b.oldestWait());
      }
    }
    List<Long> syncs = within(spans, false, from, to);
    List<Long> checkpoints = within(spans, true, from, to);
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Writer turns in the last %.1f s: %,d batches, %,d sends%n",
        window.toNanos() / 1e9, a.batches(), a.sends()));
    out.append("| what | count | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|\n");
    out.append(row("oldest send's wait for the writer", waits));
    out.append(row("WAL sync", syncs));
    out.append(row("checkpoint", checkpoints));
    out.append(String.format(Locale.ROOT,
        "%nBatches whose oldest send waited more than %.1f ms: %,d of %,d, with %,d sends (%.2f %% of sends).%n"
            + "Each is put under what the writer was doing for most of that wait:%n",
        threshold.toNanos() / 1e6, a.delayedBatches(), a.batches(), a.delayedSends(),
        a.sends() == 0 ? 0.0 : 100.0 * a.delayedSends() / a.sends()));
    out.append("| the writer was | batches | sends | % of those sends | summed overlap ms |\n|---|---:|---:|---:|---:|\n");
    for (Cause c : Cause.values()) {
      Tally t = a.byCause().get(c);
      out.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %.1f | %.1f |%n", c.label, t.batches, t.sends,
          a.delayedSends() == 0 ? 0.0 : 100.0 * t.sends / a.delayedSends(), t.overlapNanos / 1e6));
    }
    List<Drain> drains = new ArrayList<>();
    for (RecordedEvent e : drainEvents) {
      drains.add(new Drain(Duration.between(epoch, e.getStartTime()).toNanos(), e.getLong("wait"),
          e.getInt("sessions")));
    }
    out.append(drainReport(drains, from, to, threshold));
    return out.toString();
  }

  private static String drainReport(List<Drain> drains, long from, long to, Duration threshold) {
    DrainTally t = tallyDrains(drains, from, to, threshold.toNanos());
    if (t.passes() == 0) {
      return String.format(Locale.ROOT, "%nNo " + DRAIN + " events in the window (TCP event loops record them).%n");
    }
    List<Long> waits = new ArrayList<>();
    for (Drain d : drains) {
      if (d.start() >= from && d.start() < to) {
        waits.add(d.waited());
      }
    }
    return String.format(Locale.ROOT, "%nEvent loops (TCP) in the same window: %,d drain passes wrote %,d sessions.%n",
            t.passes(), t.sessions())
        + "| what | count | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|\n"
        + row("a drain pass's wait for its event loop", waits)
        + String.format(Locale.ROOT, "%nSessions written by a pass that waited more than %.1f ms: %,d of %,d (%.2f %%).%n",
            threshold.toNanos() / 1e6, t.delayedSessions(), t.sessions(),
            t.sessions() == 0 ? 0.0 : 100.0 * t.delayedSessions() / t.sessions());
  }

  private static List<Long> within(List<Span> spans, boolean checkpoint, long from, long to) {
    List<Long> out = new ArrayList<>();
    for (Span s : spans) {
      if (s.checkpoint() == checkpoint && s.start() >= from && s.start() < to) {
        out.add(s.end() - s.start());
      }
    }
    return out;
  }

  private static String row(String what, List<Long> nanos) {
    if (nanos.isEmpty()) {
      return "| " + what + " | 0 | | | | | |\n";
    }
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return String.format(Locale.ROOT, "| %s | %,d | %.3f | %.3f | %.3f | %.3f | %.3f |%n", what, sorted.length,
        q(sorted, 0.5), q(sorted, 0.9), q(sorted, 0.99), q(sorted, 0.999), sorted[sorted.length - 1] / 1e6);
  }

  /** The q-quantile in milliseconds (nearest rank). */
  private static double q(long[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1e6;
  }

  private Stages() {}
}
