package dev.charla.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Many lean protocol connections on one shared event loop group (epoll when available, else NIO): no thread per
 * client, no per-frame object model. Each {@link Conn} (a {@link TcpConn} or a {@link UdpConn}) hands its frames
 * to a {@link Conn.Listener} on its event loop.
 */
final class LoadClient implements AutoCloseable {
  private final EventLoopGroup group;
  private final Class<? extends SocketChannel> channelType;
  private final Class<? extends DatagramChannel> datagramChannelType;
  /** "epoll" or "nio". */
  final String io;

  LoadClient(int threads) {
    if (Epoll.isAvailable()) {
      group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
      channelType = EpollSocketChannel.class;
      datagramChannelType = EpollDatagramChannel.class;
      io = "epoll";
    } else {
      group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
      channelType = NioSocketChannel.class;
      datagramChannelType = NioDatagramChannel.class;
      io = "nio";
    }
  }

  /**
   * Connects; the future completes with the connection once it can carry frames: for TCP when the TCP handshake
   * is done, for UDP when the server's cookie has arrived and the reliable connection has started.
   */
  CompletableFuture<Conn> connect(String host, int port, Conn conn) {
    return switch (conn) {
      case TcpConn tcp -> connectTcp(host, port, tcp);
      case UdpConn udp -> udp.open(new Bootstrap().group(group).channel(datagramChannelType), host, port);
      default -> throw new IllegalArgumentException("unknown connection type " + conn.getClass());
    };
  }

  private CompletableFuture<Conn> connectTcp(String host, int port, TcpConn conn) {
    CompletableFuture<Conn> done = new CompletableFuture<>();
    Bootstrap b = new Bootstrap()
        .group(group)
        .channel(channelType)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(conn);
          }
        });
    ChannelFuture f = b.connect(host, port);
    f.addListener(x -> {
      if (x.isSuccess()) {
        conn.channel = f.channel();
        done.complete(conn);
      } else {
        done.completeExceptionally(x.cause());
      }
    });
    return done;
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /**
   * One connection, over either transport. Its counters are confined to its event loop; read them only after
   * traffic has stopped.
   */
  abstract static class Conn extends ChannelInboundHandlerAdapter {
    interface Listener {
      /** One frame (a JSON object without its newline); {@code line} is valid only during the call. */
      void onLine(Conn c, ByteBuf line, Wire.Type type);

      default void onClosed(Conn c) {}
    }

    final int index;
    volatile Listener listener;
    volatile Channel channel;
    String name;
    String token;
    /** Highest seq seen in this connection's (single) conversation; gap and duplicate detection. */
    long lastSeq;
    long received;
    long gaps;
    long dups;
    /** Stored replies to this connection's sends. */
    long acked;
    /** Pre-encoded destination of this connection's sends (a room, or its partner in a private pair). */
    String to;

    Conn(int index, Listener listener) {
      this.index = index;
      this.listener = listener;
    }

    @Override
    public boolean isSharable() {
      return false;
    }

    /** "tcp" or "udp". */
    abstract String transport();

    /** The loop this connection's handler and counters are confined to. */
    EventLoop eventLoop() {
      return channel.eventLoop();
    }

    /** Sends one frame (a line from {@link Wire}, newline included) now; callable from any thread. */
    abstract void write(byte[] line);

    /** Sends two frames in order, together where the transport allows; callable from any thread. */
    abstract void write(byte[] a, byte[] b);

    /** Queues one frame without sending it yet; only on {@link #eventLoop()}, followed by {@link #flush}. */
    abstract void writeLater(byte[] line);

    /** Sends what {@link #writeLater} queued; only on {@link #eventLoop()}. */
    abstract void flush();

    /** Counts a delivery of {@code seq}: gaps (skipped seqs) and duplicates (seq not above the last). */
    void track(long seq) {
      received++;
      if (seq <= lastSeq) {
        dups++;
        return;
      }
      if (seq > lastSeq + 1) {
        gaps += seq - lastSeq - 1;
      }
      lastSeq = seq;
    }

    /** Starts closing; returns at once. */
    void close() {
      Channel ch = channel;
      if (ch != null) {
        ch.close();
      }
    }

    /** Closes and waits until the socket is closed. */
    void closeAndWait() {
      Channel ch = channel;
      if (ch != null) {
        close();
        ch.closeFuture().syncUninterruptibly();
      }
    }
  }

  /**
   * A TCP connection: newline-delimited frames, split here rather than by Netty's LineBasedFrameDecoder. At a
   * hundred thousand deliveries a second per core the generator must cost less than the server, so each read is
   * copied once into its loop's scratch array and every line is handed over as a view of that array (the
   * {@link Wire} scanner then reads plain bytes, not a bounds-checked derived buffer); only a partial last line
   * is kept, per connection, until the rest arrives.
   */
  static final class TcpConn extends Conn {
    private static final int MAX_LINE = 1 << 20;
    private static final byte NEWLINE = '\n';

    /** Per event loop: the bytes of the read being split, and the view handed to the listener. */
    private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>() {
      @Override
      protected Scratch initialValue() {
        return new Scratch();
      }
    };

    private static final class Scratch {
      byte[] bytes = new byte[64 * 1024];
      ByteBuf view = Unpooled.wrappedBuffer(bytes);

      void ensure(int n) {
        if (bytes.length < n) {
          bytes = Arrays.copyOf(bytes, Math.max(n, bytes.length * 2));
          view = Unpooled.wrappedBuffer(bytes);
        }
      }
    }

    /** The start of a line whose end has not arrived yet; null when none. Event loop only. */
    private byte[] partial;

    TcpConn(int index, Listener listener) {
      super(index, listener);
    }

    @Override
    String transport() {
      return "tcp";
    }

    @Override
    void write(byte[] line) {
      channel.writeAndFlush(Unpooled.wrappedBuffer(line), channel.voidPromise());
    }

    @Override
    void write(byte[] a, byte[] b) {
      channel.write(Unpooled.wrappedBuffer(a), channel.voidPromise());
      channel.writeAndFlush(Unpooled.wrappedBuffer(b), channel.voidPromise());
    }

    @Override
    void writeLater(byte[] line) {
      channel.write(Unpooled.wrappedBuffer(line), channel.voidPromise());
    }

    @Override
    void flush() {
      channel.flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      Scratch s = SCRATCH.get();
      int carried = partial == null ? 0 : partial.length;
      int total = carried + in.readableBytes();
      try {
        s.ensure(total);
        if (carried > 0) {
          System.arraycopy(partial, 0, s.bytes, 0, carried);
          partial = null;
        }
        in.readBytes(s.bytes, carried, in.readableBytes());
      } finally {
        in.release();
      }
      byte[] a = s.bytes;
      int start = 0;
      for (int i = Wire.indexOf(a, carried, total, NEWLINE); i >= 0; i = Wire.indexOf(a, i + 1, total, NEWLINE)) {
        ByteBuf line = s.view.setIndex(start, i);
        listener.onLine(this, line, Wire.type(line));
        start = i + 1;
      }
      if (start < total) {
        if (total - start > MAX_LINE) {
          ctx.close();
          return;
        }
        partial = Arrays.copyOfRange(a, start, total);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      listener.onClosed(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
