package dev.charla.server.core;

/**
 * A token bucket: {@code capacity} tokens, refilled at {@code perSecond}. Time is passed in (nanoseconds from
 * any fixed origin) so tests drive it with a fake clock. Not thread-safe: each bucket has one owner, or callers
 * synchronize on it.
 */
public final class TokenBucket {
  private final double capacity;
  private final double perNano;
  private double tokens;
  private long last;

  public TokenBucket(double capacity, double perSecond, long nowNanos) {
    this.capacity = capacity;
    this.perNano = perSecond / 1e9;
    this.tokens = capacity;
    this.last = nowNanos;
  }

  /** Takes one token if available. */
  public boolean tryTake(long nowNanos) {
    refill(nowNanos);
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /** Whether a token is available, without taking it. */
  public boolean hasToken(long nowNanos) {
    refill(nowNanos);
    return tokens >= 1;
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - last;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * perNano);
      last = nowNanos;
    }
  }
}
