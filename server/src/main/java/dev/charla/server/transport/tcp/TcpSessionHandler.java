package dev.charla.server.transport.tcp;

import dev.charla.protocol.ClientFrame;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.Limits;
import dev.charla.protocol.ProtocolException;
import dev.charla.server.core.ChatCore;
import dev.charla.server.core.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adapts one TCP connection to a core {@link Session}: decodes each line into a frame and hands it to the core,
 * maps connection events (close, idle, login timeout, oversize line) to the core's vocabulary. One instance per
 * channel: it holds that connection's state.
 */
final class TcpSessionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(TcpSessionHandler.class);

  private final ChatCore core;
  private final FrameCodec codec;
  private TcpSessionLink link;
  private Session session;
  private ScheduledFuture<?> loginTimer;
  private String closeReason = "closed by client";

  private final LoopDrainer.PerLoop drainers;

  TcpSessionHandler(ChatCore core, FrameCodec codec, LoopDrainer.PerLoop drainers) {
    this.core = core;
    this.codec = codec;
    this.drainers = drainers;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    link = new TcpSessionLink(ctx, core.config().maxOutboundBytes(), drainers.of(ctx.channel().eventLoop()));
    session = core.open(link);
    if (session == null) {
      return; // refused; the link is closing
    }
    long timeout = core.config().loginTimeout().toMillis();
    loginTimer = ctx.executor().schedule(() -> core.onLoginTimeout(session), timeout, TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf line = (ByteBuf) msg;
    try {
      if (session == null || line.readableBytes() == 0 || isBlank(line)) {
        return; // blank lines are allowed (handy with nc)
      }
      byte[] bytes = ByteBufUtil.getBytes(line);
      ClientFrame frame;
      try {
        frame = codec.decodeClient(bytes);
      } catch (ProtocolException e) {
        core.onBadFrame(session, e);
        return;
      }
      core.onFrame(session, frame);
      if (session.isLoggedIn() && loginTimer != null) {
        loginTimer.cancel(false);
        loginTimer = null;
      }
    } finally {
      line.release();
    }
  }

  private static boolean isBlank(ByteBuf b) {
    for (int i = b.readerIndex(); i < b.writerIndex(); i++) {
      byte c = b.getByte(i);
      if (c != ' ' && c != '\t' && c != '\r') {
        return false;
      }
    }
    return true;
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && link != null) {
      link.resume();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      closeReason = "idle timeout";
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException && session != null) {
      closeReason = "frame too large";
      core.onBadFrame(session, new ProtocolException(ErrorCode.FRAME_TOO_LARGE,
          "frame too large (limit: " + Limits.MAX_FRAME_BYTES + " bytes per line)"));
      return;
    }
    if (cause instanceof IOException) {
      closeReason = "connection reset";
      log.debug("I/O error on {}", ctx.channel(), cause);
    } else {
      closeReason = "error";
      log.warn("unexpected error on {}", ctx.channel(), cause);
    }
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (loginTimer != null) {
      loginTimer.cancel(false);
    }
    if (session != null) {
      core.onClosed(session, link.slowConsumer ? "slow consumer" : closeReason);
    }
    ctx.fireChannelInactive();
  }
}
