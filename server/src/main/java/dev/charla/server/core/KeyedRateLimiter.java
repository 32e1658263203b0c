package dev.charla.server.core;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per key (an IP address, an account name). Thread-safe. Memory is bounded: past
 * {@code maxKeys} keys the table is emptied, which can only make limits more lenient for a moment, never
 * block a legitimate user.
 */
final class KeyedRateLimiter {
  private static final int MAX_KEYS = 100_000;
  private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
  private final double capacity;
  private final double perSecond;
  private final Ticker ticker;

  KeyedRateLimiter(double capacity, double perSecond, Ticker ticker) {
    this.capacity = capacity;
    this.perSecond = perSecond;
    this.ticker = ticker;
  }

  /** Whether a token is available for {@code key}, without taking it. */
  boolean allows(String key) {
    TokenBucket b = buckets.get(key);
    if (b == null) {
      return true;
    }
    synchronized (b) {
      return b.hasToken(ticker.nanoTime());
    }
  }

  boolean tryTake(String key) {
    if (buckets.size() > MAX_KEYS) {
      buckets.clear();
    }
    long now = ticker.nanoTime();
    TokenBucket b = buckets.computeIfAbsent(key, k -> new TokenBucket(capacity, perSecond, now));
    synchronized (b) {
      return b.tryTake(now);
    }
  }
}
