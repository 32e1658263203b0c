package dev.charla.server.transport.tcp;

import io.netty.channel.EventLoop;
import io.netty.util.internal.PlatformDependent;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Drains, in one task per event loop, every link of that loop that has frames waiting. When a message fans out to a
 * thousand members spread over two event loops, that is two cross-thread task submissions (and at most two
 * selector wake-ups) instead of a thousand.
 *
 * <p>Thread rules: {@link #schedule} from any thread; {@link #run} on the loop.
 */
final class LoopDrainer implements Runnable {
  private final EventLoop loop;
  private final Queue<TcpSessionLink> ready = PlatformDependent.newMpscQueue();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  /**
   * When the next pass was asked for ({@link System#nanoTime}), for {@link LoopDrainEvent} only. Written by the
   * thread whose {@link #schedule} set {@link #scheduled}, before it submits the pass; read by the pass before it
   * clears {@link #scheduled}, so no second writer can overlap the read. Plain: the submission orders it.
   */
  private long requestedNanos;
  /**
   * Links whose frames may wait up to {@link #laterNanos} for a flush to take them along, in the order they were
   * deferred (their {@code deferredSince}); see {@link #later}.
   */
  private final Queue<TcpSessionLink> waiting = PlatformDependent.newMpscQueue();
  private final AtomicBoolean timerArmed = new AtomicBoolean();
  private final long laterNanos;
  private final Runnable drainWaiting = this::drainWaiting;

  private LoopDrainer(EventLoop loop, long laterNanos) {
    this.loop = loop;
    this.laterNanos = laterNanos;
  }

  /** One drainer per event loop, shared by the loop's links. */
  static final class PerLoop {
    private final ConcurrentHashMap<EventLoop, LoopDrainer> drainers = new ConcurrentHashMap<>();
    private final long laterNanos;

    /** {@code later}: how long {@link TcpSessionLink#flushLater} may hold frames ({@code ackCoalesceDelay}). */
    PerLoop(Duration later) {
      this.laterNanos = later.toNanos();
    }

    LoopDrainer of(EventLoop loop) {
      return drainers.computeIfAbsent(loop, l -> new LoopDrainer(l, laterNanos));
    }
  }

  void schedule(TcpSessionLink link) {
    ready.add(link);
    if (scheduled.compareAndSet(false, true)) {
      requestedNanos = System.nanoTime();
      loop.execute(this);
    }
  }

  /**
   * Drains the link once it has waited the coalescing delay, unless something drains it first. Links wait in the
   * order they were deferred; one timer per loop follows the oldest. A pass takes every link within a quarter of
   * the delay of its time, so a link waits between three quarters of the delay and all of it (long enough for a
   * reply to come and take its frames along), and the timer fires at most about four times per delay.
   */
  void later(TcpSessionLink link) {
    waiting.add(link);
    if (timerArmed.compareAndSet(false, true)) {
      loop.schedule(drainWaiting, laterNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** False when the coalescing delay is zero: {@link TcpSessionLink#flushLater} then flushes at once. */
  boolean defers() {
    return laterNanos > 0;
  }

  private void drainWaiting() {
    timerArmed.set(false);
    long horizon = System.nanoTime() + laterNanos / 4;
    for (int n = waiting.size(); n > 0; n--) {
      TcpSessionLink link = waiting.peek();
      if (link == null) {
        return;
      }
      long due = link.deferredSince + laterNanos;
      if (due - horizon > 0) {
        // Not yet. An adder may have armed a timer meanwhile (for a later time): one more pass costs nothing.
        timerArmed.set(true);
        loop.schedule(drainWaiting, due - horizon + laterNanos / 4, TimeUnit.NANOSECONDS);
        return;
      }
      waiting.poll();
      link.deferred.set(false);
      link.drainIfIdle(); // most were drained meanwhile, with the frame that came to keep them company
    }
  }

  /**
   * One pass: drains the links that were ready when it started, not those that become ready meanwhile. Those get
   * the next pass, after the loop has read its sockets again; until then their frames accumulate, so under load
   * each pass writes more frames per write() (the batching the fan-out relies on), and a stream of fan-out cannot
   * keep the loop from reading its clients.
   */
  @Override
  public void run() {
    LoopDrainEvent event = new LoopDrainEvent();
    event.begin();
    long wait = System.nanoTime() - requestedNanos;
    scheduled.set(false);
    int drained = 0;
    for (int n = ready.size(); n > 0; n--) {
      TcpSessionLink link = ready.poll();
      if (link == null) {
        break;
      }
      link.drain();
      drained++;
    }
    if (event.shouldCommit()) {
      event.wait = wait;
      event.sessions = drained;
      event.commit();
    }
  }
}
