package dev.charla.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Goodput of reliable UDP under loss: a sender (UDP) streams fixed-size private messages to one reader (UDP, or
 * TCP) through the server, keeping {@code window} messages sent and not yet delivered (the next one goes out
 * each time the reader receives one), while the generator's {@link DatagramLoss} drops DATA datagrams at each UDP client in both
 * directions. With a UDP reader a message therefore crosses two lossy links. One run measures every loss rate
 * in turn on the same server (after one discarded lossless pass that warms the server up), each with a fresh
 * pair, and reports each rate's goodput relative to the lossless one of the same run (the first rate should be
 * 0).
 *
 * <p>Retransmission overhead, from {@link dev.charla.protocol.udp.ConnectionStats}: the sender's datagrams over
 * the minimum that could carry its messages ({@link #FRAGMENT_BYTES_PER_DATAGRAM} message bytes in every
 * datagram: messages are cut into fragments that fill datagrams, so this minimum is reachable only without
 * acknowledgements of its own) and its retransmitted packets; for a UDP reader, the datagrams that reached its
 * socket (kept or dropped by the simulator) over the minimum for the message bytes it was given, which includes
 * the server's resends.
 */
record UdpLossScenario(List<Double> lossPercents, int textBytes, int window, long seed, Transport reader)
    implements Scenario {
  // The window is end to end, not on 'stored': the server acknowledges a send once it is committed, before the
  // reader has it, so a sender paced by 'stored' outruns a reader whose link loses datagrams; the server then
  // drops that reader as a slow consumer (its UDP send queue is bounded).

  /** A full 1200-byte DATA datagram less its header (12 + a packet number) and one fragment header. */
  static final int FRAGMENT_BYTES_PER_DATAGRAM = 1170;

  UdpLossScenario {
    if (reader == Transport.MIXED) {
      throw new IllegalArgumentException("the reader is tcp or udp");
    }
  }

  @Override
  public String name() {
    return "udp-loss" + (reader == Transport.TCP ? "-tcp-reader" : "");
  }

  @Override
  public String description() {
    return "a UDP client streams " + textBytes + "-byte private messages (" + window + " undelivered) to a "
        + reader + " reader through the server, DATA datagrams dropped at " + lossPercents.stream()
            .map(UdpLossScenario::pct).toList() + " % in the generator (seed " + seed
        + "): goodput, ratio to lossless, retransmissions";
  }

  private static String pct(double p) {
    return p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p);
  }

  @Override
  public RunResult run(Env env) throws Exception {
    RunResult r = new RunResult();
    try (ServerUnderTest server = env.servers().get(null)) {
      // A fresh server JVM is several times slower in its first seconds: without this pass the first rate
      // measured (the lossless reference) would be the slowest. Discarded.
      runAt(env, server, 0);
      double lossless = Double.NaN;
      for (double p : lossPercents) {
        RunResult level = runAt(env, server, p);
        String k = pct(p) + "% ";
        double msgs = level.get("msgs/s");
        if (p == 0) {
          lossless = msgs;
        }
        for (var e : level.metrics.entrySet()) {
          r.put(k + e.getKey(), e.getValue());
        }
        if (p > 0 && !Double.isNaN(lossless)) {
          r.put(k + "goodput / lossless", msgs / lossless);
        }
      }
    }
    return r;
  }

  private RunResult runAt(Env env, ServerUnderTest server, double percent) throws Exception {
    RunResult r = new RunResult();
    DatagramLoss loss = new DatagramLoss(percent / 100, seed);
    Transport both = reader == Transport.UDP ? Transport.UDP : Transport.MIXED; // MIXED: index 0 tcp, 1 udp
    Sessions s = Sessions.guests(env, server, 2, 2, Sessions.uniquePrefix(), both, loss);
    if (s.failures > 0 || s.conns.size() != 2) {
      throw new IllegalStateException("the sender or the reader could not log in");
    }
    LoadClient.Conn sender = reader == Transport.UDP ? s.conns.get(0) : s.conns.get(1);
    LoadClient.Conn receiver = reader == Transport.UDP ? s.conns.get(1) : s.conns.get(0);
    Rendezvous.quiesce(s.conns);
    sender.to = "@" + receiver.name;
    String to = sender.to;
    LongAdder delivered = new LongAdder();
    LongAdder deliveredBytes = new LongAdder();
    LongAdder acks = new LongAdder();
    LongAdder sent = new LongAdder();
    LongAdder errors = new LongAdder();
    boolean[] running = {true};
    java.util.concurrent.atomic.AtomicReference<String> firstError = new java.util.concurrent.atomic.AtomicReference<>();
    receiver.listener = (conn, line, type) -> {
      if (type == Wire.Type.MSG) {
        long dupsBefore = conn.dups;
        conn.track(Wire.seq(line));
        if (conn.dups == dupsBefore) {
          delivered.increment();
          deliveredBytes.add(line.readableBytes());
          if (running[0]) {
            sent.increment();
            sender.write(Wire.send(to, System.nanoTime(), textBytes)); // hops to the sender's event loop
          }
        }
      } else if (type == Wire.Type.ERROR) {
        errors.increment();
        firstError.compareAndSet(null, conn.transport() + " " + line.toString(java.nio.charset.StandardCharsets.UTF_8));
      }
    };
    sender.listener = (conn, line, type) -> {
      if (type == Wire.Type.STORED) {
        conn.acked++;
        acks.increment();
      } else if (type == Wire.Type.ERROR) {
        errors.increment();
        firstError.compareAndSet(null, conn.transport() + " " + line.toString(java.nio.charset.StandardCharsets.UTF_8));
      }
    };
    sender.eventLoop().execute(() -> {
      for (int i = 0; i < window; i++) {
        sent.increment();
        sender.writeLater(Wire.send(to, System.nanoTime(), textBytes));
      }
      sender.flush();
    });
    Thread.sleep(env.warmup().toMillis());
    UdpTotals s0 = UdpTotals.of(List.of(sender));
    UdpTotals r0 = UdpTotals.of(List.of(receiver));
    long d0 = delivered.sum();
    long b0 = deliveredBytes.sum();
    long a0 = acks.sum();
    Window w = Window.open(server);
    Thread.sleep(env.measure().toMillis());
    long d1 = delivered.sum();
    long b1 = deliveredBytes.sum();
    long a1 = acks.sum();
    UdpTotals s1 = UdpTotals.of(List.of(sender)).minus(s0);
    UdpTotals r1 = UdpTotals.of(List.of(receiver)).minus(r0);
    double seconds = w.close(r);
    running[0] = false;
    double msgs = (d1 - d0) / seconds;
    r.put("msgs/s", msgs);
    r.put("goodput KiB/s", msgs * textBytes / 1024);
    r.put("stored msgs/s", (a1 - a0) / seconds);
    double frameBytes = Wire.send(to, System.nanoTime(), textBytes).length - 1;
    double minimum = Math.ceil(s1.messagesAccepted() * frameBytes / FRAGMENT_BYTES_PER_DATAGRAM);
    r.put("sender datagrams / min", minimum == 0 ? Double.NaN : s1.datagramsSent() / minimum);
    r.put("sender bytes / message bytes", s1.messagesAccepted() == 0 ? Double.NaN
        : s1.bytesSent() / (s1.messagesAccepted() * frameBytes));
    r.put("sender retransmitted", s1.packetsRetransmitted());
    r.put("sender lost", s1.packetsLost());
    r.put("sender probes", s1.probesSent());
    r.put("sender dropped by simulator %", s1.datagramsSent() == 0 ? 0
        : 100.0 * s1.droppedOut() / s1.datagramsSent());
    if (reader == Transport.UDP) {
      long arrived = r1.datagramsReceived() + r1.droppedIn();
      double readerMinimum = Math.ceil((double) (b1 - b0) / FRAGMENT_BYTES_PER_DATAGRAM);
      r.put("reader datagrams in / min", readerMinimum == 0 ? Double.NaN : arrived / readerMinimum);
      r.put("reader acks out / msg", (d1 - d0) == 0 ? Double.NaN : (double) r1.datagramsSent() / (d1 - d0));
    }

    Rendezvous.await(() -> acks.sum() >= sent.sum() || errors.sum() > 0, 60, TimeUnit.SECONDS);
    long stored = acks.sum();
    Rendezvous.await(() -> delivered.sum() >= stored, 60, TimeUnit.SECONDS);
    r.put("unacknowledged", sent.sum() - stored);
    r.put("loss", Math.max(0, stored - delivered.sum()));
    r.put("gaps", receiver.gaps);
    r.put("duplicates", receiver.dups);
    r.put("errors", errors.sum());
    if (firstError.get() != null) {
      System.err.printf("[bench]   %s%% loss: %d errors, the first: %s%n", pct(percent), errors.sum(), firstError.get());
    }
    s.closeAll();
    return r;
  }
}
