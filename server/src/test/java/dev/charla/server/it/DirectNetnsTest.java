package dev.charla.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.charla.server.ServerMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Direct connections "remote": the server and two clients each in their own network namespace, joined by veth
 * pairs on a bridge (in a fourth namespace), with distinct addresses 10.231.0.1 (server), .2 (ana) and .3 (bob).
 * Every process is a separate JVM started with {@code ip netns exec}. Needs root and iproute2; skipped otherwise.
 */
@Timeout(150)
class DirectNetnsTest {
  private static final String SERVER_IP = "10.231.0.1";
  private static final String ANA_IP = "10.231.0.2";
  private static final String BOB_IP = "10.231.0.3";
  @TempDir Path dir;
  private final String tag = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();

  @BeforeEach
  void topology() throws Exception {
    assumeTrue(rootWithIp(), "needs root and the ip command (iproute2) for network namespaces");
    String br = ns("br");
    run("ip", "-n", br, "link", "add", "br0", "type", "bridge");
    run("ip", "-n", br, "link", "set", "br0", "up");
    String[][] hosts = {{"s", SERVER_IP}, {"a", ANA_IP}, {"b", BOB_IP}};
    for (String[] h : hosts) {
      String ns = ns(h[0]);
      String inside = "v" + h[0] + tag;
      String outside = "p" + h[0] + tag;
      run("ip", "link", "add", inside, "type", "veth", "peer", "name", outside);
      run("ip", "link", "set", inside, "netns", ns);
      run("ip", "link", "set", outside, "netns", br);
      run("ip", "-n", ns, "addr", "add", h[1] + "/24", "dev", inside);
      run("ip", "-n", ns, "link", "set", inside, "up");
      run("ip", "-n", ns, "link", "set", "lo", "up");
      run("ip", "-n", br, "link", "set", outside, "master", "br0");
      run("ip", "-n", br, "link", "set", outside, "up");
    }
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
    for (String ns : namespaces) {
      new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void directConnectionCrossesTheVethsWithTheNamespaceAddresses() throws Exception {
    startServer();

    // Direct: bob listens and dials; ana dials bob's namespace address and the one the server saw.
    Process bob = start(ns("b"), "bob", DirectPeerMain.class.getName(), SERVER_IP, "7420", "bob", "ana", "accept",
        "direct");
    Process ana = start(ns("a"), "ana", DirectPeerMain.class.getName(), SERVER_IP, "7420", "ana", "bob", "ask",
        "direct");
    String anaOut = finish(ana, "ana");
    String bobOut = finish(bob, "bob");
    assertThat(anaOut).as("ana, with bob's side:%n%s", bobOut).contains("@@ STATE DIRECT direct with bob at " + BOB_IP + ":")
        .contains("@@ PEER /" + BOB_IP + ":").contains("@@ MSG echo:hello direct").contains("@@ DONE true");
    assertThat(bobOut).contains("@@ STATE DIRECT direct with ana at " + ANA_IP + ":")
        .contains("@@ MSG hello direct").contains("@@ STATE CLOSED closed by ana");
  }

  @Test
  void directUdpCrossesTheNamespacesWithSimultaneousProbes() throws Exception {
    startServer();

    // Only UDP on both sides: each probes the other's namespace address and the one the server saw, at once.
    Process bob = start(ns("b"), "bob", DirectPeerMain.class.getName(), SERVER_IP, "7420", "bob", "ana", "accept",
        "udp");
    Process ana = start(ns("a"), "ana", DirectPeerMain.class.getName(), SERVER_IP, "7420", "ana", "bob", "ask",
        "udp");
    String anaOut = finish(ana, "ana");
    String bobOut = finish(bob, "bob");
    assertThat(anaOut).as("ana, with bob's side:%n%s", bobOut)
        .containsPattern("@@ STATE DIRECT direct with bob at " + BOB_IP.replace(".", "\\.") + ":\\d+ over udp")
        .contains("@@ PEER /" + BOB_IP + ":").contains(" UDP").contains("@@ MSG echo:hello direct")
        .contains("@@ DONE true");
    assertThat(bobOut).contains("@@ STATE DIRECT direct with ana at " + ANA_IP + ":")
        .contains("@@ MSG hello direct").contains("@@ STATE CLOSED closed by ana");
  }

  @Test
  void whenTheClientsCannotReachEachOtherBothPathsFailAndTheServerRelays() throws Exception {
    startServer();
    // No iptables here: a blackhole route in each client's namespace drops everything towards the other client,
    // TCP and UDP alike, while both still reach the server.
    run("ip", "-n", ns("a"), "route", "add", "blackhole", BOB_IP + "/32");
    run("ip", "-n", ns("b"), "route", "add", "blackhole", ANA_IP + "/32");

    Process bob = start(ns("b"), "bob", DirectPeerMain.class.getName(), SERVER_IP, "7420", "bob", "ana", "accept",
        "direct");
    Process ana = start(ns("a"), "ana", DirectPeerMain.class.getName(), SERVER_IP, "7420", "ana", "bob", "ask",
        "direct");
    String anaOut = finish(ana, "ana");
    String bobOut = finish(bob, "bob");
    assertThat(anaOut).as("ana, with bob's side:%n%s", bobOut).contains("@@ STATE RELAYED no direct path within 3000 ms")
        .doesNotContain("@@ STATE DIRECT").contains("@@ MSG echo:hello relayed").contains("@@ DONE true");
    assertThat(bobOut).contains("@@ STATE RELAYED").doesNotContain("@@ STATE DIRECT").contains("@@ MSG hello relayed");
  }

  @Test
  void withoutAPathTheServerRelaysAcrossTheNamespaces() throws Exception {
    startServer();

    // Relayed: carla has direct paths off, so dan finds nothing to dial and the server relays.
    Process carla = start(ns("b"), "carla", DirectPeerMain.class.getName(), SERVER_IP, "7420", "carla", "dan",
        "accept", "nodirect");
    Process dan = start(ns("a"), "dan", DirectPeerMain.class.getName(), SERVER_IP, "7420", "dan", "carla", "ask",
        "direct");
    String danOut = finish(dan, "dan");
    String carlaOut = finish(carla, "carla");
    assertThat(danOut).as("dan, with carla's side:%n%s", carlaOut).contains("@@ STATE RELAYED no direct path within 3000 ms")
        .contains("@@ MSG echo:hello relayed").contains("@@ DONE true");
    assertThat(carlaOut).contains("@@ STATE RELAYED direct connections are off here")
        .contains("@@ MSG hello relayed");
  }

  private void startServer() throws Exception {
    start(ns("s"), "server", ServerMain.class.getName(), "--host", "0.0.0.0", "--port", "7420",
        "--db", dir.resolve("charla.db").toString(), "--unlimited");
  }

  private String ns(String role) throws Exception {
    String name = "charla-" + tag + "-" + role;
    if (!namespaces.contains(name)) {
      run("ip", "netns", "add", name);
      namespaces.add(name);
    }
    return name;
  }

  private Process start(String ns, String label, String mainClass, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, java, "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), mainClass));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(label + ".log").toFile()).start();
    processes.add(p);
    return p;
  }

  private String finish(Process p, String label) throws Exception {
    boolean exited = p.waitFor(60, TimeUnit.SECONDS); // three JVMs start on a machine that may be busy
    String out = Files.readString(dir.resolve(label + ".log"), StandardCharsets.UTF_8);
    assertThat(exited).as("%s exited in time; its output:%n%s", label, out).isTrue();
    return out;
  }

  private static boolean rootWithIp() {
    try {
      Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      Process ip = new ProcessBuilder("ip", "-V").redirectErrorStream(true).start();
      ip.getInputStream().readAllBytes();
      return p.waitFor() == 0 && uid.equals("0") && ip.waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
