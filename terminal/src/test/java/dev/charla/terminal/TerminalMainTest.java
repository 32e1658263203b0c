package dev.charla.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line and the paths that need no server. */
class TerminalMainTest {

  private static Run execute(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = TerminalMain.commandLine(new TerminalMain());
    cl.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private record Run(int code, String out, String err) {}

  @Test
  void helpListsEveryOptionAndExitsZero() {
    Run run = execute("--help");
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("charla-term", "--host", "--port", "--transport", "--user", "--password-stdin", "--register")
        .contains("--guest", "--label", "charla-term/0.1", "7420");
  }

  @Test
  void userAndGuestTogetherAreABadOption() {
    Run run = execute("--user", "ana", "--guest", "bob");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("--user and --guest exclude each other");
  }

  @Test
  void registerWithoutUserIsABadOption() {
    Run run = execute("--register");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("need --user");
  }

  @Test
  void unknownTransportIsABadOption() {
    Run run = execute("--transport", "carrier-pigeon", "--guest", "ana");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("--transport");
  }

  @Test
  void transportIsCaseInsensitive() {
    TerminalMain main = new TerminalMain();
    TerminalMain.commandLine(main).parseArgs("--transport", "TCP");
    assertThat(main.transport).isEqualTo(dev.charla.client.Transport.TCP);
  }

  @Test
  void unreachableServerExitsOneWithAClearMessage() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    TerminalMain main = new TerminalMain(new ByteArrayInputStream(new byte[0]), Clock.systemUTC());
    TerminalMain.commandLine(main).parseArgs("--port", Integer.toString(closedPort), "--guest", "ana");
    try (ScriptedTerminal term = new ScriptedTerminal()) {
      int code = term.start(main, null).get(30, TimeUnit.SECONDS);
      assertThat(code).isEqualTo(TerminalMain.EXIT_UNREACHABLE);
      assertThat(term.output()).contains("!! cannot reach localhost:" + closedPort).doesNotContain("disconnected");
    }
  }

  @Test
  void passwordFromStdinIsTheFirstLineOnly() throws IOException {
    ByteArrayInputStream in = new ByteArrayInputStream("s3cret pass\r\nrest".getBytes(StandardCharsets.UTF_8));
    assertThat(TerminalMain.firstLine(in)).isEqualTo("s3cret pass");
    assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("rest");
  }
}
