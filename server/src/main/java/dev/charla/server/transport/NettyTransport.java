package dev.charla.server.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.function.Supplier;

/**
 * The Netty transport under the server's sockets: the native epoll one where it loads (Linux), NIO elsewhere.
 *
 * <p>Why epoll: for the same load the server spends less CPU (no selected-key set per wake-up, an eventfd rather
 * than a pipe to wake a loop). Measured with the bench's {@code private} scenario paced at 10 000 msg/s on the
 * project's 2-core machine, alternating runs: server CPU 85, 84 and 89 % of a core with epoll against 100, 99 and
 * 100 % with NIO in one series (a busy hour); 89, 88 and 91 % against 93, 91 and 99 % in a quieter one, together
 * with {@code WalSync}.
 */
public enum NettyTransport {
  EPOLL(EpollIoHandler::newFactory, EpollServerSocketChannel.class, EpollDatagramChannel.class),
  NIO(NioIoHandler::newFactory, NioServerSocketChannel.class, NioDatagramChannel.class);

  private final Supplier<IoHandlerFactory> handlers;
  private final Class<? extends ServerSocketChannel> serverSocket;
  private final Class<? extends DatagramChannel> datagram;

  NettyTransport(Supplier<IoHandlerFactory> handlers, Class<? extends ServerSocketChannel> serverSocket,
      Class<? extends DatagramChannel> datagram) {
    this.handlers = handlers;
    this.serverSocket = serverSocket;
    this.datagram = datagram;
  }

  /** Epoll if its native library loads here, else NIO. */
  public static NettyTransport best() {
    return Epoll.isAvailable() ? EPOLL : NIO;
  }

  public EventLoopGroup newGroup(int threads) {
    return new MultiThreadIoEventLoopGroup(threads, handlers.get());
  }

  public Class<? extends ServerSocketChannel> serverSocketChannel() {
    return serverSocket;
  }

  public Class<? extends DatagramChannel> datagramChannel() {
    return datagram;
  }
}
