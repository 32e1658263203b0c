package dev.charla.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CmidsTest {
  @Test
  void theTimeComesFirstAsNineBase36Digits() {
    assertThat(Cmids.of(1_795_307_087_989L, "x")).isEqualTo("0mwr3hit1-x");
    assertThat(Cmids.of(0, "x")).isEqualTo("000000000-x");
  }

  @Test
  void laterIdsSortAfterEarlierOnesWhateverTheirUniquePart() {
    assertThat(Cmids.of(1_795_307_087_990L, "AAAA")).isGreaterThan(Cmids.of(1_795_307_087_989L, "zzzz"));
    // across a change in the number of significant digits, thanks to the padding
    assertThat(Cmids.of(36L * 36 * 36, "a")).isGreaterThan(Cmids.of(36L * 36 * 36 - 1, "z"));
  }

  @Test
  void aClientLibraryIdFitsTheProtocolsLimit() {
    assertThat(Cmids.of(Long.MAX_VALUE / 1000, "A".repeat(16)).length()).isLessThanOrEqualTo(64);
  }
}
