package dev.charla.bench;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends at a fixed total rate, round-robin over the senders, on its own thread. Each message carries its
 * <em>intended</em> send time, not the time the thread got round to it, so a stall in the generator shows up
 * as latency instead of hiding it (no coordinated omission).
 */
final class Pacer implements AutoCloseable {
  private final Thread thread;
  private volatile boolean running = true;
  volatile long sent;

  Pacer(List<LoadClient.Conn> senders, double perSecond, java.util.function.LongConsumer onSend) {
    thread = new Thread(() -> {
      long t0 = System.nanoTime();
      double interval = 1e9 / perSecond;
      long i = 0;
      while (running) {
        long now = System.nanoTime();
        long due = (long) ((now - t0) / interval) + 1;
        while (i < due && running) {
          LoadClient.Conn c = senders.get((int) (i % senders.size()));
          c.write(Wire.send(c.to, t0 + (long) (i * interval)));
          onSend.accept(i);
          i++;
        }
        sent = i;
        LockSupport.parkNanos(100_000);
      }
    }, "bench-pacer");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join();
  }
}
