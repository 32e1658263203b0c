package dev.charla.client.internal;

import dev.charla.client.Transport;
import dev.charla.protocol.ClientFrame;
import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.Limits;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A TCP path: newline-delimited frames; pings when quiet, gives up on a silent server. */
final class TcpWire implements Wire {
  private static final long PING_INTERVAL_SECONDS = 20;
  private static final long READ_IDLE_SECONDS = 60;
  private static final byte[] PING = new FrameCodec().encode(new ClientFrame.Ping(null));

  private final Channel channel;
  private final Listener listener;

  private TcpWire(EventLoop loop, String host, int port, Duration connectTimeout, Listener listener) {
    this.listener = listener;
    Bootstrap b = new Bootstrap()
        .group(loop)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline()
                .addLast(new IdleStateHandler(READ_IDLE_SECONDS, PING_INTERVAL_SECONDS, 0, TimeUnit.SECONDS))
                .addLast(new LineBasedFrameDecoder(Limits.MAX_FRAME_BYTES, true, true))
                .addLast(new Inbound());
          }
        });
    ChannelFuture cf = b.connect(host, port);
    channel = cf.channel();
    cf.addListener((ChannelFuture done) -> {
      if (done.isSuccess()) {
        listener.onOpen(this);
      } else {
        listener.onClosed(this, "cannot reach " + host + ":" + port + ": "
            + (done.cause() == null ? "unknown" : done.cause().getMessage()));
      }
    });
  }

  static TcpWire connect(EventLoop loop, String host, int port, Duration connectTimeout, Listener listener) {
    return new TcpWire(loop, host, port, connectTimeout, listener);
  }

  @Override
  public void send(byte[] frame) {
    ByteBuf buf = channel.alloc().buffer(frame.length + 1);
    buf.writeBytes(frame).writeByte('\n');
    channel.writeAndFlush(buf, channel.voidPromise());
  }

  @Override
  public void close() {
    channel.close();
  }

  @Override
  public Transport transport() {
    return Transport.TCP;
  }

  private final class Inbound extends SimpleChannelInboundHandler<ByteBuf> {
    private boolean active;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      active = true;
      ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
      listener.onFrame(TcpWire.this, ByteBufUtil.getBytes(line));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent idle) {
        if (idle.state() == IdleState.WRITER_IDLE) {
          send(PING);
        } else if (idle.state() == IdleState.READER_IDLE) {
          ctx.close(); // the server went silent: treat as lost
        }
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (active) {
        listener.onClosed(TcpWire.this, "connection lost");
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
