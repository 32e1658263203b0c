package dev.charla.bench;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * N clients connect and log in as guests with C logins in flight; then all disconnect and log in again by
 * resuming with their tokens. Measures logins per second and the time from connect to logged_in, after a
 * warm-up of throwaway guest logins.
 */
record ConnectScenario(int clients, int inFlight) implements Scenario {
  @Override
  public String name() {
    return "connect";
  }

  @Override
  public String description() {
    return clients + " clients, " + inFlight + " logins in flight: guest logins, then token resumes; "
        + "logins/s and time from connect to logged_in";
  }

  @Override
  public RunResult run(Env env) throws Exception {
    RunResult r = new RunResult();
    try (ServerUnderTest server = env.servers().get(null)) {
      // Warm-up, as in the other scenarios: guest logins of throwaway clients for the warm-up time, so the
      // measured logins meet a server whose login path is compiled (a fresh JVM's first seconds are several
      // times slower, and a 5000-login run is over within them).
      long warmEnd = System.nanoTime() + env.warmup().toNanos();
      while (System.nanoTime() < warmEnd) {
        Sessions.guests(env, server, Math.min(clients, 1_000), inFlight, Sessions.uniquePrefix()).closeAll();
      }
      Window w = Window.open(server);
      Sessions guests = Sessions.guests(env, server, clients, inFlight, Sessions.uniquePrefix());
      Histogram g = guests.timesMicros.getIntervalHistogram();
      r.put("guest logins/s", guests.conns.size() / guests.seconds);
      r.put("guest p50 ms", g.getValueAtPercentile(50) / 1000.0);
      r.put("guest p99 ms", g.getValueAtPercentile(99) / 1000.0);
      r.put("guest failures", guests.failures);
      List<String> tokens = new ArrayList<>();
      for (LoadClient.Conn c : guests.conns) {
        tokens.add(c.token);
      }
      guests.closeAll();
      Thread.sleep(500); // let the server notice the closes, so resumes find the names free
      Sessions resumed = Sessions.resume(env, server, tokens, inFlight);
      Histogram h = resumed.timesMicros.getIntervalHistogram();
      r.put("resume logins/s", resumed.conns.size() / resumed.seconds);
      r.put("resume p50 ms", h.getValueAtPercentile(50) / 1000.0);
      r.put("resume p99 ms", h.getValueAtPercentile(99) / 1000.0);
      r.put("resume failures", resumed.failures);
      r.latencyMicros = g;
      w.close(r);
      resumed.closeAll();
    }
    return r;
  }
}
