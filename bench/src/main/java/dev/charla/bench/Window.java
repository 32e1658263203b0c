package dev.charla.bench;

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

  private Window(ServerUnderTest server) {
    this.server = server;
    this.t0 = System.nanoTime();
    this.selfCpu0 = ProcStats.selfCpuNanos();
    this.serverCpu0 = server.pid().isPresent() ? ProcStats.cpuNanos(server.pid().getAsLong()) : -1;
  }

  static Window open(ServerUnderTest server) {
    return new Window(server);
  }

  /** Elapsed seconds so far. */
  double seconds() {
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Ends the window and adds its CPU and memory figures to {@code r}; returns the elapsed seconds. */
  double close(RunResult r) {
    long wall = System.nanoTime() - t0;
    long selfCpu = ProcStats.selfCpuNanos() - selfCpu0;
    r.put("generator CPU %", 100.0 * selfCpu / wall);
    if (server.pid().isPresent()) {
      long pid = server.pid().getAsLong();
      r.put("server CPU %", 100.0 * (ProcStats.cpuNanos(pid) - serverCpu0) / wall);
      r.put("server RSS MiB", ProcStats.rssBytes(pid) / (1024.0 * 1024.0));
    }
    return wall / 1e9;
  }
}
