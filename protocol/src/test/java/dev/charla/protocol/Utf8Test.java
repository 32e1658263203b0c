package dev.charla.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8Test {
  private static int check(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      b[i] = (byte) bytes[i];
    }
    return Utf8.firstInvalid(b, 0, b.length);
  }

  @Test
  void acceptsAsciiAndMultibyte() {
    byte[] b = "añ€😀".getBytes(StandardCharsets.UTF_8);
    assertThat(Utf8.firstInvalid(b, 0, b.length)).isEqualTo(-1);
  }

  @Test
  void rejectsOverlongSurrogateTruncatedAndOutOfRange() {
    assertThat(check(0xC0, 0xAF)).isZero(); // overlong '/'
    assertThat(check(0xE0, 0x80, 0xAF)).isZero(); // overlong
    assertThat(check(0xED, 0xA0, 0x80)).isZero(); // U+D800
    assertThat(check(0x61, 0xE2, 0x82)).isEqualTo(1); // truncated
    assertThat(check(0xF4, 0x90, 0x80, 0x80)).isZero(); // > U+10FFFF
    assertThat(check(0x80)).isZero(); // stray continuation
    assertThat(check(0xFF)).isZero();
  }
}
