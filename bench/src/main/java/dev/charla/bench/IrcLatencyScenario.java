package dev.charla.bench;

import java.nio.charset.StandardCharsets;
import java.util.List;
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
    try (ServerProcess server = Irc.startNgircd(ircd)) {
      return run(env, server);
    }
  }

  private RunResult run(Env env, ServerProcess server) throws Exception {
    RunResult r = new RunResult();
    String prefix = Sessions.uniquePrefix();
    String channel = "#" + prefix + "room";
    List<LoadClient.Conn> conns = Irc.register(env, server, members, prefix);
    Irc.joinAll(conns, channel);
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
          Irc.answerPing(conn, line.toString(StandardCharsets.UTF_8));
        }
      };
    }
    List<LoadClient.Conn> senderConns = conns.subList(0, Math.min(senders, conns.size()));
    Pacer pacer = new Pacer(senderConns, rate, i -> sent.increment(), (c, t) -> Wire.ircPrivmsg(channel, t));
    double[] rates = Window.warmUpAndMeasure(env, server, r, latency, deliveries, sent);
    pacer.close();
    r.put("members", conns.size());
    r.put("deliveries/s", rates[0]);
    r.put("msgs/s", rates[1]);
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
}
