package dev.charla.server.transport.tcp;

import io.netty.channel.EventLoop;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
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

  private LoopDrainer(EventLoop loop) {
    this.loop = loop;
  }

  /** One drainer per event loop, shared by the loop's links. */
  static final class PerLoop {
    private final ConcurrentHashMap<EventLoop, LoopDrainer> drainers = new ConcurrentHashMap<>();

    LoopDrainer of(EventLoop loop) {
      return drainers.computeIfAbsent(loop, LoopDrainer::new);
    }
  }

  void schedule(TcpSessionLink link) {
    ready.add(link);
    if (scheduled.compareAndSet(false, true)) {
      loop.execute(this);
    }
  }

  @Override
  public void run() {
    scheduled.set(false);
    TcpSessionLink link;
    while ((link = ready.poll()) != null) {
      link.drain();
    }
  }
}
