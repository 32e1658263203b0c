package dev.charla.server.transport.tcp;

import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.ServerFrame;
import dev.charla.server.core.SessionLink;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.internal.PlatformDependent;
import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP connection as the core sees it. Frames delivered from any thread go into a lock-free queue; one drain
 * task on the channel's event loop writes everything queued into a single buffer and flushes once. Under load
 * that puts many frames into each write() call instead of one call per frame per recipient, the machine's
 * scarcest resource.
 *
 * <p>Thread rules: {@link #deliver} and {@link #close} are called from any thread; {@link #drain} runs only on the
 * channel's event loop; {@link #scheduled} and {@link #queuedBytes} are the handoff between them.
 */
final class TcpSessionLink implements SessionLink {
  private static final byte[] SLOW_CONSUMER =
      new FrameCodec().encode(new ServerFrame.Error(null, ErrorCode.SLOW_CONSUMER,
          "you did not read fast enough; disconnected"));

  private static final int QUEUE_CHUNK = 16;
  private static final int MAX_QUEUED_FRAMES = 1 << 20;

  private final Channel channel;
  private final long maxQueuedBytes;
  private final String ip;
  private final int port;
  /**
   * Chunks of 16 slots, growing as needed: an idle session pays for 16 references, not the 1024 of the default
   * chunk (that alone would be 4-8 KiB per connection). The byte bound below disconnects long before the count
   * bound is reached.
   */
  private final Queue<byte[]> queue = PlatformDependent.newMpscQueue(QUEUE_CHUNK, MAX_QUEUED_FRAMES);
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final LoopDrainer drainer;
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
    if (!queue.offer(frame)) {
      slowConsumer = true;
      closing = true;
      channel.eventLoop().execute(this::disconnectSlowConsumer);
    }
  }

  @Override
  public void flush() {
    if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
      drainer.schedule(this);
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
    if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
      drain();
    }
  }

  /** On the event loop: writes everything queued (up to 1 MiB at a time) with one flush. */
  void drain() {
    scheduled.set(false);
    if (!channel.isActive()) {
      queue.clear();
      return;
    }
    if (!channel.isWritable()) {
      return; // resume() continues when the socket drains
    }
    int total = 0;
    int count = 0;
    // Size the buffer from what is queued now; frames arriving meanwhile go in the next drain.
    for (byte[] f : queue) {
      total += f.length + 1;
      if (++count == 4096 || total > 1 << 20) {
        break;
      }
    }
    if (count == 0) {
      return;
    }
    ByteBuf buf = channel.alloc().directBuffer(total);
    for (int i = 0; i < count; i++) {
      byte[] f = queue.poll();
      buf.writeBytes(f).writeByte('\n');
    }
    queuedBytes.addAndGet(-buf.readableBytes());
    // From this handler's context: the write skips the pipeline walk a channel-level write would do.
    ctx.writeAndFlush(buf, ctx.voidPromise());
    if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
      drainer.schedule(this);
    }
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
