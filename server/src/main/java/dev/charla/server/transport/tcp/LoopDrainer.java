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
  /** Links whose frames may wait up to {@link #laterNanos} for a flush to take them along; see {@link #later}. */
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
      loop.execute(this);
    }
  }

  /**
   * Drains the link after the coalescing delay unless something drains it first. One timer per loop, not per
   * link: links deferred while it is armed go out with it, so each waits at most the delay.
   */
  void later(TcpSessionLink link) {
    if (laterNanos == 0) {
      schedule(link);
      return;
    }
    waiting.add(link);
    if (timerArmed.compareAndSet(false, true)) {
      loop.schedule(drainWaiting, laterNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void drainWaiting() {
    timerArmed.set(false);
    for (int n = waiting.size(); n > 0; n--) {
      TcpSessionLink link = waiting.poll();
      if (link == null) {
        break;
      }
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
    scheduled.set(false);
    for (int n = ready.size(); n > 0; n--) {
      TcpSessionLink link = ready.poll();
      if (link == null) {
        break;
      }
      link.drain();
    }
  }
}
