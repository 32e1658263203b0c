package dev.charla.bench;

import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * N idle logged-in sessions held for a period, each pinging every 10 s: the server's RSS growth divided by N.
 * Over TCP, UDP, or mixed (half each); UDP sessions also exchange the reliable layer's keepalives. Every ping
 * must be answered ({@code pongs missing} counts those that were not, up to {@link #PONG_WAIT} after the last
 * round): an idle session the server dropped or forgot is a failure, not a saving.
 */
record CapacityScenario(int sessions, Duration hold, Transport transport) implements Scenario {
  static final long PING_INTERVAL_MILLIS = 10_000;
  static final Duration PONG_WAIT = Duration.ofSeconds(10);
  static final Duration SETTLE = Duration.ofSeconds(6);

  @Override
  public String name() {
    return "capacity" + transport.suffix();
  }

  @Override
  public String description() {
    return sessions + " idle " + (transport == Transport.MIXED ? "sessions (half tcp, half udp)"
        : transport + " sessions") + " held " + hold.toSeconds()
        + " s with pings every 10 s: server RSS growth per session";
  }

  @Override
  public RunResult run(Env env) throws Exception {
    RunResult r = new RunResult();
    try (ServerUnderTest server = env.servers().get(null)) {
      long pid = server.pid().orElse(-1);
      Thread.sleep(1000); // let the fresh JVM settle
      long rssBefore = pid > 0 ? ProcStats.rssBytes(pid) : -1;
      Window w = Window.open(server);
      Sessions s = Sessions.guests(env, server, sessions, 200, Sessions.uniquePrefix(), transport, null);
      r.put("sessions", s.conns.size());
      r.put("failures", s.failures);
      r.put("logins/s", s.conns.size() / s.seconds);
      LongAdder pongs = new LongAdder();
      for (LoadClient.Conn c : s.conns) {
        c.listener = (conn, line, type) -> {
          if (type == Wire.Type.PONG) {
            pongs.increment();
          }
        };
      }
      long end = System.nanoTime() + hold.toNanos();
      long pings = 0;
      do {
        for (LoadClient.Conn c : s.conns) {
          c.write(Wire.ping());
          pings++;
        }
        long leftMillis = (end - System.nanoTime() + 999_999) / 1_000_000; // rounded up: no extra round at the end
        if (leftMillis > 0) {
          Thread.sleep(Math.min(PING_INTERVAL_MILLIS, leftMillis));
        }
      } while (System.nanoTime() < end);
      // Every session must still answer: wait (bounded) for the pongs of the last round.
      long sent = pings;
      Rendezvous.await(() -> pongs.sum() >= sent, PONG_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      r.put("pings", pings);
      r.put("pongs missing", pings - pongs.sum());
      w.close(r);
      if (pid > 0) {
        long rssAfter = settledRss(pid);
        r.put("RSS before MiB", rssBefore / 1048576.0);
        r.put("RSS after MiB", rssAfter / 1048576.0);
        r.put("KiB per session", (rssAfter - rssBefore) / 1024.0 / Math.max(1, s.conns.size()));
      }
      s.closeAll();
    }
    return r;
  }

  /**
   * The server's RSS with every session still held, once the garbage of the last ping round is gone: the lowest
   * of samples over {@link #SETTLE}, longer than the started server's periodic GC interval (5 s, see {@link
   * ServerProcess}). A single sample measured whether a collection had happened yet: 1.4 to 5.6 KiB per session
   * in consecutive runs of the same server.
   */
  private static long settledRss(long pid) throws InterruptedException {
    long lowest = Long.MAX_VALUE;
    long end = System.nanoTime() + SETTLE.toNanos();
    do {
      lowest = Math.min(lowest, ProcStats.rssBytes(pid));
      Thread.sleep(250);
    } while (System.nanoTime() < end);
    return lowest;
  }
}
