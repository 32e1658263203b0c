package dev.charla.server.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void allowsABurstThenTheSustainedRate() {
    TokenBucket b = new TokenBucket(3, 1, 0);
    assertThat(b.tryTake(0)).isTrue();
    assertThat(b.tryTake(0)).isTrue();
    assertThat(b.tryTake(0)).isTrue();
    assertThat(b.tryTake(0)).isFalse();
    assertThat(b.tryTake(SECOND / 2)).isFalse();
    assertThat(b.tryTake(SECOND)).isTrue();
    assertThat(b.tryTake(SECOND)).isFalse();
  }

  @Test
  void neverStoresMoreThanItsCapacity() {
    TokenBucket b = new TokenBucket(2, 10, 0);
    long later = 3_600 * SECOND;
    assertThat(b.tryTake(later)).isTrue();
    assertThat(b.tryTake(later)).isTrue();
    assertThat(b.tryTake(later)).isFalse();
  }

  @Test
  void aClockGoingBackwardsGrantsNothing() {
    TokenBucket b = new TokenBucket(1, 1, 10 * SECOND);
    assertThat(b.tryTake(10 * SECOND)).isTrue();
    assertThat(b.tryTake(5 * SECOND)).isFalse();
  }
}
