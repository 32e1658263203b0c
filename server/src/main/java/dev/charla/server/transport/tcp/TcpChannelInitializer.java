package dev.charla.server.transport.tcp;

import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.Limits;
import dev.charla.server.core.ChatCore;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** The TCP pipeline, one handler per concern: idle detection, line framing, session adapter. */
final class TcpChannelInitializer extends ChannelInitializer<SocketChannel> {
  private final ChatCore core;
  private final FrameCodec codec = new FrameCodec();
  private final LoopDrainer.PerLoop drainers;

  TcpChannelInitializer(ChatCore core) {
    this.core = core;
    this.drainers = new LoopDrainer.PerLoop(core.config().ackCoalesceDelay());
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ch.pipeline()
        .addLast("idle", new IdleStateHandler(core.config().idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
        // failFast: an endless line is refused as soon as it passes the limit, not buffered to the end.
        .addLast("framer", new LineBasedFrameDecoder(Limits.MAX_FRAME_BYTES, true, true))
        .addLast("session", new TcpSessionHandler(core, codec, drainers));
  }
}
