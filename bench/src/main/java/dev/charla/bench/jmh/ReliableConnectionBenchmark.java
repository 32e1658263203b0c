package dev.charla.bench.jmh;

import dev.charla.protocol.udp.ReliableConfig;
import dev.charla.protocol.udp.ReliableConnection;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The reliable-UDP state machine with no sockets: two {@link ReliableConnection}s exchange messages through an
 * in-memory link with a fake clock (1 ms one way, each datagram dropped with probability {@code lossPercent}
 * from a seeded {@link Random}, in both directions). One operation is one message delivered in order at the
 * far end, so ops/µs is the message rate one core sustains on the protocol work alone (encoding, acks, loss
 * detection, resends, reassembly), the fake clock making timeouts free. The auxiliary counters are rates in the
 * same unit: datagrams sent by both ends and packets retransmitted; divide by the score for per-message figures.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReliableConnectionBenchmark {
  /** Messages delivered per benchmark invocation. */
  static final int BATCH = 1000;
  static final long ONE_WAY_NANOS = 1_000_000;

  @Param({"0", "5"})
  public double lossPercent;

  @Param({"200"})
  public int messageBytes;

  private ReliableConnection sender;
  private ReliableConnection receiver;
  private final ArrayDeque<InTransit> toReceiver = new ArrayDeque<>();
  private final ArrayDeque<InTransit> toSender = new ArrayDeque<>();
  private Random random;
  private byte[] message;
  private long now;

  private record InTransit(long arrivesAt, byte[] datagram) {}

  /** Side figures, reported as rates like the score. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Counters {
    public long datagrams;
    public long retransmitted;

    @Setup(Level.Iteration)
    public void reset() {
      datagrams = 0;
      retransmitted = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    random = new Random(42);
    message = new byte[messageBytes];
    Arrays.fill(message, (byte) 'x');
    now = 1_000_000_000L;
    // Keepalive and idle timeout far beyond any run: the fake clock advances by 1 ms per exchange.
    ReliableConfig config = ReliableConfig.defaults()
        .withKeepaliveAndIdleTimeout(java.time.Duration.ofDays(1), java.time.Duration.ofDays(3));
    sender = new ReliableConnection(1, config, now);
    receiver = new ReliableConnection(1, config, now);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long deliver(Counters counters) {
    long delivered = 0;
    long toSend = BATCH;
    long d0 = sender.stats().datagramsSent() + receiver.stats().datagramsSent();
    long r0 = sender.stats().packetsRetransmitted();
    while (delivered < BATCH) {
      while (toSend > 0 && sender.send(message, now)) {
        toSend--;
      }
      transmit(sender, toReceiver);
      delivered += arrive(toReceiver, receiver);
      transmit(receiver, toSender);
      arrive(toSender, sender);
      now = Math.max(now + 1, Math.min(nextArrival(), Math.min(sender.nextTimeoutNanos(),
          receiver.nextTimeoutNanos())));
    }
    counters.datagrams += sender.stats().datagramsSent() + receiver.stats().datagramsSent() - d0;
    counters.retransmitted += sender.stats().packetsRetransmitted() - r0;
    return delivered;
  }

  private void transmit(ReliableConnection from, ArrayDeque<InTransit> link) {
    List<byte[]> out = from.pollDatagrams(now);
    for (byte[] d : out) {
      if (lossPercent == 0 || random.nextDouble() * 100 >= lossPercent) {
        link.add(new InTransit(now + ONE_WAY_NANOS, d));
      }
    }
  }

  private int arrive(ArrayDeque<InTransit> link, ReliableConnection to) {
    while (!link.isEmpty() && link.peek().arrivesAt() <= now) {
      byte[] d = link.poll().datagram();
      to.receive(d, 0, d.length, now);
    }
    int n = 0;
    while (to.pollMessage() != null) {
      n++;
    }
    return n;
  }

  private long nextArrival() {
    long t = ReliableConnection.NEVER;
    if (!toReceiver.isEmpty()) {
      t = toReceiver.peek().arrivesAt();
    }
    if (!toSender.isEmpty()) {
      t = Math.min(t, toSender.peek().arrivesAt());
    }
    return t;
  }
}
