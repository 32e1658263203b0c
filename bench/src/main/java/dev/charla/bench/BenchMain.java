package dev.charla.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The load generator's command line: one subcommand per scenario, {@code all} for the standard set, and
 * {@code jmh} for the microbenchmarks. Every scenario runs {@code --runs} times and is reported as median and
 * range.
 */
@Command(name = "charla-bench", mixinStandardHelpOptions = true,
    description = "Load generator and microbenchmarks for a Charla server.",
    subcommands = {BenchMain.Connect.class, BenchMain.Capacity.class, BenchMain.Fanout.class,
        BenchMain.Latency.class, BenchMain.Private.class, BenchMain.Durability.class, BenchMain.UdpLoss.class,
        BenchMain.Udp.class, BenchMain.All.class,
        BenchMain.Jmh.class, BenchMain.StagesCommand.class})
public final class BenchMain implements Runnable {

  /** Options every scenario command shares: where the server is, how many runs, where the report goes. */
  static final class Common {
    @Option(names = "--host", description = "Server host (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = {"-p", "--port"}, description = "Server TCP port (default: ${DEFAULT-VALUE}).")
    int port = 7000;

    @Option(names = "--start-server", arity = "0..1", paramLabel = "JAR",
        fallbackValue = "server/target/charla-server.jar",
        description = "Start a fresh server per run as a child process (temp db, --unlimited) from this jar "
            + "(default when given without a value: ${FALLBACK-VALUE}); enables server CPU and RSS figures.")
    Path serverJar;

    @Option(names = "--durability", description = "FAST or DURABLE, for servers this command starts "
        + "(default: ${DEFAULT-VALUE}).")
    String durability = "DURABLE"; // the targets are for durably stored messages

    @Option(names = "--io-threads", description = "Event loop threads of a started server (default: its own).")
    int ioThreads;

    @Option(names = "--server-jvm-arg", description = "Extra JVM option for a started server, e.g. "
        + "-XX:StartFlightRecording=duration=30s,filename=/tmp/fanout.jfr (repeatable).")
    List<String> serverJvmArgs = new ArrayList<>();

    @Option(names = "--cmid", description = "Client message ids on sends: ORDERED (time first, as the client "
        + "library makes them), RANDOM, or NONE (default: ${DEFAULT-VALUE}).")
    Wire.CmidStyle cmids = Wire.CmidStyle.ORDERED;

    @Option(names = "--server-arg", description = "Extra option for a started server, e.g. --server-arg=--io-threads=1 "
        + "(repeatable; see ./charla server --help).")
    List<String> serverArgs = new ArrayList<>();

    @Option(names = "--threads", description = "Generator event loop threads (default: ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--runs", description = "Runs per scenario (default: ${DEFAULT-VALUE}).")
    int runs = 3;

    @Option(names = "--warmup", description = "Seconds of load before measuring (default: ${DEFAULT-VALUE}).")
    int warmupSeconds = 15;

    @Option(names = "--duration", description = "Seconds measured per run (default: ${DEFAULT-VALUE}).")
    int durationSeconds = 5;

    @Option(names = "--json", description = "Also write the report as JSON to this file.")
    Path json;

    @Option(names = "--out", description = "Directory for the PNG charts and report.md (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("bench-results");
  }

  /** Runs scenarios, prints the report and writes its files. */
  static Report execute(Common c, List<Scenario> scenarios, String command) throws Exception {
    Report report = new Report(command);
    Env.Servers servers = c.serverJar == null
        ? new Env.Servers() {
            @Override
            public ServerUnderTest get(String durability) {
              return new ServerUnderTest.Remote(c.host, c.port);
            }

            @Override
            public boolean startsServers() {
              return false;
            }
          }
        : new Env.Servers() {
            @Override
            public ServerUnderTest get(String durability) throws Exception {
              return ServerProcess.start(c.serverJar, durability == null ? c.durability : durability,
                  c.ioThreads, c.serverJvmArgs, c.serverArgs);
            }

            @Override
            public boolean startsServers() {
              return true;
            }
          };
    if (c.serverJar != null && !Files.isRegularFile(c.serverJar)) {
      throw new CommandLine.ParameterException(new CommandLine(new BenchMain()),
          "server jar not found: " + c.serverJar + " (build it with ./mvnw -pl server -am package)");
    }
    try (LoadClient client = new LoadClient(c.threads)) {
      Wire.cmids = c.cmids;
      Env env = new Env(client, servers, Duration.ofSeconds(c.warmupSeconds), Duration.ofSeconds(c.durationSeconds));
      for (Scenario s : scenarios) {
        List<RunResult> runs = new ArrayList<>();
        for (int i = 1; i <= c.runs; i++) {
          System.err.printf("[bench] %s run %d/%d: %s%n", s.name(), i, c.runs, s.description());
          RunResult r = s.run(env);
          System.err.printf("[bench]   %s%n", r.metrics);
          runs.add(r);
        }
        report.scenarios.add(new Report.ScenarioRuns(s.name(), s.description(), runs));
      }
    }
    String md = report.markdown();
    System.out.println(md);
    Files.createDirectories(c.out);
    Files.writeString(c.out.resolve("report.md"), md);
    if (c.json != null) {
      report.writeJson(c.json);
    }
    for (Path p : report.writeCharts(c.out)) {
      System.err.println("[bench] chart " + p);
    }
    return report;
  }

  abstract static class ScenarioCommand implements Callable<Integer> {
    @Mixin Common common;

    abstract List<Scenario> scenarios();

    @Override
    public Integer call() throws Exception {
      execute(common, scenarios(), "charla-bench " + String.join(" ", args));
      return 0;
    }
  }

  @Command(name = "connect", mixinStandardHelpOptions = true,
      description = "N clients connect and log in (guest, then token resume) with C in flight.")
  static final class Connect extends ScenarioCommand {
    @Option(names = "--clients", description = "Clients (default: ${DEFAULT-VALUE}).")
    int clients = 5000;

    @Option(names = "--in-flight", description = "Logins in flight (default: ${DEFAULT-VALUE}).")
    int inFlight = 100;

    @Override
    List<Scenario> scenarios() {
      return List.of(new ConnectScenario(clients, inFlight));
    }
  }

  @Command(name = "capacity", mixinStandardHelpOptions = true,
      description = "N idle sessions held with keepalive pings: server RSS per session.")
  static final class Capacity extends ScenarioCommand {
    @Option(names = "--sessions", description = "Idle sessions (default: ${DEFAULT-VALUE}).")
    int sessions = 10_000;

    @Option(names = "--hold", description = "Seconds to hold them (default: ${DEFAULT-VALUE}).")
    int holdSeconds = 15;

    @Option(names = "--transport", description = "tcp, udp, or mixed (half each) (default: ${DEFAULT-VALUE}).")
    String transport = "mixed";

    @Override
    List<Scenario> scenarios() {
      return List.of(new CapacityScenario(sessions, Duration.ofSeconds(holdSeconds), Transport.parse(transport)));
    }
  }

  @Command(name = "fanout", mixinStandardHelpOptions = true,
      description = "M members in one room, K senders as fast as the server acknowledges: deliveries/s.")
  static final class Fanout extends ScenarioCommand {
    @Option(names = "--members", split = ",", description = "Room sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> members = List.of(100, 1000);

    @Option(names = "--senders", description = "Senders (default: ${DEFAULT-VALUE}).")
    int senders = 10;

    @Option(names = "--window", description = "Unacknowledged sends per sender (default: ${DEFAULT-VALUE}).")
    int window = 16;

    @Option(names = "--transport", description = "tcp, udp, or mixed (alternate clients) (default: ${DEFAULT-VALUE}).")
    String transport = "tcp";

    @Override
    List<Scenario> scenarios() {
      Transport t = Transport.parse(transport);
      return members.stream().map(m -> (Scenario) FanoutScenario.throughput(m, senders, window, t)).toList();
    }
  }

  @Command(name = "latency", mixinStandardHelpOptions = true,
      description = "One room, paced total send rate: latency percentiles from send to receipt.")
  static final class Latency extends ScenarioCommand {
    @Option(names = "--members", description = "Room size (default: ${DEFAULT-VALUE}).")
    int members = 1000;

    @Option(names = "--rates", split = ",", description = "Total msg/s (default: ${DEFAULT-VALUE}).")
    List<Integer> rates = List.of(100, 1000);

    @Option(names = "--senders", description = "Senders (default: ${DEFAULT-VALUE}).")
    int senders = 10;

    @Option(names = "--transport", description = "tcp, udp, or mixed (alternate clients) (default: ${DEFAULT-VALUE}).")
    String transport = "tcp";

    @Option(names = "--irc-baseline", arity = "0..1", paramLabel = "NGIRCD", fallbackValue = "ngircd",
        description = "Also run each rate against an ngircd started per run from this executable (default when "
            + "given without a value: ${FALLBACK-VALUE}; Debian: apt-get install ngircd), as irc-latency-M@R: "
            + "the same generator, the same moment, an established server.")
    String ircBaseline;

    @Override
    List<Scenario> scenarios() {
      Transport t = Transport.parse(transport);
      List<Scenario> all = new ArrayList<>();
      for (int r : rates) {
        all.add(FanoutScenario.latency(members, senders, r, t));
        if (ircBaseline != null) {
          all.add(new IrcLatencyScenario(members, senders, r, ircBaseline));
        }
      }
      return all;
    }
  }

  @Command(name = "private", mixinStandardHelpOptions = true,
      description = "P pairs of private messages: ping-pong msgs/s, and latency at a paced total rate.")
  static final class Private extends ScenarioCommand {
    @Option(names = "--pairs", description = "Pairs (default: ${DEFAULT-VALUE}).")
    int pairs = 500;

    @Option(names = "--rate", description = "Total msg/s of the paced variant (default: ${DEFAULT-VALUE}).")
    int rate = 10_000;

    @Option(names = "--variants", split = ",", description = "Which variants: pingpong, paced or both "
        + "(default: ${DEFAULT-VALUE}).")
    List<String> variants = List.of("pingpong", "paced");

    @Option(names = "--irc-baseline", arity = "0..1", paramLabel = "NGIRCD", fallbackValue = "ngircd",
        description = "Also run both variants against an ngircd started per run from this executable (default "
            + "when given without a value: ${FALLBACK-VALUE}), as irc-private-pingpong and irc-private-paced@R.")
    String ircBaseline;

    @Override
    List<Scenario> scenarios() {
      for (String v : variants) {
        if (!v.equals("pingpong") && !v.equals("paced")) {
          throw new CommandLine.ParameterException(new CommandLine(this), "unknown variant: " + v
              + " (pingpong or paced)");
        }
      }
      List<Integer> rates = new ArrayList<>();
      if (variants.contains("pingpong")) {
        rates.add(0); // rate 0: ping-pong
      }
      if (variants.contains("paced")) {
        rates.add(rate);
      }
      List<Scenario> all = new ArrayList<>();
      for (int r : rates) {
        all.add(new PrivateScenario(pairs, r));
        if (ircBaseline != null) {
          all.add(new IrcPrivateScenario(pairs, r, ircBaseline));
        }
      }
      return all;
    }
  }

  @Command(name = "durability", mixinStandardHelpOptions = true,
      description = "Fan-out with --durability DURABLE vs FAST (needs --start-server): msgs/s ratio.")
  static final class Durability extends ScenarioCommand {
    @Option(names = "--members", description = "Room size (default: ${DEFAULT-VALUE}).")
    int members = 100;

    @Option(names = "--senders", description = "Senders (default: ${DEFAULT-VALUE}).")
    int senders = 10;

    @Option(names = "--window", description = "Unacknowledged sends per sender (default: ${DEFAULT-VALUE}).")
    int window = 16;

    @Override
    List<Scenario> scenarios() {
      return List.of(new DurabilityScenario(FanoutScenario.throughput(members, senders, window)));
    }
  }

  @Command(name = "udp-loss", mixinStandardHelpOptions = true,
      description = "A UDP client streams private messages to a reader while the generator drops DATA datagrams: "
          + "goodput at each loss rate, its ratio to lossless, retransmissions.")
  static final class UdpLoss extends ScenarioCommand {
    @Option(names = "--loss", split = ",", description = "Loss rates in percent, each way at each UDP client; "
        + "start with 0, the reference for the ratios (default: ${DEFAULT-VALUE}).")
    List<Double> loss = List.of(0.0, 1.0, 5.0, 20.0);

    @Option(names = "--size", description = "Message text bytes (default: ${DEFAULT-VALUE}: one datagram each).")
    int size = 800;

    @Option(names = "--window", description = "Messages sent and not yet delivered (default: ${DEFAULT-VALUE}).")
    int window = 64;

    @Option(names = "--seed", description = "Seed of the loss simulator (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--reader", description = "udp (two lossy links) or tcp (one) (default: ${DEFAULT-VALUE}).")
    String reader = "udp";

    @Override
    List<Scenario> scenarios() {
      return List.of(new UdpLossScenario(loss, size, window, seed, Transport.parse(reader)));
    }
  }

  @Command(name = "udp", mixinStandardHelpOptions = true,
      description = "The UDP set: fan-out and latency over UDP at the default sizes, and udp-loss.")
  static final class Udp extends ScenarioCommand {
    @Override
    List<Scenario> scenarios() {
      List<Scenario> all = new ArrayList<>();
      Fanout f = new Fanout();
      f.transport = "udp";
      all.addAll(f.scenarios());
      Latency l = new Latency();
      l.transport = "udp";
      all.addAll(l.scenarios());
      all.addAll(new UdpLoss().scenarios());
      return all;
    }
  }

  @Command(name = "all", mixinStandardHelpOptions = true,
      description = "Every scenario at its default scale (durability only with --start-server).")
  static final class All extends ScenarioCommand {
    @Override
    List<Scenario> scenarios() {
      List<Scenario> all = new ArrayList<>();
      all.addAll(new Connect().scenarios());
      all.addAll(new Capacity().scenarios());
      all.addAll(new Fanout().scenarios());
      all.addAll(new Latency().scenarios());
      all.addAll(new Private().scenarios());
      all.addAll(new Udp().scenarios());
      if (common.serverJar != null) {
        all.addAll(new Durability().scenarios());
      }
      return all;
    }
  }

  @Command(name = "jmh", description = "JMH microbenchmarks (frame codec, reliable-UDP state machine). "
      + "Arguments go to JMH, e.g. `jmh -f 1 -wi 3 -i 5 Codec`; `jmh -h` lists them.")
  static final class Jmh implements Callable<Integer> {
    @Parameters(arity = "0..*")
    List<String> jmhArgs = new ArrayList<>();

    /** JMH's own options (-f, -wi, -l, …) are not ours to parse. */
    @CommandLine.Unmatched
    List<String> unmatched = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      List<String> all = new ArrayList<>(unmatched);
      all.addAll(jmhArgs);
      org.openjdk.jmh.Main.main(all.toArray(String[]::new));
      return 0;
    }
  }

  @Command(name = "stages", mixinStandardHelpOptions = true,
      description = {"What delayed messages waited for, from a JFR recording of a Charla server.",
          "Record one with: --server-jvm-arg=-XX:StartFlightRecording=filename=server.jfr"})
  static final class StagesCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RECORDING", description = "The server's .jfr file.")
    Path recording;

    @Option(names = "--window", description = "Seconds before the last batch to look at (default: ${DEFAULT-VALUE}: "
        + "a run's measured window).")
    double windowSeconds = 5;

    @Option(names = "--threshold-ms", description = "A wait longer than this is a delay (default: ${DEFAULT-VALUE}).")
    double thresholdMillis = 1;

    @Override
    public Integer call() {
      try {
        System.out.print(Stages.report(recording, Duration.ofNanos((long) (windowSeconds * 1e9)),
            Duration.ofNanos((long) (thresholdMillis * 1e6))));
        return 0;
      } catch (java.io.IOException e) {
        System.err.println("charla-bench stages: cannot read " + recording + " as a JFR recording: " + e);
        return 2;
      }
    }
  }

  static String[] args = new String[0];

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] argv) throws Exception {
    // Netty samples one buffer in 128 for leak tracking and records a stack trace for each: 1.5 % of the
    // generator's CPU in ping-pong (perf), which the generator takes from the server it measures. Before any Netty
    // class loads; -Dio.netty.leakDetection.level=simple brings it back.
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      System.setProperty("io.netty.leakDetection.level", "disabled");
    }
    args = argv;
    if (argv.length > 0 && argv[0].equals("jmh")) {
      // JMH parses its own options (-f 1 -wi 3 …) in their order; picocli would split them.
      org.openjdk.jmh.Main.main(java.util.Arrays.copyOfRange(argv, 1, argv.length));
      return;
    }
    System.exit(new CommandLine(new BenchMain()).execute(argv));
  }
}
