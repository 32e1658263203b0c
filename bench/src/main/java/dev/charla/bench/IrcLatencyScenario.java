package dev.charla.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * The {@code latency} scenario against an established IRC server, measured by this generator in the same run as
 * Charla: M members in one channel, K senders paced at R {@code PRIVMSG}s a second in total, latency from the
 * intended send time to receipt at every other member (IRC does not echo a message to its sender). Same
 * connection code, line splitting, pacing and histograms as the Charla scenario, so the two differ only in the
 * server. The baseline stores nothing and acknowledges nothing; Charla fsyncs every message before anyone sees it.
 */
record IrcLatencyScenario(int members, int senders, double rate, String ircd) implements Scenario {

  @Override
  public String name() {
    return "irc-latency-" + members + "@" + (long) rate;
  }

  @Override
  public String description() {
    return "baseline " + ircd + ": " + members + " members in one channel, " + senders + " senders paced at "
        + (long) rate + " msg/s in total: latency from send to receipt at every other member";
  }

  @Override
  public RunResult run(Env env) throws Exception {
    try (IrcServerProcess server = IrcServerProcess.startNgircd(ircd)) {
      return run(env, server);
    }
  }

  private RunResult run(Env env, IrcServerProcess server) throws Exception {
    RunResult r = new RunResult();
    String prefix = Sessions.uniquePrefix();
    String channel = "#" + prefix + "room";
    List<LoadClient.Conn> conns = register(env, server, prefix);
    joinAll(conns, channel);
    Rendezvous.quiesce(conns);

    LongAdder deliveries = new LongAdder();
    LongAdder sent = new LongAdder();
    Recorder latency = new Recorder(3);
    for (LoadClient.Conn c : conns) {
      c.listener = (conn, line, type) -> {
        long t = Wire.ircSentNanos(line);
        if (t > 0) {
          deliveries.increment();
          latency.recordValue(Math.max(0, (System.nanoTime() - t) / 1000));
        } else {
          answerPing(conn, line.toString(StandardCharsets.UTF_8));
        }
      };
    }
    List<LoadClient.Conn> senderConns = conns.subList(0, Math.min(senders, conns.size()));
    Pacer pacer = new Pacer(senderConns, rate, i -> sent.increment(), (c, t) -> Wire.ircPrivmsg(channel, t));
    Thread.sleep(env.warmup().toMillis());
    latency.reset();
    long d0 = deliveries.sum();
    long s0 = sent.sum();
    Window w = Window.open(server);
    Thread.sleep(env.measure().toMillis());
    long d1 = deliveries.sum();
    long s1 = sent.sum();
    double seconds = w.close(r);
    pacer.close();
    r.put("members", conns.size());
    r.put("deliveries/s", (d1 - d0) / seconds);
    r.put("msgs/s", (s1 - s0) / seconds);
    r.putLatency(latency.getIntervalHistogram());
    long expected = sent.sum() * (conns.size() - 1);
    Rendezvous.await(() -> deliveries.sum() >= expected, 30, TimeUnit.SECONDS);
    r.put("loss", Math.max(0, expected - deliveries.sum()));
    r.put("disconnected", conns.stream().filter(c -> !c.channel.isOpen()).count());
    for (LoadClient.Conn c : conns) {
      c.closeAndWait();
    }
    return r;
  }

  /** Connects and registers (NICK, USER) {@code members} clients, 200 at a time; each is ready at its 001. */
  private List<LoadClient.Conn> register(Env env, IrcServerProcess server, String prefix)
      throws InterruptedException {
    Semaphore permits = new Semaphore(200);
    CountDownLatch done = new CountDownLatch(members);
    LoadClient.Conn[] ok = new LoadClient.Conn[members];
    for (int i = 0; i < members; i++) {
      permits.acquire();
      final int index = i;
      String nick = prefix + i;
      LoadClient.Conn conn = new LoadClient.TcpConn(i, new LoadClient.Conn.Listener() {
        boolean finished;

        @Override
        public void onLine(LoadClient.Conn c, io.netty.buffer.ByteBuf line, Wire.Type type) {
          String text = line.toString(StandardCharsets.UTF_8);
          if (answerPing(c, text) || finished) {
            return;
          }
          if (text.contains(" 001 ")) {
            ok[index] = c;
            finish();
          } else if (text.startsWith("ERROR") || text.contains(" 433 ")) { // closing link, nick in use
            finish();
          }
        }

        @Override
        public void onClosed(LoadClient.Conn c) {
          if (!finished) {
            finish();
          }
        }

        private void finish() {
          finished = true;
          permits.release();
          done.countDown();
        }
      });
      env.client().connect(server.host(), server.port(), conn).whenComplete((c, err) -> {
        if (err != null) {
          permits.release();
          done.countDown();
        } else {
          c.write(("NICK " + nick + "\r\nUSER " + nick + " 0 * :bench\r\n").getBytes(StandardCharsets.UTF_8));
        }
      });
    }
    if (!done.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("IRC registrations did not finish within 120 s");
    }
    List<LoadClient.Conn> conns = new ArrayList<>();
    for (LoadClient.Conn c : ok) {
      if (c != null) {
        conns.add(c);
      }
    }
    if (conns.size() < members) {
      throw new IllegalStateException((members - conns.size()) + " of " + members + " IRC registrations failed");
    }
    return conns;
  }

  /** Every connection joins; returns at each one's end of NAMES (366), which follows its JOIN. */
  private static void joinAll(List<LoadClient.Conn> conns, String channel) throws InterruptedException {
    CountDownLatch joined = new CountDownLatch(conns.size());
    for (LoadClient.Conn c : conns) {
      c.listener = new LoadClient.Conn.Listener() {
        boolean done;

        @Override
        public void onLine(LoadClient.Conn conn, io.netty.buffer.ByteBuf line, Wire.Type type) {
          String text = line.toString(StandardCharsets.UTF_8);
          if (!answerPing(conn, text) && !done && text.contains(" 366 ")) {
            done = true;
            joined.countDown();
          }
        }
      };
      c.write(("JOIN " + channel + "\r\n").getBytes(StandardCharsets.UTF_8));
    }
    if (!joined.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException(joined.getCount() + " IRC joins unanswered after 120 s");
    }
  }

  /** Answers a server PING; returns whether the line was one. */
  private static boolean answerPing(LoadClient.Conn c, String line) {
    if (line.startsWith("PING ")) {
      c.write(("PONG " + line.substring(5).strip() + "\r\n").getBytes(StandardCharsets.UTF_8));
      return true;
    }
    return false;
  }
}
