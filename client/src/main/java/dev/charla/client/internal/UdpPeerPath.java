package dev.charla.client.internal;

import dev.charla.client.Transport;
import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.ProtocolException;
import dev.charla.protocol.peer.PeerFrame;
import dev.charla.protocol.peer.PeerHandshake;
import dev.charla.protocol.peer.PeerProbe;
import dev.charla.protocol.udp.Chunk;
import dev.charla.protocol.udp.Packet;
import dev.charla.protocol.udp.PacketType;
import dev.charla.protocol.udp.ReliableConfig;
import dev.charla.protocol.udp.ReliableConnection;
import dev.charla.protocol.udp.UdpLimits;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP side of one direct conversation (docs/PROTOCOL.md, "UDP paths"): one socket, bound when the link is
 * asked or accepted. After {@code direct_ready} it sends authenticated probes to every UDP candidate of the peer
 * every {@link #PROBE_INTERVAL_MILLIS} ms, both ends at once, so that simple NATs on both sides open a mapping
 * for the other; it answers the peer's probes (also from addresses the peer did not report: what a NAT made of
 * them). The requester picks the first address whose probe proved the secret with {@code PEER_USE}; the accepter
 * confirms with its own. Then {@link PeerFrame}s travel as messages of a {@link ReliableConnection} (the same
 * state machine as the client-server UDP transport), ordered, without loss or duplicates, to that address only.
 *
 * <p>Thread rules: one virtual thread receives datagrams and runs timers (probes, the reliable connection's
 * timers); {@link #send} may be called from any thread. All state is guarded by {@code this}. Calls into the
 * {@link Owner} are made without holding the lock, so the owner may hold its own lock while calling
 * {@link #send} or {@link #close}.
 */
final class UdpPeerPath implements PeerPath {
  private static final Logger log = LoggerFactory.getLogger(UdpPeerPath.class);
  static final long PROBE_INTERVAL_MILLIS = 150;
  /** Addresses probed at most: the peer's candidates plus addresses its probes came from. */
  private static final int MAX_TARGETS = 16;
  private static final long TICK_MILLIS = 50;
  private static final long SEND_WAIT_MILLIS = 10_000;

  /** What the path reports to its conversation. */
  interface Owner {
    /** Role a: a probe from {@code path}'s candidate address proved the secret; may it be the one? */
    boolean tentative(PeerPath path);

    /** Role a: b confirmed the UDP address. */
    boolean confirm(PeerPath path);

    /** Role b: a picked this UDP address; true if it is taken (nothing else chosen yet). */
    boolean choose(PeerPath path);

    void onFrame(PeerPath path, PeerFrame frame);

    /** The path ended: {@code byPeer} if the peer closed it (with its reason), else timed out or broken. */
    void onClosed(PeerPath path, String reason, boolean byPeer);
  }

  private final DatagramSocket socket;
  private final FrameCodec codec;
  private final Owner owner;
  private final char role;
  private final char peerRole;
  private final byte[] myNonce = new byte[PeerProbe.NONCE_BYTES];

  // ---- guarded by this ----
  private String secret;
  private long connectionId;
  private byte[] peerNonce;
  private final Set<InetSocketAddress> targets = new LinkedHashSet<>();
  private InetSocketAddress tentativeRemote;
  private InetSocketAddress remote;
  private ReliableConnection conn;
  private long nextProbeNanos;
  private long probeUntilNanos;
  private boolean closed;
  private boolean closeReported;

  UdpPeerPath(FrameCodec codec, Owner owner, String role) throws IOException {
    this.socket = new DatagramSocket(0);
    this.codec = codec;
    this.owner = owner;
    this.role = role.charAt(0);
    this.peerRole = this.role == 'a' ? 'b' : 'a';
    System.arraycopy(Base64.getDecoder().decode(PeerHandshake.nonce()), 0, myNonce, 0, myNonce.length);
  }

  int localPort() {
    return socket.getLocalPort();
  }

  /** Starts probing {@code candidates} with the link's secret for at most {@code probeFor}, and receiving. */
  void start(String secret, List<InetSocketAddress> candidates, long probeForMillis) {
    synchronized (this) {
      this.secret = secret;
      this.connectionId = PeerProbe.connectionId(secret);
      for (InetSocketAddress c : candidates) {
        if (targets.size() < MAX_TARGETS) {
          targets.add(c);
        }
      }
      long now = System.nanoTime();
      nextProbeNanos = now;
      probeUntilNanos = now + TimeUnit.MILLISECONDS.toNanos(probeForMillis);
    }
    Thread.ofVirtual().name("charla-direct-udp").start(this::run);
  }

  @Override
  public Transport kind() {
    return Transport.UDP;
  }

  @Override
  public synchronized InetSocketAddress remote() {
    return remote;
  }

  @Override
  public void send(PeerFrame frame) throws IOException {
    byte[] bytes = codec.encode(frame);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SEND_WAIT_MILLIS);
    synchronized (this) {
      while (true) {
        if (conn == null || !conn.isOpen()) {
          throw new IOException("the UDP path is closed");
        }
        if (conn.send(bytes, System.nanoTime())) {
          break;
        }
        // The peer has not acknowledged 1 MiB yet: wait for acknowledgements (the receiver thread notifies).
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException("the peer acknowledges nothing");
        }
        try {
          wait(Math.max(1, Math.min(TICK_MILLIS, TimeUnit.NANOSECONDS.toMillis(left))));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted");
        }
      }
      flush();
    }
  }

  @Override
  public void close() {
    close("closed");
  }

  /** Closes; if the reliable connection is open, one CLOSE with {@code reason} tells the peer. */
  void close(String reason) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      closeReported = true;
      if (conn != null && conn.isOpen()) {
        conn.close(0, reason == null ? "" : reason, System.nanoTime());
        flush();
      }
      notifyAll();
    }
    socket.close();
  }

  // ---- the receiver thread ----

  private void run() {
    byte[] buf = new byte[UdpLimits.MAX_DATAGRAM_BYTES + 1];
    DatagramPacket packet = new DatagramPacket(buf, buf.length);
    while (!socket.isClosed()) {
      try {
        socket.setSoTimeout((int) waitMillis());
        packet.setLength(buf.length);
        socket.receive(packet);
        onDatagram(Arrays.copyOf(buf, packet.getLength()), (InetSocketAddress) packet.getSocketAddress());
      } catch (SocketTimeoutException timeout) {
        // timers below
      } catch (IOException e) {
        if (!socket.isClosed()) {
          log.debug("direct UDP socket failed", e);
          report("UDP socket failed: " + e.getMessage(), false);
        }
        return;
      }
      tick();
    }
  }

  private synchronized long waitMillis() {
    long now = System.nanoTime();
    long until = conn != null ? Math.min(conn.nextTimeoutNanos(), now + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS))
        : Math.min(nextProbeNanos, now + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - now));
  }

  /** Timers: probes (and a's repeated USE) while connecting; the reliable connection's timers once connected. */
  private void tick() {
    synchronized (this) {
      if (closed) {
        return;
      }
      long now = System.nanoTime();
      if (conn == null && secret != null && now >= nextProbeNanos && now < probeUntilNanos) {
        nextProbeNanos = now + TimeUnit.MILLISECONDS.toNanos(PROBE_INTERVAL_MILLIS);
        byte[] probe = probe(PacketType.PEER_PROBE);
        for (InetSocketAddress t : targets) {
          write(probe, t);
        }
        if (tentativeRemote != null) {
          write(probe(PacketType.PEER_USE), tentativeRemote);
        }
      }
      if (conn != null) {
        flush();
      }
    }
    checkEnded();
  }

  private void onDatagram(byte[] d, InetSocketAddress from) {
    if (d.length > UdpLimits.MAX_DATAGRAM_BYTES || d.length < UdpLimits.FIXED_HEADER_BYTES) {
      return;
    }
    boolean data = (d[3] & 0xFF) == PacketType.DATA.wire();
    List<PeerFrame> frames = new ArrayList<>();
    boolean confirmA = false;
    synchronized (this) {
      if (closed || secret == null) {
        return;
      }
      if (data) {
        if (conn == null && role == 'a' && from.equals(tentativeRemote)) {
          // b chose us and already talks, but its USE got lost: its data is the confirmation.
          confirmA = startConnection(from);
        }
        if (conn == null || !from.equals(remote)) {
          return;
        }
        long now = System.nanoTime();
        conn.receive(d, 0, d.length, now);
        byte[] m;
        while ((m = conn.pollMessage()) != null) {
          try {
            frames.add(codec.decodePeer(m));
          } catch (ProtocolException e) {
            log.debug("undecodable peer frame over UDP: {}", e.getMessage());
          }
        }
        flush();
        notifyAll(); // acknowledgements may have made room for a waiting sender
      }
    }
    if (confirmA && !owner.confirm(this)) {
      close();
      return;
    }
    if (data) {
      for (PeerFrame f : frames) {
        owner.onFrame(this, f);
      }
      checkEnded();
      return;
    }
    onControl(d, from);
  }

  /** A probe or use from the peer (or anyone: everything is checked). */
  private void onControl(byte[] d, InetSocketAddress from) {
    Packet.Control c;
    PeerProbe p;
    boolean proven;
    synchronized (this) {
      c = PeerProbe.control(d, d.length, connectionId);
      p = c == null ? null : PeerProbe.decode(c.payload());
      if (p == null || p.role() != peerRole) {
        return;
      }
      if (peerNonce == null) {
        peerNonce = p.nonce();
      } else if (!Arrays.equals(peerNonce, p.nonce())) {
        return; // not this link's peer (or a replay from another link)
      }
      if (targets.size() < MAX_TARGETS) {
        targets.add(from); // what the peer's NAT made of its address: answer there too
      }
      proven = p.proves(secret, c.type(), myNonce);
      if (c.type() == PacketType.PEER_PROBE) {
        if (p.proof() == null || !proven) {
          write(probe(PacketType.PEER_PROBE), from); // it does not know our nonce yet: answer at once
        }
        if (!proven || role != 'a' || tentativeRemote != null || conn != null) {
          return;
        }
        tentativeRemote = from;
      } else if (!proven) {
        return;
      } else if (role == 'b' && conn != null) {
        if (from.equals(remote)) {
          write(probe(PacketType.PEER_USE), from); // a missed our confirmation
        }
        return;
      } else if (role == 'a') {
        if (conn != null || !from.equals(tentativeRemote)) {
          return;
        }
      }
    }
    if (c.type() == PacketType.PEER_PROBE) {
      // Role a, first proven address: pick it unless another path already won.
      if (owner.tentative(this)) {
        synchronized (this) {
          write(probe(PacketType.PEER_USE), from);
        }
      } else {
        synchronized (this) {
          tentativeRemote = null;
        }
      }
      return;
    }
    if (role == 'a') {
      boolean started;
      synchronized (this) {
        started = startConnection(from);
      }
      if (started && !owner.confirm(this)) {
        close();
      }
      return;
    }
    // Role b: a picked this address.
    synchronized (this) {
      if (!startConnection(from)) {
        return;
      }
    }
    if (owner.choose(this)) {
      synchronized (this) {
        write(probe(PacketType.PEER_USE), from);
      }
    } else {
      synchronized (this) {
        conn = null;
        remote = null;
      }
    }
  }

  /** Under the lock: the reliable connection to {@code to}, unless there already is one. */
  private boolean startConnection(InetSocketAddress to) {
    if (conn != null || closed) {
      return false;
    }
    remote = to;
    conn = new ReliableConnection(connectionId, ReliableConfig.defaults(), System.nanoTime());
    return true;
  }

  private byte[] probe(PacketType type) {
    byte[] proof = peerNonce == null ? null : PeerProbe.prove(secret, role, type, peerNonce);
    return new PeerProbe(role, myNonce, proof).encode(type, connectionId);
  }

  /** Under the lock: sends what the reliable connection has to send. */
  private void flush() {
    if (conn == null) {
      return;
    }
    for (byte[] d : conn.pollDatagrams(System.nanoTime())) {
      write(d, remote);
    }
  }

  private void write(byte[] d, InetSocketAddress to) {
    try {
      socket.send(new DatagramPacket(d, d.length, to));
    } catch (IOException e) {
      log.debug("direct UDP send to {} failed: {}", to, e.toString()); // unreachable candidate: normal
    }
  }

  /** Reports once that the reliable connection ended by itself (peer CLOSE or idle timeout). */
  private void checkEnded() {
    String reason;
    boolean byPeer;
    synchronized (this) {
      if (conn == null || conn.isOpen() || closeReported) {
        return;
      }
      closeReported = true;
      byPeer = conn.state() == ReliableConnection.State.CLOSED_BY_PEER;
      reason = byPeer ? conn.peerClose().map(Chunk.Close::reason).orElse("") : "no answer over UDP";
    }
    report(reason, byPeer);
  }

  private void report(String reason, boolean byPeer) {
    owner.onClosed(this, reason, byPeer);
    close();
  }

  @Override
  public String toString() {
    return "udp " + remote;
  }
}
