package dev.charla.server.transport.tcp;

import dev.charla.server.core.ChatCore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import dev.charla.server.transport.NettyTransport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;

/** The TCP listener: accepts connections on the given event loops and adapts each to a core session. */
public final class TcpServer implements AutoCloseable {
  private final Channel serverChannel;

  private TcpServer(Channel serverChannel) {
    this.serverChannel = serverChannel;
  }

  public static TcpServer bind(ChatCore core, InetSocketAddress address, EventLoopGroup boss, EventLoopGroup workers,
      NettyTransport transport)
      throws InterruptedException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(transport.serverSocketChannel())
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 << 10, 256 << 10))
            .childHandler(new TcpChannelInitializer(core));
    Channel ch = b.bind(address).sync().channel();
    return new TcpServer(ch);
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Stops accepting new connections. */
  @Override
  public void close() {
    serverChannel.close().syncUninterruptibly();
  }
}
