package dev.charla.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * M members in one room, all reading. Unpaced (rate 0): K senders each keep W sends unacknowledged, sending the
 * next one when a {@code stored} reply comes back, so the server sets the pace; measures deliveries/s summed over
 * receivers and stored msgs/s. Paced (rate R): R msgs/s in total round-robin over the senders; measures the
 * time from send to receipt at every member. Either way every delivery is counted and checked for sequence
 * gaps (loss) and duplicates per receiver.
 */
record FanoutScenario(String name, int members, int senders, int window, double rate, String durability,
    Transport transport) implements Scenario {

  static FanoutScenario throughput(int members, int senders, int window) {
    return throughput(members, senders, window, Transport.TCP);
  }

  static FanoutScenario throughput(int members, int senders, int window, Transport transport) {
    return new FanoutScenario("fanout-" + members + transport.suffix(), members, senders, window, 0, null,
        transport);
  }

  static FanoutScenario latency(int members, int senders, double rate) {
    return latency(members, senders, rate, Transport.TCP);
  }

  /** Named latency-M@R (TCP) or latency-M-udp@R, so the rate stays last. */
  static FanoutScenario latency(int members, int senders, double rate, Transport transport) {
    return new FanoutScenario("latency-" + members + transport.suffix() + "@" + (long) rate, members, senders, 1,
        rate, null, transport);
  }

  FanoutScenario withDurability(String d) {
    return new FanoutScenario(name + "-" + d.toLowerCase(java.util.Locale.ROOT), members, senders, window, rate, d,
        transport);
  }

  @Override
  public String description() {
    return (transport == Transport.TCP ? "" : transport + ": ") + (rate > 0
        ? members + " members in one room, " + senders + " senders paced at " + (long) rate
            + " msg/s in total: latency from send to receipt at every member"
        : members + " members in one room, " + senders + " senders with " + window
            + " unacknowledged sends each: deliveries/s over all receivers, stored msgs/s");
  }

  @Override
  public RunResult run(Env env) throws Exception {
    try (ServerUnderTest server = env.servers().get(durability)) {
      return run(env, server);
    }
  }

  RunResult run(Env env, ServerUnderTest server) throws Exception {
    RunResult r = new RunResult();
    Sessions s = Sessions.guests(env, server, members, 200, Sessions.uniquePrefix(), transport, null);
    if (s.failures > 0) {
      throw new IllegalStateException(s.failures + " of " + members + " logins failed");
    }
    List<LoadClient.Conn> conns = s.conns;
    String room = "#" + Sessions.uniquePrefix() + "room";
    Rendezvous.joinAll(conns, room);
    Rendezvous.quiesce(conns);

    LongAdder deliveries = new LongAdder();
    LongAdder distinct = new LongAdder();
    LongAdder acks = new LongAdder();
    LongAdder sent = new LongAdder();
    LongAdder errors = new LongAdder();
    Recorder latency = new Recorder(3);
    boolean paced = rate > 0;
    boolean[] running = {true};
    byte[][] unpacedSend = new byte[1][];
    List<LoadClient.Conn> senderConns = conns.subList(0, Math.min(senders, conns.size()));
    for (LoadClient.Conn c : conns) {
      c.to = room;
      c.listener = (conn, line, type) -> {
        switch (type) {
          case MSG -> {
            long seq = Wire.seq(line);
            long dupsBefore = conn.dups;
            conn.track(seq);
            deliveries.increment();
            if (conn.dups == dupsBefore) {
              distinct.increment();
            }
            if (paced) {
              long t = Wire.sentNanos(line);
              if (t > 0) {
                latency.recordValue(Math.max(0, (System.nanoTime() - t) / 1000));
              }
            }
          }
          case STORED -> {
            conn.acked++;
            acks.increment();
            if (!paced && running[0]) {
              sent.increment();
              conn.write(Wire.send(room, System.nanoTime()));
            }
          }
          case ERROR -> errors.increment();
          default -> { }
        }
      };
    }

    Pacer pacer = null;
    if (paced) {
      pacer = new Pacer(senderConns, rate, i -> sent.increment());
    } else {
      for (LoadClient.Conn c : senderConns) {
        c.eventLoop().execute(() -> {
          for (int i = 0; i < window; i++) {
            sent.increment();
            c.writeLater(Wire.send(room, System.nanoTime()));
          }
          c.flush();
        });
      }
    }
    double[] rates = Window.warmUpAndMeasure(env, server, r, latency, deliveries, acks);
    running[0] = false;
    if (pacer != null) {
      pacer.close();
    }
    r.put("members", conns.size());
    r.put("deliveries/s", rates[0]);
    r.put("msgs/s", rates[1]);
    if (paced) {
      r.putLatency(latency.getIntervalHistogram());
    }

    // Drain: every send acknowledged, then every member holding every stored message (or give up).
    Rendezvous.await(() -> acks.sum() >= sent.sum() || errors.sum() > 0, 30, TimeUnit.SECONDS);
    long stored = acks.sum();
    Rendezvous.await(() -> distinct.sum() >= stored * conns.size(), 30, TimeUnit.SECONDS);
    long gaps = 0;
    long dups = 0;
    long missing = 0;
    for (LoadClient.Conn c : conns) {
      gaps += c.gaps;
      dups += c.dups;
      missing += Math.max(0, stored - (c.received - c.dups));
    }
    r.put("stored", stored);
    r.put("unacknowledged", sent.sum() - stored);
    r.put("loss", missing);
    r.put("gaps", gaps);
    r.put("duplicates", dups);
    r.put("errors", errors.sum());
    // Members the server dropped (e.g. as slow consumers): their missing messages count as loss above.
    r.put("disconnected", conns.stream().filter(c -> !c.channel.isOpen()).count());
    UdpTotals.of(conns).putInto(r);
    s.closeAll();
    return r;
  }
}
