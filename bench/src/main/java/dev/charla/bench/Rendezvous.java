package dev.charla.bench;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/** Steps between the phases of a scenario: everyone joined, the wire quiet, a condition reached. */
final class Rendezvous {
  private Rendezvous() {}

  /** Every connection joins {@code room}; returns when all have their {@code joined} reply. */
  static void joinAll(List<LoadClient.Conn> conns, String room) throws InterruptedException {
    CountDownLatch joined = new CountDownLatch(conns.size());
    for (LoadClient.Conn c : conns) {
      c.listener = (conn, line, type) -> {
        if (type == Wire.Type.JOINED || type == Wire.Type.ERROR) {
          joined.countDown();
        }
      };
      c.write(Wire.join(room));
    }
    if (!joined.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException(joined.getCount() + " joins unanswered after 120 s");
    }
  }

  /** Waits until no frame has arrived on any connection for 300 ms (presence events from logins and joins). */
  static void quiesce(List<LoadClient.Conn> conns) throws InterruptedException {
    LongAdder frames = new LongAdder();
    for (LoadClient.Conn c : conns) {
      c.listener = (conn, line, type) -> frames.increment();
    }
    long last = -1;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      Thread.sleep(300);
      long now = frames.sum();
      if (now == last) {
        return;
      }
      last = now;
    }
  }

  /** Polls {@code done} until true or until the timeout; returns whether it became true. */
  static boolean await(BooleanSupplier done, long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }
}
