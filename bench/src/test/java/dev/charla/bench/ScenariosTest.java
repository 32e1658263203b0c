package dev.charla.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charla.server.ChatServer;
import dev.charla.server.core.ChatConfig;
import dev.charla.server.transport.udp.UdpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every scenario at tiny scale against an in-process server: the numbers are sane and nothing is lost. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScenariosTest {
  @TempDir static Path dir;
  static ChatServer server;
  static LoadClient client;
  static Env env;

  @BeforeAll
  static void start() throws Exception {
    server = ChatServer.start(ChatServer.Options.forTests(dir.resolve("bench.db"))
        .withConfig(ChatConfig.defaults().unlimited())
        .withUdp(UdpServer.Options.defaults().unlimited()));
    client = new LoadClient(2);
    Env.Servers inProcess = new Env.Servers() {
      @Override
      public ServerUnderTest get(String durability) {
        return new ServerUnderTest() {
          @Override
          public String host() {
            return "127.0.0.1";
          }

          @Override
          public int port() {
            return server.tcpPort();
          }

          @Override
          public OptionalLong pid() {
            return OptionalLong.empty();
          }
        };
      }

      @Override
      public boolean startsServers() {
        return false;
      }
    };
    env = new Env(client, inProcess, Duration.ofMillis(300), Duration.ofSeconds(1));
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  @Test
  void connectLogsEveryClientInTwice() throws Exception {
    RunResult r = new ConnectScenario(5, 2).run(env);
    assertThat(r.get("guest logins/s")).isPositive();
    assertThat(r.get("resume logins/s")).isPositive();
    assertThat(r.get("guest failures")).isZero();
    assertThat(r.get("resume failures")).isZero();
    assertThat(r.get("generator CPU %")).isPositive();
  }

  @Test
  void capacityHoldsEverySessionAndGetsPongs() throws Exception {
    RunResult r = new CapacityScenario(5, Duration.ofMillis(500), Transport.TCP).run(env);
    assertThat(r.get("sessions")).isEqualTo(5);
    assertThat(r.get("failures")).isZero();
    assertThat(r.get("pings")).isGreaterThanOrEqualTo(5);
    assertThat(r.get("pongs missing")).isZero();
  }

  @Test
  void fanoutDeliversEveryMessageToEveryMemberWithoutLoss() throws Exception {
    RunResult r = FanoutScenario.throughput(5, 2, 4).run(env);
    assertThat(r.get("deliveries/s")).isPositive();
    assertThat(r.get("msgs/s")).isPositive();
    assertThat(r.get("deliveries/s")).isGreaterThanOrEqualTo(r.get("msgs/s"));
    assertThat(r.get("loss")).isZero();
    assertThat(r.get("duplicates")).isZero();
    assertThat(r.get("unacknowledged")).isZero();
  }

  @Test
  void pacedFanoutMeasuresLatency() throws Exception {
    RunResult r = FanoutScenario.latency(5, 2, 50).run(env);
    assertThat(r.get("samples")).isPositive();
    assertThat(r.get("p50 ms")).isPositive().isLessThanOrEqualTo(r.get("max ms"));
    assertThat(r.get("loss")).isZero();
  }

  @Test
  void ircBaselineDeliversEveryMessageThroughNgircd() throws Exception {
    boolean installed = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(d -> java.nio.file.Files.isExecutable(Path.of(d, "ngircd")));
    org.junit.jupiter.api.Assumptions.assumeTrue(installed,
        "ngircd is not installed (apt-get install ngircd; .ci/run installs it)");
    RunResult room = new IrcLatencyScenario(5, 2, 50, "ngircd").run(env);
    assertThat(room.get("samples")).isPositive();
    assertThat(room.get("deliveries/s")).isPositive();
    assertThat(room.get("loss")).isZero();
    // A local child process: its figures are read from /proc. (Its CPU time can be 0 at this load: 10 ms ticks.)
    assertThat(room.get("server RSS MiB")).isPositive();
    assertThat(room.get("server CPU %")).isNotNaN().isGreaterThanOrEqualTo(0);
    for (IrcPrivateScenario s : List.of(new IrcPrivateScenario(3, 0, "ngircd"), new IrcPrivateScenario(3, 200,
        "ngircd"))) {
      RunResult r = s.run(env);
      assertThat(r.get("msgs/s")).as(s.name()).isPositive();
      assertThat(r.get("loss")).as(s.name()).isZero();
    }
  }

  /** {@code bench stages} reads what the real server records: its event and field names are the server's. */
  @Test
  void stagesReadsTheServersRecording() throws Exception {
    Path file = dir.resolve("server.jfr");
    try (jdk.jfr.Recording recording = new jdk.jfr.Recording()) {
      recording.enable(Stages.BATCH);
      recording.enable(Stages.SYNC);
      recording.enable(Stages.CHECKPOINT);
      recording.enable(Stages.DRAIN);
      recording.start();
      assertThat(new PrivateScenario(3, 200).run(env).get("loss")).isZero();
      recording.stop();
      recording.dump(file);
    }

    String report = Stages.report(file, Duration.ofMinutes(10), Duration.ZERO);

    java.util.regex.Matcher turns =
        java.util.regex.Pattern.compile("last 600.0 s: ([\\d,]+) batches, ([\\d,]+) sends").matcher(report);
    assertThat(turns.find()).as(report).isTrue();
    long batches = Long.parseLong(turns.group(1).replace(",", ""));
    assertThat(batches).as(report).isPositive();
    assertThat(Long.parseLong(turns.group(2).replace(",", ""))).as(report).isGreaterThanOrEqualTo(batches);
    assertThat(report).containsPattern("\\| WAL sync \\| [1-9]");
    assertThat(report).containsPattern("\\| a drain pass's wait for its event loop \\| [1-9]");
  }

  @Test
  void privatePairsPingPongAndPacedWithoutLoss() throws Exception {
    for (PrivateScenario s : List.of(new PrivateScenario(3, 0), new PrivateScenario(3, 200))) {
      RunResult r = s.run(env);
      assertThat(r.get("msgs/s")).as(s.name()).isPositive();
      assertThat(r.get("loss")).as(s.name()).isZero();
      assertThat(r.get("duplicates")).as(s.name()).isZero();
    }
  }

  @Test
  void mixedCapacityHoldsTcpAndUdpSessions() throws Exception {
    RunResult r = new CapacityScenario(6, Duration.ofMillis(500), Transport.MIXED).run(env);
    assertThat(r.get("sessions")).isEqualTo(6);
    assertThat(r.get("failures")).isZero();
    assertThat(r.get("pongs missing")).isZero();
  }

  @Test
  void udpFanoutDeliversEveryMessageToEveryMemberWithoutLoss() throws Exception {
    RunResult r = FanoutScenario.throughput(5, 2, 4, Transport.UDP).run(env);
    assertThat(r.get("deliveries/s")).isPositive().isGreaterThanOrEqualTo(r.get("msgs/s"));
    assertThat(r.get("loss")).isZero();
    assertThat(r.get("duplicates")).isZero();
    assertThat(r.get("unacknowledged")).isZero();
    assertThat(r.get("disconnected")).isZero();
    assertThat(r.get("udp datagrams sent")).isPositive();
  }

  @Test
  void mixedPacedFanoutMeasuresLatencyWithoutLoss() throws Exception {
    RunResult r = FanoutScenario.latency(6, 2, 50, Transport.MIXED).run(env);
    assertThat(r.get("samples")).isPositive();
    assertThat(r.get("p50 ms")).isPositive().isLessThanOrEqualTo(r.get("max ms"));
    assertThat(r.get("loss")).isZero();
  }

  @Test
  void udpLossStreamsAtEveryLossRateWithoutLosingAMessage() throws Exception {
    RunResult r = new UdpLossScenario(List.of(0.0, 20.0), 800, 16, 7, Transport.UDP).run(env);
    for (String level : List.of("0% ", "20% ")) {
      assertThat(r.get(level + "msgs/s")).as(level).isPositive();
      assertThat(r.get(level + "loss")).as(level).isZero();
      assertThat(r.get(level + "duplicates")).as(level).isZero();
      assertThat(r.get(level + "unacknowledged")).as(level).isZero();
      assertThat(r.get(level + "sender datagrams / min")).as(level).isGreaterThanOrEqualTo(1);
    }
    assertThat(r.get("0% sender retransmitted")).isZero();
    assertThat(r.get("20% sender retransmitted")).isPositive();
    assertThat(r.get("20% sender dropped by simulator %")).isBetween(5.0, 40.0);
    assertThat(r.get("20% goodput / lossless")).isPositive();
  }

  @Test
  void udpLossWithATcpReader() throws Exception {
    RunResult r = new UdpLossScenario(List.of(0.0, 5.0), 800, 16, 7, Transport.TCP).run(env);
    assertThat(r.get("5% msgs/s")).isPositive();
    assertThat(r.get("5% loss")).isZero();
    assertThat(r.get("5% duplicates")).isZero();
  }

  @Test
  void reportSummarisesRunsAsMedianAndRange() {
    RunResult a = new RunResult().put("deliveries/s", 10);
    RunResult b = new RunResult().put("deliveries/s", 30);
    RunResult c = new RunResult().put("deliveries/s", 20);
    Report.Summary s = Report.summarise(List.of(a, b, c)).get("deliveries/s");
    assertThat(s).isEqualTo(new Report.Summary(20, 10, 30));
    Report report = new Report("test");
    report.scenarios.add(new Report.ScenarioRuns("fanout-100", "d", List.of(a, b, c)));
    assertThat(report.markdown()).contains("| fanout-100 | deliveries/s | 20 | 10–30 | 3 | ≥ 2,000,000 |");
  }
}
