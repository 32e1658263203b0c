package dev.charla.server.transport.udp;

import dev.charla.protocol.udp.ReliableConfig;
import dev.charla.server.core.ChatCore;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import dev.charla.server.transport.NettyTransport;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The UDP listener: one datagram socket, one event loop, many reliable connections. */
public final class UdpServer implements AutoCloseable {

  /**
   * UDP settings.
   *
   * @param reliable the reliability layer's tuning (keepalive, idle timeout, windows)
   * @param datagramsPerSecondPerIp datagrams accepted per second from one IP (burst: twice that)
   * @param handshakesPerSecondPerIp HELLOs accepted per second from one IP (burst: twice that)
   */
  public record Options(ReliableConfig reliable, int datagramsPerSecondPerIp, int handshakesPerSecondPerIp) {
    public static Options defaults() {
      return new Options(ReliableConfig.defaults(), 5_000, 20);
    }

    public Options unlimited() {
      return new Options(reliable, 10_000_000, 1_000_000);
    }
  }

  private final Channel channel;
  private final UdpEndpoint endpoint;

  private UdpServer(Channel channel, UdpEndpoint endpoint) {
    this.channel = channel;
    this.endpoint = endpoint;
  }

  public static UdpServer bind(ChatCore core, InetSocketAddress address, EventLoopGroup group,
      NettyTransport transport, Options options)
      throws InterruptedException {
    UdpEndpoint endpoint = new UdpEndpoint(core, options);
    Bootstrap b = new Bootstrap()
        .group(group)
        .channel(transport.datagramChannel())
        .option(ChannelOption.SO_RCVBUF, 4 << 20)
        .option(ChannelOption.SO_SNDBUF, 4 << 20)
        .handler(endpoint);
    Channel ch = b.bind(address).sync().channel();
    return new UdpServer(ch, endpoint);
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Counters, read on the UDP event loop. */
  public UdpStats stats() {
    CompletableFuture<UdpStats> f = new CompletableFuture<>();
    channel.eventLoop().execute(() -> f.complete(endpoint.stats()));
    return f.join();
  }

  /** Sends every connection its pending frames and a CLOSE, then closes the socket. */
  @Override
  public void close() {
    if (channel.eventLoop().isShuttingDown()) {
      channel.close().syncUninterruptibly();
      return;
    }
    channel.eventLoop().submit(endpoint::shutdownAll).awaitUninterruptibly(5, TimeUnit.SECONDS);
    channel.close().syncUninterruptibly();
  }
}
