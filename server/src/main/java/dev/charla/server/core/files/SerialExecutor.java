package dev.charla.server.core.files;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs tasks one at a time, in submission order, on a shared pool: one per transfer keeps its file I/O ordered. */
final class SerialExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
  private final Executor pool;
  /** Guarded by this. */
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  /** Guarded by this: whether a drain is scheduled or running. */
  private boolean draining;

  SerialExecutor(Executor pool) {
    this.pool = pool;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      tasks.add(task);
      if (draining) {
        return;
      }
      draining = true;
    }
    pool.execute(this::drain);
  }

  private void drain() {
    // A bounded turn, then yield the pool thread so one busy transfer cannot starve the others.
    for (int i = 0; i < 64; i++) {
      Runnable task;
      synchronized (this) {
        task = tasks.poll();
        if (task == null) {
          draining = false;
          return;
        }
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("file task failed", e);
      }
    }
    pool.execute(this::drain);
  }
}
