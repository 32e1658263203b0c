package dev.charla.server.core;

/** The core's source of time: wall-clock millis for timestamps, monotonic nanos for rates. Injected for tests. */
public interface Ticker {
  long nowMillis();

  long nanoTime();

  Ticker SYSTEM =
      new Ticker() {
        @Override
        public long nowMillis() {
          return System.currentTimeMillis();
        }

        @Override
        public long nanoTime() {
          return System.nanoTime();
        }
      };
}
