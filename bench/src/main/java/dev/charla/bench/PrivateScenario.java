package dev.charla.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * P pairs exchanging private messages. Ping-pong (rate 0): each pair keeps one message in flight, the partner
 * answering each one it receives; measures msgs/s received over all pairs. Paced (rate R): the first of each
 * pair sends, R msgs/s in total; measures send-to-receipt latency. Each side sees the whole conversation (its
 * own messages are echoed to it), so gaps and duplicates are checked per connection.
 */
record PrivateScenario(int pairs, double rate) implements Scenario {
  @Override
  public String name() {
    return rate > 0 ? "private-paced@" + (long) rate : "private-pingpong";
  }

  @Override
  public String description() {
    return rate > 0
        ? pairs + " pairs, " + (long) rate + " private msg/s in total: latency from send to receipt"
        : pairs + " pairs ping-ponging private messages, one in flight per pair: msgs/s received";
  }

  @Override
  public RunResult run(Env env) throws Exception {
    RunResult r = new RunResult();
    try (ServerUnderTest server = env.servers().get(null)) {
      Sessions s = Sessions.guests(env, server, pairs * 2, 200, Sessions.uniquePrefix());
      if (s.failures > 0) {
        throw new IllegalStateException(s.failures + " of " + pairs * 2 + " logins failed");
      }
      List<LoadClient.Conn> conns = s.conns;
      Rendezvous.quiesce(conns);
      LongAdder received = new LongAdder();
      LongAdder acks = new LongAdder();
      LongAdder sent = new LongAdder();
      LongAdder errors = new LongAdder();
      Recorder latency = new Recorder(3);
      boolean paced = rate > 0;
      boolean[] running = {true};
      List<LoadClient.Conn> firsts = new ArrayList<>();
      for (int i = 0; i < pairs; i++) {
        LoadClient.Conn a = conns.get(2 * i);
        LoadClient.Conn b = conns.get(2 * i + 1);
        a.to = "@" + b.name;
        b.to = "@" + a.name;
        firsts.add(a);
      }
      for (int i = 0; i < conns.size(); i++) {
        boolean first = i % 2 == 0;
        conns.get(i).listener = (conn, line, type) -> {
          switch (type) {
            case MSG -> {
              long seq = Wire.seq(line);
              conn.track(seq);
              // The first of a pair sends odd seqs in ping-pong; in paced mode only the first sends.
              boolean fromPartner = paced ? !first : (seq % 2 == 0) == first;
              if (fromPartner) {
                received.increment();
                long t = Wire.sentNanos(line);
                if (t > 0) {
                  latency.recordValue(Math.max(0, (System.nanoTime() - t) / 1000));
                }
                if (!paced && running[0]) {
                  sent.increment();
                  conn.write(Wire.send(conn.to, System.nanoTime()));
                }
              }
            }
            case STORED -> {
              conn.acked++;
              acks.increment();
            }
            case ERROR -> errors.increment();
            default -> { }
          }
        };
      }
      driveAndMeasure(env, server, r, firsts, rate, (c, t) -> Wire.send(c.to, t), latency, received, sent,
          running);

      Rendezvous.await(() -> acks.sum() >= sent.sum() || errors.sum() > 0, 30, TimeUnit.SECONDS);
      Rendezvous.await(() -> received.sum() >= acks.sum(), 30, TimeUnit.SECONDS);
      long gaps = 0;
      long dups = 0;
      long missing = 0;
      for (int i = 0; i < pairs; i++) {
        LoadClient.Conn a = conns.get(2 * i);
        LoadClient.Conn b = conns.get(2 * i + 1);
        long conversation = a.acked + b.acked;
        for (LoadClient.Conn c : List.of(a, b)) {
          gaps += c.gaps;
          dups += c.dups;
          missing += Math.max(0, conversation - (c.received - c.dups));
        }
      }
      r.put("stored", acks.sum());
      r.put("loss", missing);
      r.put("gaps", gaps);
      r.put("duplicates", dups);
      r.put("errors", errors.sum());
      s.closeAll();
    }
    return r;
  }

  /**
   * One run's load, for Charla and the IRC baseline alike: starts it (the pacer over the first of each pair, or
   * each first's opening message of the ping-pong), measures the window, stops it ({@code running[0]} turns false,
   * so replies stop) and records pairs, msgs/s and latency. {@code message} builds a frame in the server's
   * protocol.
   */
  static void driveAndMeasure(Env env, ServerUnderTest server, RunResult r, List<LoadClient.Conn> firsts,
      double rate, Pacer.Message message, Recorder latency, LongAdder received, LongAdder sent, boolean[] running)
      throws Exception {
    Pacer pacer = null;
    if (rate > 0) {
      pacer = new Pacer(firsts, rate, i -> sent.increment(), message);
    } else {
      for (LoadClient.Conn a : firsts) {
        sent.increment();
        a.write(message.of(a, System.nanoTime()));
      }
    }
    double receivedPerSecond = Window.warmUpAndMeasure(env, server, r, latency, received)[0];
    running[0] = false;
    if (pacer != null) {
      pacer.close();
    }
    r.put("pairs", firsts.size());
    r.put("msgs/s", receivedPerSecond);
    r.putLatency(latency.getIntervalHistogram());
  }
}
