package dev.charla.server.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Time that moves only when a test says so (public: whole-server tests in {@code it} pass one too). */
public final class FakeTicker implements Ticker {
  private final AtomicLong millis = new AtomicLong(1_800_000_000_000L);
  private final AtomicLong nanos = new AtomicLong(0);

  public void advance(Duration d) {
    millis.addAndGet(d.toMillis());
    nanos.addAndGet(d.toNanos());
  }

  @Override
  public long nowMillis() {
    return millis.get();
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }
}
