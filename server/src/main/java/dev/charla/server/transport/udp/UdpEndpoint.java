package dev.charla.server.transport.udp;

import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.udp.Chunk;
import dev.charla.protocol.udp.DatagramCodec;
import dev.charla.protocol.udp.MalformedDatagramException;
import dev.charla.protocol.udp.Packet;
import dev.charla.protocol.udp.PacketType;
import dev.charla.protocol.udp.ReliableConnection;
import dev.charla.protocol.udp.UdpLimits;
import dev.charla.server.core.ChatCore;
import dev.charla.server.core.Session;
import dev.charla.server.core.TokenBucket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The server's UDP socket: demultiplexes datagrams to connections by connection id, runs the handshake (stateless
 * cookie, then a connection), enforces per-address rate limits, and drops and counts whatever is malformed.
 *
 * <p>Thread rules: one instance per server, and everything in it runs on the UDP channel's event loop (one
 * thread), which also drives every {@link UdpSessionLink}: no locks are needed.
 */
final class UdpEndpoint extends SimpleChannelInboundHandler<DatagramPacket> {
  private static final int MAX_TRACKED_ADDRESSES = 100_000;
  private static final long RESET_PACKET_NUMBER_BASE = 1L << 40;

  private final ChatCore core;
  private final UdpServer.Options options;
  private final FrameCodec codec = new FrameCodec();
  private final SecureRandom random = new SecureRandom();
  private final AddressCookies cookies;
  private final Map<Long, UdpSessionLink> connections = new HashMap<>();
  private final Map<InetAddress, TokenBucket> datagramBuckets = new HashMap<>();
  private final Map<InetAddress, TokenBucket> handshakeBuckets = new HashMap<>();
  private final Map<InetAddress, TokenBucket> resetBuckets = new HashMap<>();
  private Channel channel;

  private long datagramsReceived;
  private long droppedMalformed;
  private long droppedUnknownConnection;
  private long droppedRateLimited;
  private long droppedUnpaddedHello;
  private long cookiesSent;
  private long challengesSent;
  private long migrations;
  private long resetsSent;

  UdpEndpoint(ChatCore core, UdpServer.Options options) {
    super(false);
    this.core = core;
    this.options = options;
    this.cookies = new AddressCookies(random, 30_000);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    ctx.fireChannelActive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    try {
      onDatagram(packet.content(), packet.sender());
    } finally {
      packet.release();
    }
  }

  private void onDatagram(ByteBuf content, InetSocketAddress from) {
    datagramsReceived++;
    int length = content.readableBytes();
    if (length > UdpLimits.MAX_DATAGRAM_BYTES || length < UdpLimits.FIXED_HEADER_BYTES) {
      droppedMalformed++;
      return;
    }
    if (!allow(datagramBuckets, from.getAddress(), options.datagramsPerSecondPerIp())) {
      droppedRateLimited++;
      return;
    }
    byte[] bytes = new byte[length];
    content.getBytes(content.readerIndex(), bytes);
    if ((bytes[3] & 0xFF) == PacketType.DATA.wire()) {
      OptionalLong id = DatagramCodec.peekConnectionId(bytes, 0, length);
      UdpSessionLink link = id.isPresent() ? connections.get(id.getAsLong()) : null;
      if (link == null) {
        droppedUnknownConnection++;
        if (id.isPresent()) {
          resetUnknown(id.getAsLong(), from, length);
        }
        return;
      }
      link.onDatagram(bytes, from); // the state machine validates the rest and counts what it drops
      return;
    }
    Packet decoded;
    try {
      decoded = DatagramCodec.decode(bytes, 0, length);
    } catch (MalformedDatagramException e) {
      droppedMalformed++;
      return;
    }
    if (!(decoded instanceof Packet.Control control)) {
      droppedMalformed++;
      return;
    }
    switch (control.type()) {
      case HELLO -> onHello(control, from, length);
      case RESPONSE -> {
        UdpSessionLink link = connections.get(control.connectionId());
        if (link == null) {
          droppedUnknownConnection++;
        } else {
          link.onResponse(control.payload(), from);
        }
      }
      default -> droppedMalformed++; // COOKIE and CHALLENGE only travel server → client
    }
  }

  /**
   * HELLO without a valid cookie: answer with a cookie and remember nothing. HELLO with a valid cookie: the
   * address is proven, create the connection. HELLOs must fill a whole datagram, so the cookie reply is far
   * below three times what was received.
   */
  private void onHello(Packet.Control hello, InetSocketAddress from, int length) {
    if (length < UdpLimits.MAX_DATAGRAM_BYTES) {
      droppedUnpaddedHello++;
      return;
    }
    if (!allow(handshakeBuckets, from.getAddress(), options.handshakesPerSecondPerIp())) {
      droppedRateLimited++;
      return;
    }
    long id = hello.connectionId();
    if (connections.containsKey(id)) {
      return; // a repeated HELLO of a connection that exists: its data flows already
    }
    long nowMillis = System.currentTimeMillis();
    if (!cookies.valid(hello.payload(), from, id, nowMillis)) {
      byte[] cookie = cookies.mint(from, id, nowMillis);
      send(DatagramCodec.encode(new Packet.Control(PacketType.COOKIE, id, cookie)), from);
      cookiesSent++;
      return;
    }
    ReliableConnection rc = new ReliableConnection(id, options.reliable(), System.nanoTime());
    UdpSessionLink link = new UdpSessionLink(this, core, codec, channel, rc, from);
    connections.put(id, link);
    Session session = core.open(link);
    if (session == null) {
      return; // refused: the core queued the error and closed the link
    }
    link.start(session);
  }

  /**
   * DATA for a connection the server does not know (it expired, or the server restarted): tell the client so it
   * reconnects now rather than after its own idle timeout. The reply is a CLOSE chunk in a packet numbered far
   * above anything the client has seen; it is smaller than three times the datagram that caused it, and at most
   * a few per second go to one address.
   */
  private void resetUnknown(long connectionId, InetSocketAddress from, int receivedLength) {
    if (!allow(resetBuckets, from.getAddress(), 5)) {
      return;
    }
    long packetNumber = RESET_PACKET_NUMBER_BASE + (random.nextLong() & 0xFFFF_FFFFL);
    byte[] reset = DatagramCodec.encode(new Packet.Data(connectionId, packetNumber,
        List.of(new Chunk.Close(2, "reset"))));
    if (reset.length <= 3 * receivedLength) {
      send(reset, from);
      resetsSent++;
    }
  }

  private static boolean allow(Map<InetAddress, TokenBucket> buckets, InetAddress ip, int perSecond) {
    if (buckets.size() > MAX_TRACKED_ADDRESSES) {
      buckets.clear(); // bounded memory; at worst a moment of leniency
    }
    long now = System.nanoTime();
    return buckets.computeIfAbsent(ip, k -> new TokenBucket(perSecond * 2.0, perSecond, now)).tryTake(now);
  }

  void send(byte[] datagram, InetSocketAddress to) {
    channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(datagram), to), channel.voidPromise());
  }

  void remove(UdpSessionLink link) {
    connections.remove(link.connectionId(), link);
  }

  SecureRandom random() {
    return random;
  }

  void countChallenge() {
    challengesSent++;
  }

  void countMigration() {
    migrations++;
  }

  UdpStats stats() {
    return new UdpStats(datagramsReceived, droppedMalformed, droppedUnknownConnection, droppedRateLimited,
        droppedUnpaddedHello, cookiesSent, challengesSent, migrations, resetsSent, connections.size());
  }

  /** At shutdown, on the loop: every connection flushes its queue (the bye) and sends CLOSE. */
  void shutdownAll() {
    for (UdpSessionLink link : new ArrayList<>(connections.values())) {
      link.shutdown();
    }
  }
}
