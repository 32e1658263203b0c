package dev.charla.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class NamesTest {
  /** The rules as PROTOCOL.md states them; the checks are written out by hand and must agree. */
  private static final Pattern USER = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{1,23}");

  private static final Pattern ROOM = Pattern.compile("#[A-Za-z0-9_-]{1,32}");

  @Test
  void userNames() {
    assertThat(Names.isValidUser("ana")).isTrue();
    assertThat(Names.isValidUser("A-b_9")).isTrue();
    assertThat(Names.isValidUser("a".repeat(24))).isTrue();
    assertThat(Names.isValidUser("a".repeat(25))).isFalse();
    assertThat(Names.isValidUser("a")).isFalse();
    assertThat(Names.isValidUser("9lives")).isFalse();
    assertThat(Names.isValidUser("_ana")).isFalse();
    assertThat(Names.isValidUser("an a")).isFalse();
    assertThat(Names.isValidUser("añа")).isFalse();
    assertThat(Names.isValidUser("")).isFalse();
    assertThat(Names.isValidUser(null)).isFalse();
  }

  @Test
  void roomNames() {
    assertThat(Names.isValidRoom("#lobby")).isTrue();
    assertThat(Names.isValidRoom("#1")).isTrue();
    assertThat(Names.isValidRoom("#" + "x".repeat(32))).isTrue();
    assertThat(Names.isValidRoom("#" + "x".repeat(33))).isFalse();
    assertThat(Names.isValidRoom("#")).isFalse();
    assertThat(Names.isValidRoom("lobby")).isFalse();
    assertThat(Names.isValidRoom("#a b")).isFalse();
    assertThat(Names.isValidRoom("##")).isFalse();
    assertThat(Names.isValidRoom(null)).isFalse();
  }

  @Test
  void agreeWithTheRegularExpressionsOnRandomStrings() {
    long seed = System.nanoTime();
    System.out.println("NamesTest seed " + seed);
    Random random = new Random(seed);
    String alphabet = "aZ09_-#. é";
    for (int n = 0; n < 200_000; n++) {
      StringBuilder b = new StringBuilder();
      int length = random.nextInt(36);
      for (int i = 0; i < length; i++) {
        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String s = b.toString();
      assertThat(Names.isValidUser(s)).as("user '%s' (seed %d)", s, seed).isEqualTo(USER.matcher(s).matches());
      assertThat(Names.isValidRoom(s)).as("room '%s' (seed %d)", s, seed).isEqualTo(ROOM.matcher(s).matches());
    }
  }
}
