package dev.charla.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CmidWindowTest {

  @Test
  void remembersWhatWasAddedPerSender() {
    CmidWindow w = new CmidWindow(10);
    w.add("ana", "c1");
    assertThat(w.mightContain("ana", "c1")).isTrue();
    assertThat(w.mightContain("ana", "c2")).isFalse();
    assertThat(w.mightContain("bo", "c1")).as("the same cmid from someone else is another message").isFalse();
  }

  @Test
  void forgetsTheOldestWhenFull() {
    CmidWindow w = new CmidWindow(3);
    for (String cmid : new String[] {"a", "b", "c", "d"}) {
      w.add("ana", cmid);
    }
    assertThat(w.size()).isEqualTo(3);
    assertThat(w.mightContain("ana", "a")).isFalse();
    assertThat(w.mightContain("ana", "b")).isTrue();
    assertThat(w.mightContain("ana", "d")).isTrue();
  }

  @Test
  void addingOneTwiceTakesOneSlot() {
    CmidWindow w = new CmidWindow(2);
    w.add("ana", "a");
    w.add("ana", "b");
    w.add("ana", "b"); // a retry the store caught: it must not push "a" out
    assertThat(w.size()).isEqualTo(2);
    assertThat(w.mightContain("ana", "a")).isTrue();
  }

  @Test
  void keepsItsLastCapacityEntriesOverManyTurnsOfTheRing() {
    long seed = System.nanoTime();
    System.out.println("CmidWindowTest seed " + seed);
    Random random = new Random(seed);
    CmidWindow w = new CmidWindow(1_000);
    String[] added = new String[5_500];
    for (int i = 0; i < added.length; i++) {
      added[i] = Long.toString(random.nextLong(), 36) + "-" + i;
      w.add("user" + (i % 7), added[i]);
    }
    for (int i = 0; i < added.length; i++) {
      boolean recent = i >= added.length - 1_000;
      assertThat(w.mightContain("user" + (i % 7), added[i])).as("entry %d (seed %d)", i, seed).isEqualTo(recent);
    }
  }

  @Test
  void theSenderAndTheCmidAreNotJustConcatenated() {
    assertThat(CmidWindow.hash("ab", "c")).isNotEqualTo(CmidWindow.hash("a", "bc"));
    assertThat(CmidWindow.hash("ana", "x")).isNotEqualTo(CmidWindow.hash("x", "ana"));
  }

  @Test
  void refusesAnEmptyWindow() {
    assertThatThrownBy(() -> new CmidWindow(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
