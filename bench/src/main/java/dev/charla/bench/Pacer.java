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

  /** The frame a sender sends, carrying its intended send time. */
  interface Message {
    byte[] of(LoadClient.Conn sender, long intendedNanos);
  }

  Pacer(List<LoadClient.Conn> senders, double perSecond, java.util.function.LongConsumer onSend) {
    this(senders, perSecond, onSend, (c, t) -> Wire.send(c.to, t));
  }

  Pacer(List<LoadClient.Conn> senders, double perSecond, java.util.function.LongConsumer onSend, Message message) {
    thread = new Thread(() -> {
      long t0 = System.nanoTime();
      double interval = 1e9 / perSecond;
      long i = 0;
      while (running) {
        long now = System.nanoTime();
        long due = (long) ((now - t0) / interval) + 1;
        while (i < due && running) {
          LoadClient.Conn c = senders.get((int) (i % senders.size()));
          c.write(message.of(c, t0 + (long) (i * interval)));
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
