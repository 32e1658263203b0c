package dev.charla.server.transport.tcp;

import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.ServerFrame;
import dev.charla.server.core.SessionLink;
import dev.charla.server.transport.PendingFrames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP connection as the core sees it. Frames delivered from any thread go into a {@link PendingFrames}; one drain
 * task on the channel's event loop writes everything queued into a single buffer and flushes once. Under load
 * that puts many frames into each write() call instead of one call per frame per recipient, the machine's
 * scarcest resource.
 *
 * <p>Thread rules: {@link #deliver}, {@link #write}, {@link #flush}, {@link #flushLater} and {@link #close} are
 * called from any thread; {@link #drain} runs only on the
 * channel's event loop; {@link #scheduled} and {@link #queuedBytes} are the handoff between them.
 */
final class TcpSessionLink implements SessionLink {
  private static final byte[] SLOW_CONSUMER =
      new FrameCodec().encode(new ServerFrame.Error(null, ErrorCode.SLOW_CONSUMER,
          "you did not read fast enough; disconnected"));

  private final Channel channel;
  private final long maxQueuedBytes;
  private final String ip;
  private final int port;
  private final PendingFrames queue = new PendingFrames();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final LoopDrainer drainer;
  /** Set while this link waits in its drainer's deferred queue ({@link #flushLater}); cleared by the drainer. */
  final AtomicBoolean deferred = new AtomicBoolean();
  /** When {@link #deferred} was set: written before the link is queued, read by the drainer after. */
  volatile long deferredSince;
  private final ChannelHandlerContext ctx;
  private volatile boolean closing;
  /** Set when the client stopped reading; the core will be told via channelInactive after the close. */
  volatile boolean slowConsumer;

  TcpSessionLink(ChannelHandlerContext ctx, long maxQueuedBytes, LoopDrainer drainer) {
    this.ctx = ctx;
    this.channel = ctx.channel();
    this.drainer = drainer;
    this.maxQueuedBytes = maxQueuedBytes;
    InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
    this.ip = remote.getAddress().getHostAddress();
    this.port = remote.getPort();
  }

  @Override
  public void deliver(byte[] frame) {
    write(frame);
    flush();
  }

  @Override
  public void write(byte[] frame) {
    if (closing) {
      return;
    }
    long queued = queuedBytes.addAndGet(frame.length + 1);
    if (queued > maxQueuedBytes) {
      slowConsumer = true;
      closing = true;
      channel.eventLoop().execute(this::disconnectSlowConsumer);
      return;
    }
    queue.add(frame);
  }

  @Override
  public void flush() {
    if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
      drainer.schedule(this);
    }
  }

  @Override
  public void flushLater() {
    if (!drainer.defers()) {
      flush();
      return;
    }
    if (!queue.isEmpty() && !scheduled.get() && deferred.compareAndSet(false, true)) {
      deferredSince = System.nanoTime();
      drainer.later(this);
    }
    // Already deferred: these frames go out with the earlier ones, no later than they would.
  }

  /** On the event loop, for {@link #flushLater}: drains unless a drain is already scheduled or nothing waits. */
  void drainIfIdle() {
    if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
      drain();
    }
  }

  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    // Runs after any drain already scheduled, so frames queued before close (an error, bye) still go out.
    channel.eventLoop().execute(() -> {
      if (scheduled.compareAndSet(false, true)) {
        drain();
      }
      channel.close();
    });
  }

  /** Called on the event loop when the channel becomes writable again. */
  void resume() {
    drainIfIdle();
  }

  /** On the event loop: writes everything queued with one flush. */
  void drain() {
    scheduled.set(false);
    if (!channel.isActive()) {
      queue.clear();
      return;
    }
    if (!channel.isWritable()) {
      return; // resume() continues when the socket drains; meanwhile the queue's byte bound applies
    }
    List<byte[]> frames = queue.takeAll();
    if (frames.isEmpty()) {
      return;
    }
    int total = 0;
    for (byte[] f : frames) {
      total += f.length + 1;
    }
    ByteBuf buf = channel.alloc().directBuffer(total);
    for (byte[] f : frames) {
      buf.writeBytes(f).writeByte('\n');
    }
    queuedBytes.addAndGet(-total);
    // From this handler's context: the write skips the pipeline walk a channel-level write would do.
    ctx.writeAndFlush(buf, ctx.voidPromise());
  }

  private void disconnectSlowConsumer() {
    queue.clear();
    ByteBuf buf = channel.alloc().buffer(SLOW_CONSUMER.length + 1);
    buf.writeBytes(SLOW_CONSUMER).writeByte('\n');
    channel.writeAndFlush(buf);
    channel.close();
  }

  @Override
  public String remoteIp() {
    return ip;
  }

  @Override
  public int remotePort() {
    return port;
  }

  @Override
  public String transport() {
    return "tcp";
  }
}
