package dev.charla.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** Each OWASP-strength hash takes tens of milliseconds, so the tests share a few. */
class PasswordHasherTest {
  final PasswordHasher hasher = new PasswordHasher();

  @Test
  void rightPasswordVerifiesAndWrongOneDoesNot() {
    String encoded = hasher.hash("correct horse battery staple");

    assertThat(hasher.verify("correct horse battery staple", encoded)).isTrue();
    assertThat(hasher.verify("correct horse battery stapl", encoded)).isFalse();
    assertThat(hasher.verify("", encoded)).isFalse();
  }

  @Test
  void encodingIsAPhcStringWithOwaspParametersAndUnpaddedBase64() {
    String encoded = hasher.hash("pässwörd".toCharArray());

    assertThat(encoded).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    assertThat(hasher.verify("pässwörd".toCharArray(), encoded)).isTrue();
    assertThat(hasher.needsRehash(encoded)).isFalse();
  }

  @Test
  void saltDiffersPerHash() {
    assertThat(hasher.hash("same")).isNotEqualTo(hasher.hash("same"));
  }

  @Test
  void malformedEncodingsDoNotVerify() {
    String good = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$" + "A".repeat(43);

    assertThat(hasher.verify("x", null)).isFalse();
    assertThat(hasher.verify("x", "")).isFalse();
    assertThat(hasher.verify("x", "plaintext")).isFalse();
    assertThat(hasher.verify("x", good.replace("argon2id", "argon2i"))).isFalse();
    assertThat(hasher.verify("x", good.replace("v=19", "v=16"))).isFalse();
    assertThat(hasher.verify("x", good.replace("t=2", "t=0"))).isFalse();
    assertThat(hasher.verify("x", good.replace("m=19456", "m=99999999999"))).isFalse();
    assertThat(hasher.verify("x", good.replace("p=1", "p=1,x=2"))).isFalse();
    assertThat(hasher.verify("x", good.replace("c29tZXNhbHRzb21lc2FsdA", "!!!"))).isFalse();
    assertThat(hasher.verify("x", good + "$extra")).isFalse();
    assertThat(hasher.verify("x", good.substring(0, good.lastIndexOf('$')))).isFalse();
  }

  @Test
  void hashesMadeWithOtherParametersStillVerifyButAskForARehash() {
    PasswordHasher cheap = new PasswordHasher(new PasswordHasher.Params(1024, 1, 1, 16, 32), new SecureRandom());
    String old = cheap.hash("secret");

    assertThat(old).startsWith("$argon2id$v=19$m=1024,t=1,p=1$");
    assertThat(hasher.verify("secret", old)).isTrue();
    assertThat(hasher.needsRehash(old)).isTrue();
    assertThat(hasher.needsRehash("garbage")).isTrue();
  }

  @Test
  void parametersBelowArgon2MinimumsAreRejected() {
    assertThatThrownBy(() -> new PasswordHasher.Params(4, 1, 1, 16, 32))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("memoryKiB");
  }
}
