package dev.charla.protocol.udp;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Two {@link ReliableConnection}s joined by a lossy, reordering, duplicating, delaying link, run as a
 * discrete-event simulation: the clock jumps to the next datagram arrival or connection timer, so minutes of
 * network time take milliseconds and nothing sleeps. Everything random comes from one seeded {@link Random}, so a
 * seed reproduces a run exactly.
 */
final class SimulatedNetwork {
  private static final long MS = 1_000_000;

  /**
   * How the link misbehaves, the same in both directions.
   *
   * @param loss probability that a datagram (or each copy of a duplicated one) is dropped
   * @param duplication probability that a datagram is delivered twice
   * @param reordering probability that a datagram is held back by up to three base delays, overtaken by others
   *     (the rest arrive in the order sent)
   * @param delayNanos one-way base delay
   * @param jitterNanos uniform extra delay in [0, jitter)
   */
  record Conditions(double loss, double duplication, double reordering, long delayNanos, long jitterNanos) {
    static Conditions perfect(long delayNanos) {
      return new Conditions(0, 0, 0, delayNanos, 0);
    }

    /** A bad internet path: the given loss, plus 2% duplication, 10% reordering, 10 ms +- 5 ms one way. */
    static Conditions lossy(double loss) {
      return new Conditions(loss, 0.02, 0.10, 10 * MS, 5 * MS);
    }
  }

  /** One side of the link: its connection, what it has delivered, and whether it still runs. */
  static final class Endpoint {
    final ReliableConnection connection;
    final List<byte[]> delivered = new ArrayList<>();
    long datagramsSent;
    /** Arrival time of the last datagram to this endpoint that was not held back; keeps the others in order. */
    long lastInOrderArrival;
    /** A silenced endpoint is a crashed peer: it neither sends, receives nor runs timers. */
    boolean silenced;

    Endpoint(ReliableConnection connection) {
      this.connection = connection;
    }
  }

  private record Arrival(long atNanos, long order, Endpoint to, byte[] datagram) {}

  final long seed;
  final Endpoint a;
  final Endpoint b;
  private final Conditions conditions;
  private final Random random;
  private final PriorityQueue<Arrival> arrivals =
      new PriorityQueue<>((x, y) -> x.atNanos != y.atNanos ? Long.compare(x.atNanos, y.atNanos) : Long.compare(x.order, y.order));
  private long arrivalOrder;
  private long now;
  long datagramsDropped;

  SimulatedNetwork(long seed, Conditions conditions, ReliableConfig config) {
    this.seed = seed;
    this.conditions = conditions;
    this.random = new Random(seed);
    this.now = 1_000 * MS; // Not zero, so arithmetic on "time 0" bugs shows.
    this.a = new Endpoint(new ReliableConnection(42, config, now));
    this.b = new Endpoint(new ReliableConnection(42, config, now));
  }

  long now() {
    return now;
  }

  Random random() {
    return random;
  }

  /**
   * Runs until {@code done} holds, calling {@code beforeEachStep} (the applications: send what they can) at every
   * step. Returns false if simulated time passes {@code maxNanos} from now or {@code maxSteps} steps are taken
   * first, or nothing is left to happen.
   */
  boolean runUntil(BooleanSupplier done, long maxNanos, int maxSteps, Runnable beforeEachStep) {
    long deadline = now + maxNanos;
    for (int step = 0; step < maxSteps; step++) {
      beforeEachStep.run();
      flush(a);
      flush(b);
      if (done.getAsBoolean()) {
        return true;
      }
      long next = Math.min(nextTimer(a), nextTimer(b));
      if (!arrivals.isEmpty()) {
        next = Math.min(next, arrivals.peek().atNanos);
      }
      if (next == ReliableConnection.NEVER || next > deadline) {
        return false;
      }
      now = Math.max(now, next);
      while (!arrivals.isEmpty() && arrivals.peek().atNanos <= now) {
        Arrival arrival = arrivals.poll();
        if (!arrival.to.silenced) {
          arrival.to.connection.receive(arrival.datagram, 0, arrival.datagram.length, now);
        }
      }
    }
    return false;
  }

  boolean runUntil(BooleanSupplier done, long maxNanos, int maxSteps) {
    return runUntil(done, maxNanos, maxSteps, () -> {});
  }

  private long nextTimer(Endpoint e) {
    return e.silenced ? ReliableConnection.NEVER : e.connection.nextTimeoutNanos();
  }

  private void flush(Endpoint from) {
    if (from.silenced) {
      return;
    }
    Endpoint to = from == a ? b : a;
    for (byte[] datagram : from.connection.pollDatagrams(now)) {
      from.datagramsSent++;
      transmit(to, datagram);
    }
    for (byte[] m; (m = from.connection.pollMessage()) != null; ) {
      from.delivered.add(m);
    }
  }

  private void transmit(Endpoint to, byte[] datagram) {
    int copies = random.nextDouble() < conditions.duplication ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      if (random.nextDouble() < conditions.loss) {
        datagramsDropped++;
        continue;
      }
      long at = now + conditions.delayNanos;
      if (conditions.jitterNanos > 0) {
        at += (long) (random.nextDouble() * conditions.jitterNanos);
      }
      // A path is a queue: jitter varies the delay but does not shuffle datagrams.
      at = Math.max(at, to.lastInOrderArrival);
      if (random.nextDouble() < conditions.reordering) {
        // Held back: later datagrams overtake this one.
        at += (long) (random.nextDouble() * 3 * conditions.delayNanos);
      } else {
        to.lastInOrderArrival = at;
      }
      arrivals.add(new Arrival(at, arrivalOrder++, to, datagram));
    }
  }
}
