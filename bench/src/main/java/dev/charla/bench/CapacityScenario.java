package dev.charla.bench;

import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * N idle logged-in sessions held for a period, each pinging every 10 s: the server's RSS growth divided by N.
 * Over TCP, UDP, or mixed (half each); UDP sessions also exchange the reliable layer's keepalives.
 */
record CapacityScenario(int sessions, Duration hold, Transport transport) implements Scenario {
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
      while (System.nanoTime() < end) {
        for (LoadClient.Conn c : s.conns) {
          c.write(Wire.ping());
          pings++;
        }
        Thread.sleep(Math.min(10_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      }
      r.put("pings", pings);
      r.put("pongs", pongs.sum());
      if (pid > 0) {
        long rssAfter = ProcStats.rssBytes(pid);
        r.put("RSS before MiB", rssBefore / 1048576.0);
        r.put("RSS after MiB", rssAfter / 1048576.0);
        r.put("KiB per session", (rssAfter - rssBefore) / 1024.0 / Math.max(1, s.conns.size()));
      }
      w.close(r);
      s.closeAll();
    }
    return r;
  }
}
