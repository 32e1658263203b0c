package dev.charla.bench;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * A measurement window: CPU time of the generator and of the server (when it is a local process) between
 * {@link #open} and {@link #close}, as percent of one core, plus the server's RSS at the end. The two share the
 * machine's cores, so a generator near its own limit shows here.
 */
final class Window {
  private final ServerUnderTest server;
  private final long t0;
  private final long selfCpu0;
  private final long serverCpu0;
  private final long[] machine0;

  private Window(ServerUnderTest server) {
    this.server = server;
    this.t0 = System.nanoTime();
    this.selfCpu0 = ProcStats.selfCpuNanos();
    this.serverCpu0 = server.pid().isPresent() ? ProcStats.cpuNanos(server.pid().getAsLong()) : -1;
    this.machine0 = ProcStats.machineJiffies();
  }

  static Window open(ServerUnderTest server) {
    return new Window(server);
  }

  /**
   * A scenario's measurement, once its load is running: a full collection in the generator, {@link Env#warmup} of
   * load, {@code latency} reset, then a window of {@link Env#measure}. Returns each counter's rate per second over
   * the window; the window's CPU and memory figures go into {@code r}.
   *
   * <p>Why the collection: the generator's clients, set up just before, live for the whole run, but G1 tenures an
   * object only after it survived 15 young collections and copies it in each until then. The generator collects
   * rarely, so its clients were still young in the window, and its pauses copying them (10-27 ms) showed as the
   * paced scenario's p99.9. A full collection tenures them at once. It comes before the warm-up, not after: the
   * JIT recompiled some 50 methods after it, which took 15 % of a core in the window. Only the generator's: the
   * server's pauses are part of what is measured.
   */
  static double[] warmUpAndMeasure(Env env, ServerUnderTest server, RunResult r, Recorder latency,
      LongAdder... counters) throws InterruptedException {
    System.gc();
    Thread.sleep(env.warmup().toMillis());
    latency.reset();
    long[] before = new long[counters.length];
    for (int i = 0; i < counters.length; i++) {
      before[i] = counters[i].sum();
    }
    Window w = open(server);
    Thread.sleep(env.measure().toMillis());
    double[] rates = new double[counters.length];
    for (int i = 0; i < counters.length; i++) {
      rates[i] = counters[i].sum() - before[i];
    }
    double seconds = w.close(r);
    for (int i = 0; i < rates.length; i++) {
      rates[i] /= seconds;
    }
    return rates;
  }

  /** Elapsed seconds so far. */
  double seconds() {
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Ends the window and adds its CPU and memory figures to {@code r}; returns the elapsed seconds. */
  double close(RunResult r) {
    long wall = System.nanoTime() - t0;
    long selfCpu = ProcStats.selfCpuNanos() - selfCpu0;
    double generator = 100.0 * selfCpu / wall;
    r.put("generator CPU %", generator);
    double serverCpu = 0;
    if (server.pid().isPresent()) {
      long pid = server.pid().getAsLong();
      serverCpu = 100.0 * (ProcStats.cpuNanos(pid) - serverCpu0) / wall;
      r.put("server CPU %", serverCpu);
      r.put("server RSS MiB", ProcStats.rssBytes(pid) / (1024.0 * 1024.0));
    }
    long[] machine1 = ProcStats.machineJiffies();
    if (machine0 != null && machine1 != null && machine1[0] > machine0[0]) {
      // Whatever else ran on the machine meanwhile: figures taken while others were busy are not comparable.
      double busy = 100.0 * Runtime.getRuntime().availableProcessors()
          * (1 - (double) (machine1[1] - machine0[1]) / (machine1[0] - machine0[0]));
      r.put("other processes CPU %", Math.max(0, busy - generator - serverCpu));
    }
    return wall / 1e9;
  }
}
