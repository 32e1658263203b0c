package dev.charla.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * The {@code private} scenario against an established IRC server, measured by this generator in the same run as
 * Charla: P pairs of clients exchanging {@code PRIVMSG}s. Ping-pong (rate 0): one message in flight per pair, each
 * received one answered at once; msgs/s received. Paced (rate R): the first of each pair sends, R msgs/s in total;
 * latency from the intended send time to receipt. IRC acknowledges nothing and echoes nothing: per message the
 * server reads once and writes once, where Charla also writes the sender its {@code stored} (and the echo).
 */
record IrcPrivateScenario(int pairs, double rate, String ircd) implements Scenario {

  @Override
  public String name() {
    return rate > 0 ? "irc-private-paced@" + (long) rate : "irc-private-pingpong";
  }

  @Override
  public String description() {
    return "baseline " + ircd + ": " + (rate > 0
        ? pairs + " pairs, " + (long) rate + " PRIVMSG/s in total: latency from send to receipt"
        : pairs + " pairs ping-ponging PRIVMSGs, one in flight per pair: msgs/s received");
  }

  @Override
  public RunResult run(Env env) throws Exception {
    try (ServerProcess server = Irc.startNgircd(ircd)) {
      return run(env, server);
    }
  }

  private RunResult run(Env env, ServerProcess server) throws Exception {
    RunResult r = new RunResult();
    List<LoadClient.Conn> conns = Irc.register(env, server, pairs * 2, Sessions.uniquePrefix());
    Rendezvous.quiesce(conns);
    LongAdder received = new LongAdder();
    LongAdder sent = new LongAdder();
    Recorder latency = new Recorder(3);
    boolean paced = rate > 0;
    boolean[] running = {true};
    List<LoadClient.Conn> firsts = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      LoadClient.Conn a = conns.get(2 * i);
      LoadClient.Conn b = conns.get(2 * i + 1);
      a.to = b.name;
      b.to = a.name;
      firsts.add(a);
    }
    for (LoadClient.Conn c : conns) {
      c.listener = (conn, line, type) -> {
        long t = Wire.ircSentNanos(line);
        if (t <= 0) {
          Irc.answerPing(conn, line.toString(StandardCharsets.UTF_8));
          return;
        }
        received.increment();
        latency.recordValue(Math.max(0, (System.nanoTime() - t) / 1000));
        if (!paced && running[0]) {
          sent.increment();
          conn.write(Wire.ircPrivmsg(conn.to, System.nanoTime()));
        }
      };
    }
    PrivateScenario.driveAndMeasure(env, server, r, firsts, rate, (c, t) -> Wire.ircPrivmsg(c.to, t), latency,
        received, sent, running);
    Rendezvous.await(() -> received.sum() >= sent.sum(), 30, TimeUnit.SECONDS);
    r.put("loss", Math.max(0, sent.sum() - received.sum()));
    r.put("disconnected", conns.stream().filter(c -> !c.channel.isOpen()).count());
    for (LoadClient.Conn c : conns) {
      c.closeAndWait();
    }
    return r;
  }
}
