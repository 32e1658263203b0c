package dev.charla.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
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
  void anUnknownVariantIsRefused() {
    assertThatThrownBy(() -> privateScenarios("--variants", "pong"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("unknown variant: pong");
  }
}
