package dev.charla.client.internal;

import dev.charla.client.Transport;
import dev.charla.protocol.udp.DatagramCodec;
import dev.charla.protocol.udp.MalformedDatagramException;
import dev.charla.protocol.udp.Packet;
import dev.charla.protocol.udp.PacketType;
import dev.charla.protocol.udp.ReliableConfig;
import dev.charla.protocol.udp.ReliableConnection;
import dev.charla.protocol.udp.UdpLimits;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A reliable UDP path: the handshake (HELLO, COOKIE, HELLO with the cookie), then a {@link ReliableConnection}
 * driven on the client's event loop. Until the server is reachable the HELLO is repeated with backoff, for ever
 * if {@code keepTrying} (a UDP client may start before its server), otherwise until the connect timeout.
 *
 * <p>Thread rules: everything runs on {@link #loop}.
 */
final class UdpWire implements Wire {
  private static final SecureRandom random = new SecureRandom();
  private static final long FIRST_HELLO_RETRY_MILLIS = 250;
  private static final long MAX_HELLO_RETRY_MILLIS = 3_000;

  private final EventLoop loop;
  private final Listener listener;
  private final InetSocketAddress server;
  private final long connectionId = random.nextLong();
  private final boolean keepTrying;
  private final long giveUpAtNanos;
  private Channel channel;
  private ReliableConnection connection;
  private byte[] cookie;
  private boolean heardData;
  private boolean closed;
  private long helloRetryMillis = FIRST_HELLO_RETRY_MILLIS;
  private ScheduledFuture<?> timer;
  private long timerAt = ReliableConnection.NEVER;

  private UdpWire(EventLoop loop, String host, int port, Duration connectTimeout, boolean keepTrying,
      Listener listener) {
    this.loop = loop;
    this.listener = listener;
    this.server = new InetSocketAddress(host, port);
    this.keepTrying = keepTrying;
    this.giveUpAtNanos = System.nanoTime() + connectTimeout.toNanos();
  }

  static UdpWire connect(EventLoop loop, String host, int port, Duration connectTimeout, boolean keepTrying,
      Listener listener) {
    UdpWire wire = new UdpWire(loop, host, port, connectTimeout, keepTrying, listener);
    wire.bind();
    return wire;
  }

  private void bind() {
    if (server.isUnresolved()) {
      loop.execute(() -> fail("cannot resolve " + server.getHostString()));
      return;
    }
    ChannelFuture f = new Bootstrap()
        .group(loop)
        .channel(NioDatagramChannel.class)
        .handler(new Inbound())
        .bind(0);
    channel = f.channel();
    f.addListener((ChannelFuture done) -> {
      if (done.isSuccess()) {
        sendHello();
      } else {
        fail("cannot open a UDP socket: " + done.cause());
      }
    });
  }

  private void sendHello() {
    if (closed || heardData) {
      return;
    }
    if (connection == null && !keepTrying && System.nanoTime() > giveUpAtNanos) {
      fail("cannot reach " + server.getHostString() + ":" + server.getPort() + " over UDP: no answer");
      return;
    }
    write(helloDatagram());
    loop.schedule(this::sendHello, helloRetryMillis, TimeUnit.MILLISECONDS);
    helloRetryMillis = Math.min(MAX_HELLO_RETRY_MILLIS, helloRetryMillis * 2);
  }

  /** A HELLO, with the cookie if we have one, padded to a full datagram so the server may answer it safely. */
  private byte[] helloDatagram() {
    byte[] payload = new byte[UdpLimits.MAX_DATAGRAM_BYTES - UdpLimits.FIXED_HEADER_BYTES];
    if (cookie != null) {
      System.arraycopy(cookie, 0, payload, 0, cookie.length);
    }
    return DatagramCodec.encode(new Packet.Control(PacketType.HELLO, connectionId, payload));
  }

  @Override
  public void send(byte[] frame) {
    if (connection == null || closed) {
      return;
    }
    connection.send(frame, System.nanoTime());
    transmit();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (connection != null) {
      connection.close(0, "bye", System.nanoTime());
      transmit();
    }
    fail("closed");
  }

  @Override
  public Transport transport() {
    return Transport.UDP;
  }

  private void onDatagram(byte[] bytes, InetSocketAddress from) {
    if (closed || !from.equals(server)) {
      return;
    }
    if ((bytes.length > 3) && (bytes[3] & 0xFF) == PacketType.DATA.wire()) {
      if (connection == null) {
        return;
      }
      connection.receive(bytes, 0, bytes.length, System.nanoTime());
      if (!heardData && connection.state() == ReliableConnection.State.CLOSED_BY_PEER) {
        // The server reset a connection it does not know yet: our HELLO with the cookie was lost. Start over.
        startConnection();
        return;
      }
      heardData = true;
      byte[] message;
      while ((message = connection.pollMessage()) != null) {
        listener.onFrame(this, message);
      }
      transmit();
      checkOpen();
      return;
    }
    Packet packet;
    try {
      packet = DatagramCodec.decode(bytes, 0, bytes.length);
    } catch (MalformedDatagramException e) {
      return;
    }
    if (!(packet instanceof Packet.Control control) || control.connectionId() != connectionId) {
      return;
    }
    switch (control.type()) {
      case COOKIE -> {
        if (heardData) {
          return;
        }
        // First cookie, or a fresh one because ours went stale: (re)start the connection with it.
        cookie = control.payload();
        startConnection();
      }
      case CHALLENGE ->
          // Our address changed (NAT rebinding): prove we receive here.
          write(DatagramCodec.encode(new Packet.Control(PacketType.RESPONSE, connectionId, control.payload())));
      default -> { }
    }
  }

  /**
   * Starts (or, while the server has not confirmed it yet, restarts) the reliable connection: the HELLO with the
   * cookie goes out again, and the listener is told to send its greeting again on the fresh connection.
   */
  private void startConnection() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
      timerAt = ReliableConnection.NEVER;
    }
    boolean first = connection == null;
    connection = new ReliableConnection(connectionId, ReliableConfig.defaults(), System.nanoTime());
    helloRetryMillis = FIRST_HELLO_RETRY_MILLIS;
    if (!first) {
      write(helloDatagram());
    } else {
      sendHello();
    }
    listener.onOpen(this);
  }

  private void transmit() {
    if (connection == null || channel == null) {
      return;
    }
    long now = System.nanoTime();
    List<byte[]> datagrams = connection.pollDatagrams(now);
    for (byte[] d : datagrams) {
      channel.write(new DatagramPacket(Unpooled.wrappedBuffer(d), server), channel.voidPromise());
    }
    if (!datagrams.isEmpty()) {
      channel.flush();
    }
    rearm();
  }

  private void write(byte[] datagram) {
    if (channel != null && channel.isActive()) {
      channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(datagram), server), channel.voidPromise());
    }
  }

  private void rearm() {
    long next = connection.nextTimeoutNanos();
    if (next == timerAt) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    timerAt = next;
    if (next != ReliableConnection.NEVER) {
      timer = loop.schedule(() -> {
        timerAt = ReliableConnection.NEVER;
        timer = null;
        if (!closed) {
          connection.onTimeout(System.nanoTime());
          transmit();
          checkOpen();
        }
      }, Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  private void checkOpen() {
    switch (connection.state()) {
      case OPEN -> { }
      case TIMED_OUT -> fail("the server stopped answering (UDP idle timeout)");
      case CLOSED_BY_PEER -> fail("closed by server: " + connection.peerClose().map(c -> c.reason()).orElse(""));
      case CLOSED_LOCALLY -> fail("closed");
    }
  }

  private void fail(String why) {
    if (closed) {
      return;
    }
    closed = true;
    if (timer != null) {
      timer.cancel(false);
    }
    if (channel != null) {
      channel.close();
    }
    listener.onClosed(this, why);
  }

  private final class Inbound extends SimpleChannelInboundHandler<DatagramPacket> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      ByteBuf content = packet.content();
      if (content.readableBytes() > UdpLimits.MAX_DATAGRAM_BYTES) {
        return;
      }
      byte[] bytes = new byte[content.readableBytes()];
      content.getBytes(content.readerIndex(), bytes);
      onDatagram(bytes, packet.sender());
    }
  }
}
