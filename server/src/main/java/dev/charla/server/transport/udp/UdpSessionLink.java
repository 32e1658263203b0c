package dev.charla.server.transport.udp;

import dev.charla.protocol.ClientFrame;
import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.ProtocolException;
import dev.charla.protocol.udp.DatagramCodec;
import dev.charla.protocol.udp.Packet;
import dev.charla.protocol.udp.PacketType;
import dev.charla.protocol.udp.ReliableConnection;
import dev.charla.server.core.ChatCore;
import dev.charla.server.core.Session;
import dev.charla.server.core.SessionLink;
import dev.charla.server.transport.PendingFrames;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP connection as the core sees it: a {@link ReliableConnection} driven by the UDP channel's event loop.
 * Frames from the core are queued from any thread and handed to the state machine in one drain task, which then
 * transmits whatever datagrams it produces (many frames share a datagram).
 *
 * <p>Thread rules: everything except {@link #deliver} and {@link #close} runs on {@link #loop}, which owns the
 * state machine, the timers and the migration state.
 */
final class UdpSessionLink implements SessionLink {
  private static final Logger console = LoggerFactory.getLogger("charla.console");
  private static final int CHALLENGE_BYTES = 8;
  private static final long CLOSE_GRACE_MILLIS = 2_000;

  private final UdpEndpoint endpoint;
  private final ChatCore core;
  private final FrameCodec codec;
  private final Channel channel;
  private final EventLoop loop;
  private final ReliableConnection connection;
  private final PendingFrames outbound = new PendingFrames();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final Runnable drainTask = this::drain;
  private volatile InetSocketAddress address;
  private volatile boolean closing;

  // ---- loop only ----
  private Session session;
  private ScheduledFuture<?> timer;
  private long timerAt = ReliableConnection.NEVER;
  private ScheduledFuture<?> loginTimer;
  private boolean finished;
  /** Set by {@link #close}: close as soon as everything queued has been acknowledged. */
  private boolean closeWhenFlushed;
  private InetSocketAddress challenged;
  private byte[] challenge;
  private long challengeReceivedBytes;
  private long challengeSentBytes;

  UdpSessionLink(UdpEndpoint endpoint, ChatCore core, FrameCodec codec, Channel channel,
      ReliableConnection connection, InetSocketAddress address) {
    this.endpoint = endpoint;
    this.core = core;
    this.codec = codec;
    this.channel = channel;
    this.loop = channel.eventLoop();
    this.connection = connection;
    this.address = address;
  }

  long connectionId() {
    return connection.connectionId();
  }

  /** On the loop: the core admitted the session; start its login timer. */
  void start(Session s) {
    this.session = s;
    long timeout = core.config().loginTimeout().toMillis();
    loginTimer = loop.schedule(() -> core.onLoginTimeout(s), timeout, TimeUnit.MILLISECONDS);
    rearm();
  }

  // ---- SessionLink (any thread) ----

  @Override
  public void deliver(byte[] frame) {
    write(frame);
    flush();
  }

  @Override
  public void write(byte[] frame) {
    if (!closing) {
      outbound.add(frame);
    }
  }

  @Override
  public void flush() {
    if (!outbound.isEmpty() && drainScheduled.compareAndSet(false, true)) {
      loop.execute(drainTask);
    }
  }

  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    loop.execute(() -> {
      // The state machine's close discards unsent data, so first let the last frames (an error, a bye) be
      // acknowledged, within a grace period.
      drainQueued();
      closeWhenFlushed = true;
      transmit();
      loop.schedule(() -> closeNow("closed by server"), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    });
  }

  private void closeNow(String reason) {
    if (finished) {
      return;
    }
    connection.close(0, reason, System.nanoTime());
    List<byte[]> last = connection.pollDatagrams(System.nanoTime());
    for (byte[] d : last) {
      channel.write(new DatagramPacket(Unpooled.wrappedBuffer(d), address), channel.voidPromise());
    }
    channel.flush();
    finish(reason);
  }

  @Override
  public String remoteIp() {
    return address.getAddress().getHostAddress();
  }

  @Override
  public int remotePort() {
    return address.getPort();
  }

  @Override
  public String transport() {
    return "udp";
  }

  // ---- loop ----

  private void drain() {
    drainScheduled.set(false);
    if (finished) {
      outbound.clear();
      return;
    }
    if (!drainQueued()) {
      return;
    }
    transmit();
  }

  /** Hands queued frames to the state machine; false if the client is too slow and was disconnected. */
  private boolean drainQueued() {
    long now = System.nanoTime();
    for (byte[] frame : outbound.takeAll()) {
      if (!connection.send(frame, now)) {
        if (!connection.isOpen()) {
          outbound.clear();
          return false;
        }
        closing = true;
        outbound.clear();
        connection.close(1, "slow_consumer", now);
        transmit();
        finish("slow consumer");
        return false;
      }
    }
    return true;
  }

  /** A DATA datagram for this connection arrived (possibly from another address). */
  void onDatagram(byte[] datagram, InetSocketAddress from) {
    long now = System.nanoTime();
    if (!from.equals(address)) {
      challengeNewAddress(from, datagram.length, now);
    }
    connection.receive(datagram, 0, datagram.length, now);
    byte[] message;
    while ((message = connection.pollMessage()) != null && session != null) {
      ClientFrame frame;
      try {
        frame = codec.decodeClient(message);
      } catch (ProtocolException e) {
        core.onBadFrame(session, e);
        continue;
      }
      core.onFrame(session, frame);
    }
    if (loginTimer != null && session != null && session.isLoggedIn()) {
      loginTimer.cancel(false);
      loginTimer = null;
    }
    transmit();
    checkOpen();
  }

  /**
   * A packet for this connection came from a new address: the peer may have moved (NAT rebinding, new network),
   * or someone may be spoofing. Prove the new address receives before moving there, and send it no more than
   * three times what it sent us meanwhile.
   */
  private void challengeNewAddress(InetSocketAddress from, int receivedBytes, long now) {
    if (!from.equals(challenged)) {
      challenged = from;
      challenge = new byte[CHALLENGE_BYTES];
      endpoint.random().nextBytes(challenge);
      challengeReceivedBytes = 0;
      challengeSentBytes = 0;
    }
    challengeReceivedBytes += receivedBytes;
    byte[] d = DatagramCodec.encode(new Packet.Control(PacketType.CHALLENGE, connectionId(), challenge));
    if (challengeSentBytes + d.length <= 3 * challengeReceivedBytes) {
      challengeSentBytes += d.length;
      endpoint.send(d, from);
      endpoint.countChallenge();
    }
  }

  /** A RESPONSE arrived: if it echoes our challenge from the challenged address, move there. */
  void onResponse(byte[] payload, InetSocketAddress from) {
    if (challenged != null && from.equals(challenged) && Arrays.equals(payload, challenge)) {
      InetSocketAddress old = address;
      address = from;
      challenged = null;
      challenge = null;
      endpoint.countMigration();
      console.info("move {} from {}:{} to {}:{} udp", session == null ? "-" : session.describe(),
          old.getAddress().getHostAddress(), old.getPort(), from.getAddress().getHostAddress(), from.getPort());
      transmit();
    }
  }

  private void transmit() {
    long now = System.nanoTime();
    List<byte[]> datagrams = connection.pollDatagrams(now);
    if (!datagrams.isEmpty()) {
      InetSocketAddress to = address;
      for (byte[] d : datagrams) {
        channel.write(new DatagramPacket(Unpooled.wrappedBuffer(d), to), channel.voidPromise());
      }
      channel.flush();
    }
    if (closeWhenFlushed && connection.queuedBytes() == 0 && !finished) {
      closeNow("closed by server");
      return;
    }
    rearm();
  }

  private void rearm() {
    if (finished) {
      return;
    }
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
      long delay = Math.max(0, next - System.nanoTime());
      timer = loop.schedule(this::onTimer, delay, TimeUnit.NANOSECONDS);
    }
  }

  private void onTimer() {
    timerAt = ReliableConnection.NEVER;
    timer = null;
    connection.onTimeout(System.nanoTime());
    transmit();
    checkOpen();
  }

  private void checkOpen() {
    switch (connection.state()) {
      case OPEN -> { }
      case TIMED_OUT -> finish("idle timeout");
      case CLOSED_BY_PEER -> finish("closed by client");
      case CLOSED_LOCALLY -> finish("closed by server");
    }
  }

  /** Forgets the connection and tells the core the session is gone. Idempotent. */
  void finish(String reason) {
    if (finished) {
      return;
    }
    finished = true;
    closing = true;
    if (timer != null) {
      timer.cancel(false);
    }
    if (loginTimer != null) {
      loginTimer.cancel(false);
    }
    endpoint.remove(this);
    if (session != null) {
      core.onClosed(session, reason);
    }
  }

  /** On the loop, at server shutdown: flush what is queued (the bye) and say CLOSE. */
  void shutdown() {
    drainQueued();
    transmit();
    closeNow("server shutting down");
  }
}
