package dev.charla.bench;

import dev.charla.protocol.udp.ConnectionStats;
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
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A lean UDP client connection: its own datagram socket (so each simulated client has its own source port, as
 * real clients do), the handshake of docs/PROTOCOL.md (HELLO padded to 1200 bytes, COOKIE, HELLO with the
 * cookie), then a {@link ReliableConnection} driven on the socket's event loop, as the client library's
 * {@code UdpWire} does. Frames are handed to the listener like {@link LoadClient.TcpConn}'s lines.
 *
 * <p>Datagrams from one read burst are processed before anything is transmitted, so acknowledgements and the
 * frames the listener sends in reply share datagrams ({@link #channelReadComplete}).
 *
 * <p>An optional {@link DatagramLoss} drops DATA datagrams in both directions, in the generator, before the
 * reliable connection sees them (incoming) or after it produced them (outgoing). Handshake packets are never
 * dropped: the steady state is what is measured.
 *
 * <p>Thread rules: everything but {@link #write(byte[])}, {@link #write(byte[], byte[])} and {@link #close()}
 * (which hop onto it) runs on the channel's event loop.
 */
final class UdpConn extends LoadClient.Conn {
  private static final long FIRST_HELLO_RETRY_MILLIS = 250;
  private static final long MAX_HELLO_RETRY_MILLIS = 3_000;
  private static final long HANDSHAKE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(15);

  private final long connectionId = ThreadLocalRandom.current().nextLong();
  private final double lossRate;
  private final Random lossRandom;
  private InetSocketAddress server;
  private CompletableFuture<LoadClient.Conn> opened;
  private long handshakeDeadline;
  private ReliableConnection connection;
  private byte[] cookie;
  private boolean heardData;
  private boolean ended;
  private boolean inRead;
  private boolean dirty;
  private long helloRetryMillis = FIRST_HELLO_RETRY_MILLIS;
  /** Frames sent before the server's first DATA: sent again if the server resets the unconfirmed connection. */
  private List<byte[]> greeting = new ArrayList<>();
  /** Frames the reliable connection refused (its queue was full), sent as acknowledgements free room. */
  private final ArrayDeque<byte[]> backlog = new ArrayDeque<>();
  private ScheduledFuture<?> timer;
  private long timerAt = ReliableConnection.NEVER;
  /** DATA datagrams the loss simulator dropped, outgoing and incoming. */
  long droppedOut;
  long droppedIn;
  /** Times the server reset the unconfirmed connection (our HELLO with the cookie was lost). */
  long restarts;

  UdpConn(int index, Listener listener, DatagramLoss loss) {
    super(index, listener);
    this.lossRate = loss == null ? 0 : loss.rate();
    this.lossRandom = loss == null || loss.rate() == 0 ? null : loss.randomFor(index);
  }

  @Override
  String transport() {
    return "udp";
  }

  /** Binds a socket and starts the handshake; completes once the reliable connection has started. */
  CompletableFuture<LoadClient.Conn> open(Bootstrap bootstrap, String host, int port) {
    opened = new CompletableFuture<>();
    server = new InetSocketAddress(host, port);
    ChannelFuture f = bootstrap.handler(this).bind(0);
    channel = f.channel();
    f.addListener((ChannelFuture done) -> {
      if (done.isSuccess()) {
        handshakeDeadline = System.nanoTime() + HANDSHAKE_TIMEOUT_NANOS;
        sendHello();
      } else {
        opened.completeExceptionally(done.cause());
      }
    });
    return opened;
  }

  /** Step 1 (or 3, once the cookie is known), repeated with backoff until the server answers. */
  private void sendHello() {
    if (ended || heardData) {
      return;
    }
    if (System.nanoTime() > handshakeDeadline) {
      end();
      opened.completeExceptionally(new IllegalStateException("no UDP answer from " + server));
      return;
    }
    writeRaw(helloDatagram());
    eventLoop().schedule(this::sendHello, helloRetryMillis, TimeUnit.MILLISECONDS);
    helloRetryMillis = Math.min(MAX_HELLO_RETRY_MILLIS, helloRetryMillis * 2);
  }

  private byte[] helloDatagram() {
    byte[] payload = new byte[UdpLimits.MAX_DATAGRAM_BYTES - UdpLimits.FIXED_HEADER_BYTES];
    if (cookie != null) {
      System.arraycopy(cookie, 0, payload, 0, cookie.length);
    }
    return DatagramCodec.encode(new Packet.Control(PacketType.HELLO, connectionId, payload));
  }

  /** (Re)starts the reliable connection with the cookie; a restart replays the frames sent so far. */
  private void startConnection() {
    cancelTimer();
    boolean first = connection == null;
    connection = new ReliableConnection(connectionId, ReliableConfig.defaults(), System.nanoTime());
    helloRetryMillis = FIRST_HELLO_RETRY_MILLIS;
    if (first) {
      sendHello();
      opened.complete(this);
    } else {
      restarts++;
      writeRaw(helloDatagram());
      backlog.clear();
      for (byte[] m : greeting) {
        enqueue(m);
      }
      transmit();
    }
  }

  @Override
  void write(byte[] line) {
    if (eventLoop().inEventLoop()) {
      writeLater(line);
      if (!inRead) {
        transmit();
      }
    } else {
      eventLoop().execute(() -> write(line));
    }
  }

  @Override
  void write(byte[] a, byte[] b) {
    if (eventLoop().inEventLoop()) {
      writeLater(a);
      write(b);
    } else {
      eventLoop().execute(() -> write(a, b));
    }
  }

  @Override
  void writeLater(byte[] line) {
    if (ended || connection == null) {
      return;
    }
    // A UDP message is the frame without the newline that ends a TCP line.
    byte[] m = line[line.length - 1] == '\n' ? Arrays.copyOf(line, line.length - 1) : line;
    if (greeting != null) {
      greeting.add(m);
    }
    enqueue(m);
  }

  private void enqueue(byte[] m) {
    if (!backlog.isEmpty() || !connection.send(m, System.nanoTime())) {
      backlog.add(m);
    }
    dirty = true;
  }

  @Override
  void flush() {
    if (!inRead) {
      transmit();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    DatagramPacket packet = (DatagramPacket) msg;
    try {
      inRead = true;
      if (!ended && server.equals(packet.sender())) {
        onDatagram(packet.content());
      }
    } finally {
      packet.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    inRead = false;
    if (dirty) {
      transmit();
    }
  }

  private void onDatagram(ByteBuf content) {
    int length = content.readableBytes();
    if (length > UdpLimits.MAX_DATAGRAM_BYTES || length < 4) {
      return;
    }
    byte[] bytes = new byte[length];
    content.getBytes(content.readerIndex(), bytes);
    if ((bytes[3] & 0xFF) == PacketType.DATA.wire()) {
      if (connection == null) {
        return;
      }
      if (lossRandom != null && lossRandom.nextDouble() < lossRate) {
        droppedIn++;
        return;
      }
      connection.receive(bytes, 0, length, System.nanoTime());
      if (!heardData && connection.state() == ReliableConnection.State.CLOSED_BY_PEER) {
        startConnection(); // the server reset a connection it never saw: our HELLO with the cookie was lost
        return;
      }
      heardData = true;
      greeting = null;
      dirty = true;
      byte[] m;
      while ((m = connection.pollMessage()) != null) {
        ByteBuf line = Unpooled.wrappedBuffer(m);
        listener.onLine(this, line, Wire.type(line));
      }
      return;
    }
    Packet p;
    try {
      p = DatagramCodec.decode(bytes, 0, length);
    } catch (MalformedDatagramException e) {
      return;
    }
    if (p instanceof Packet.Control control && control.connectionId() == connectionId) {
      // Only the first cookie counts: a second one answers a repeated HELLO, and the server ignores repeated
      // HELLOs of a connection it has, so restarting on it would desynchronise the packet numbers.
      if (control.type() == PacketType.COOKIE && cookie == null) {
        cookie = control.payload();
        startConnection();
      } else if (control.type() == PacketType.CHALLENGE) {
        writeRaw(DatagramCodec.encode(new Packet.Control(PacketType.RESPONSE, connectionId, control.payload())));
      }
    }
  }

  private void transmit() {
    dirty = false;
    if (connection == null || ended) {
      return;
    }
    long now = System.nanoTime();
    while (!backlog.isEmpty() && connection.send(backlog.peek(), now)) {
      backlog.poll();
    }
    List<byte[]> datagrams = connection.pollDatagrams(now);
    int written = 0;
    for (byte[] d : datagrams) {
      if (lossRandom != null && lossRandom.nextDouble() < lossRate) {
        droppedOut++;
        continue;
      }
      channel.write(new DatagramPacket(Unpooled.wrappedBuffer(d), server), channel.voidPromise());
      written++;
    }
    if (written > 0) {
      channel.flush();
    }
    rearm();
    if (connection.state() != ReliableConnection.State.OPEN) {
      end();
    }
  }

  private void writeRaw(byte[] datagram) {
    if (channel.isActive()) {
      channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(datagram), server), channel.voidPromise());
    }
  }

  private void rearm() {
    long next = connection.nextTimeoutNanos();
    if (next == timerAt) {
      return;
    }
    cancelTimer();
    timerAt = next;
    if (next != ReliableConnection.NEVER) {
      timer = eventLoop().schedule(() -> {
        timerAt = ReliableConnection.NEVER;
        timer = null;
        if (!ended) {
          transmit(); // pollDatagrams runs the due timers first
        }
      }, Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    timerAt = ReliableConnection.NEVER;
  }

  private void end() {
    if (ended) {
      return;
    }
    ended = true;
    cancelTimer();
    channel.close();
    listener.onClosed(this);
  }

  /** Sends a CLOSE (best effort, it may be dropped like any datagram) and closes the socket. */
  @Override
  void close() {
    if (!eventLoop().inEventLoop()) {
      eventLoop().execute(this::close);
      return;
    }
    if (!ended && connection != null && connection.isOpen()) {
      connection.close(0, "bye", System.nanoTime());
      transmit(); // sends the CLOSE, sees the state change, ends
    }
    end();
  }

  /** The reliable connection's counters, read on its event loop; null before the handshake. */
  ConnectionStats stats() {
    if (eventLoop().inEventLoop()) {
      return connection == null ? null : connection.stats();
    }
    return CompletableFuture.supplyAsync(this::stats, eventLoop()).join();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A datagram socket survives an ICMP error (e.g. port unreachable while the server starts); keep going.
  }
}
