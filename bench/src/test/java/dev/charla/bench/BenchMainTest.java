package dev.charla.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchMainTest {
  static List<String> privateScenarios(String... args) {
    BenchMain.Private command = new BenchMain.Private();
    new CommandLine(command).parseArgs(args);
    return command.scenarios().stream().map(Scenario::name).toList();
  }

  @Test
  void privateRunsBothVariantsUnlessToldWhich() {
    assertThat(privateScenarios()).containsExactly("private-pingpong", "private-paced@10000");
    assertThat(privateScenarios("--variants", "paced", "--rate", "500")).containsExactly("private-paced@500");
    assertThat(privateScenarios("--variants", "pingpong")).containsExactly("private-pingpong");
  }

  @Test
  void stagesRefusesAFileThatIsNotARecordingWithAMessage(@TempDir Path dir) throws Exception {
    Path notARecording = Files.writeString(dir.resolve("x.jfr"), "not a recording");
    java.io.StringWriter err = new java.io.StringWriter();
    java.io.PrintStream previous = System.err;
    int exit;
    try (java.io.PrintStream capture = new java.io.PrintStream(new java.io.OutputStream() {
          @Override
          public void write(int b) {
            err.write(b);
          }
        }, true)) {
      System.setErr(capture);
      exit = new CommandLine(new BenchMain()).execute("stages", notARecording.toString());
    } finally {
      System.setErr(previous);
    }
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("cannot read " + notARecording + " as a JFR recording");
  }

  @Test
  void anUnknownVariantIsRefused() {
    assertThatThrownBy(() -> privateScenarios("--variants", "pong"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("unknown variant: pong");
  }
}
