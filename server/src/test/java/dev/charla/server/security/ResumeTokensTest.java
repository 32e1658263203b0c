package dev.charla.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResumeTokensTest {
  final ResumeTokens tokens = new ResumeTokens();

  @Test
  void tokenIs256RandomBitsInUnpaddedBase64Url() {
    String token = tokens.generate();

    assertThat(token).hasSize(ResumeTokens.TOKEN_CHARS).matches("[A-Za-z0-9_-]+");
    assertThat(Base64.getUrlDecoder().decode(token)).hasSize(32);
  }

  @Test
  void tokensDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      assertThat(seen.add(tokens.generate())).isTrue();
    }
  }

  @Test
  void hashIsAStableSha256() {
    String token = tokens.generate();

    assertThat(ResumeTokens.hash(token)).hasSize(32).isEqualTo(ResumeTokens.hash(token));
    assertThat(ResumeTokens.hash(token)).isNotEqualTo(ResumeTokens.hash(tokens.generate()));
    // SHA-256("abc"), FIPS 180-2 test vector.
    assertThat(ResumeTokens.hash("abc"))
        .asHexString()
        .isEqualToIgnoringCase("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  }
}
