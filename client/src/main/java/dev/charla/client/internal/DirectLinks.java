package dev.charla.client.internal;

import dev.charla.client.ChatException;
import dev.charla.client.ChatListener;
import dev.charla.client.DirectMode;
import dev.charla.protocol.Candidates;
import dev.charla.protocol.ClientFrame;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.Limits;
import dev.charla.protocol.Names;
import dev.charla.protocol.ServerFrame;
import dev.charla.protocol.peer.PeerFrame;
import dev.charla.protocol.peer.PeerHandshake;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Direct conversations of one client (docs/PROTOCOL.md, "Direct connections"): asks and answers through the
 * server, then, once both agreed, listens on an ephemeral TCP port and dials every candidate of the peer, and at the
 * same time probes the peer's UDP candidates from a UDP socket of its own ({@link UdpPeerPath}); the first path,
 * TCP or UDP, on which both ends prove the one-time secret wins (the requester decides). If none does within the
 * direct timeout the conversation is relayed by the server ({@code direct_msg}), without the user doing anything.
 * Files offered to the peer while the conversation is direct travel over the same path ({@link DirectFiles}).
 *
 * <p>Thread rules: server frames arrive on the client's event loop; sockets are served by virtual threads (one
 * acceptor per listening socket, one per connection attempt, one per UDP socket). {@link #links} and
 * {@link #requests} are concurrent maps; a {@link Link}'s mode and chosen path are guarded by the link itself.
 * Listener calls go through {@link ClientConnection#emitEvent}, so they run on the event executor in order.
 */
final class DirectLinks {
  private static final Logger log = LoggerFactory.getLogger(DirectLinks.class);

  private static final String CLOSED_BY_YOU = "closed by you";
  static final String SERVER_LOST = "the connection to the server was lost; ask again";

  private final ClientConnection conn;
  private final ChatListener listener;
  private final FrameCodec codec = new FrameCodec();
  private volatile boolean paths = true;
  private volatile boolean tcp = true;
  private volatile boolean udp = true;
  private volatile Duration timeout = Duration.ofSeconds(3);
  private final DirectFiles files;
  private final Map<String, Link> links = new ConcurrentHashMap<>();
  /** Requests made to us, link id → requester, until answered or withdrawn. */
  private final Map<String, String> requests = new ConcurrentHashMap<>();
  /** Our requests sent but not yet given a link id, per user key, in send order. Guarded by itself. */
  private final Map<String, Deque<Link>> awaitingPending = new HashMap<>();

  DirectLinks(ClientConnection conn, ChatListener listener) {
    this.conn = conn;
    this.listener = listener;
    this.files = new DirectFiles(conn, listener, codec);
  }

  void configure(boolean paths, Duration timeout) {
    this.paths = paths;
    this.timeout = timeout;
  }

  /** Which kinds of direct path to try (at least one; {@link #configure} with false turns them all off). */
  void kinds(boolean tcp, boolean udp) {
    this.tcp = tcp;
    this.udp = udp;
  }

  DirectFiles files() {
    return files;
  }

  /**
   * The direct path to {@code user} (a bare name) of a conversation that is {@link DirectMode#DIRECT}, with its
   * link id, or null.
   */
  DirectTo directTo(String user) {
    String key = Names.userKey(user);
    for (Link link : links.values()) {
      PeerPath p = link.chosen();
      if (p != null && Names.userKey(link.peer).equals(key)) {
        return new DirectTo(link.id, link.peer, p);
      }
    }
    return null;
  }

  record DirectTo(String link, String peer, PeerPath path) {}

  // ---- operations (any thread) ----

  CompletableFuture<String> request(String user) {
    String name = user.startsWith("@") ? user.substring(1) : user;
    Link link = new Link(name, "a");
    Listening l;
    try {
      l = paths ? link.listen() : Listening.NONE;
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new ChatException(ErrorCode.INTERNAL, "cannot listen: " + e));
    }
    String key = Names.userKey(name);
    synchronized (awaitingPending) {
      awaitingPending.computeIfAbsent(key, k -> new ArrayDeque<>()).add(link);
    }
    return conn.requestDirect(id -> new ClientFrame.Direct(id, name, l.tcp(), l.udp()), ServerFrame.DirectPending.class)
        .handle((p, err) -> {
          if (err != null) {
            synchronized (awaitingPending) {
              Deque<Link> q = awaitingPending.get(key);
              if (q != null) {
                q.remove(link);
              }
            }
            link.shutdown();
            throw ClientConnection.asChat(err);
          }
          return p.link();
        });
  }

  CompletableFuture<Void> accept(String linkId) {
    String from = requests.remove(linkId);
    if (from == null) {
      return CompletableFuture.failedFuture(
          new ChatException(ErrorCode.NO_SUCH_LINK, "no direct connection request " + linkId));
    }
    Link link = new Link(from, "b");
    link.id = linkId;
    Listening l;
    try {
      l = paths ? link.listen() : Listening.NONE;
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new ChatException(ErrorCode.INTERNAL, "cannot listen: " + e));
    }
    links.put(linkId, link);
    return conn.requestDirect(id -> new ClientFrame.DirectAccept(id, linkId, l.tcp(), l.udp()),
            ServerFrame.DirectReady.class)
        .handle((r, err) -> {
          if (err != null) {
            links.remove(linkId, link);
            link.shutdown();
            throw ClientConnection.asChat(err);
          }
          return null;
        });
  }

  CompletableFuture<Void> decline(String linkId) {
    requests.remove(linkId);
    return conn.requestDirect(id -> new ClientFrame.DirectDecline(id, linkId), ServerFrame.Ok.class)
        .thenApply(ok -> null);
  }

  CompletableFuture<Void> send(String linkId, String text) {
    Link link = links.get(linkId);
    if (link == null) {
      return CompletableFuture.failedFuture(new ChatException(ErrorCode.NO_SUCH_LINK, "no direct conversation " + linkId));
    }
    if (text.length() > Limits.MAX_TEXT_CHARS) {
      return CompletableFuture.failedFuture(new ChatException(ErrorCode.BAD_TEXT,
          "text too long: " + text.length() + " chars (limit: " + Limits.MAX_TEXT_CHARS + ")"));
    }
    PeerPath direct = link.chosen();
    if (direct != null) {
      try {
        direct.send(new PeerFrame.Msg(text));
        return CompletableFuture.completedFuture(null);
      } catch (IOException e) {
        link.lost("direct connection lost: " + e.getMessage());
      }
    }
    if (link.mode == DirectMode.ASKING) {
      return CompletableFuture.failedFuture(new ChatException(ErrorCode.FORBIDDEN, "not accepted yet"));
    }
    return conn.requestDirect(id -> new ClientFrame.DirectMsg(id, linkId, text), ServerFrame.Ok.class)
        .thenApply(ok -> null);
  }

  CompletableFuture<Void> close(String linkId) {
    Link link = links.remove(linkId);
    if (link == null) {
      return CompletableFuture.failedFuture(new ChatException(ErrorCode.NO_SUCH_LINK, "no direct conversation " + linkId));
    }
    link.end(CLOSED_BY_YOU, true);
    return conn.requestDirect(id -> new ClientFrame.DirectClose(id, linkId), ServerFrame.Ok.class)
        .handle((ok, err) -> null); // already ended on the server is fine
  }

  DirectMode mode(String linkId) {
    Link link = links.get(linkId);
    return link == null ? DirectMode.CLOSED : link.mode;
  }

  /** The peer's address of the direct connection, or null if the conversation is not direct. */
  InetSocketAddress peerAddress(String linkId) {
    Link link = links.get(linkId);
    PeerPath c = link == null ? null : link.chosen();
    return c == null ? null : c.remote();
  }

  /** The kind of the direct path, or null if the conversation is not direct. */
  dev.charla.client.Transport pathKind(String linkId) {
    Link link = links.get(linkId);
    PeerPath c = link == null ? null : link.chosen();
    return c == null ? null : c.kind();
  }

  /**
   * The connection to the server dropped. The server ends every link of the old session and tells the other sides
   * (its secret and relay are gone), so this side ends them too, saying bye on direct paths, and the
   * requests made to us are void; after the reconnect the user asks again.
   */
  void onServerLost() {
    for (String linkId : requests.keySet()) {
      String from = requests.remove(linkId);
      if (from != null) {
        conn.emitEvent(() -> listener.onDirectState(linkId, from, DirectMode.CLOSED, SERVER_LOST));
      }
    }
    for (Link link : links.values()) {
      links.remove(link.id, link);
      link.end(SERVER_LOST, true);
    }
  }

  /** The client is closing: every direct connection says bye. */
  void closeAll() {
    for (Link link : links.values()) {
      link.end("client closed", true);
    }
    links.clear();
  }

  // ---- server frames (event loop) ----

  void onPending(ServerFrame.DirectPending p) {
    Link link;
    synchronized (awaitingPending) {
      Deque<Link> q = awaitingPending.get(Names.userKey(p.to()));
      link = q == null ? null : q.poll();
    }
    if (link == null) {
      return;
    }
    link.id = p.link();
    links.put(p.link(), link);
    link.emit(DirectMode.ASKING, "waiting for " + p.to());
  }

  void onRequest(ServerFrame.DirectRequest r) {
    requests.put(r.link(), r.from());
    conn.emitEvent(() -> listener.onDirectRequest(r.link(), r.from()));
  }

  void onReady(ServerFrame.DirectReady r) {
    Link link = links.get(r.link());
    if (link == null) {
      return;
    }
    link.start(r);
  }

  void onDeclined(ServerFrame.DirectDeclined d) {
    Link link = links.remove(d.link());
    if (link != null) {
      link.end("declined by " + d.peer(), false);
    }
  }

  void onRelayed(ServerFrame.DirectMsg m) {
    Link link = links.get(m.link());
    if (link != null) {
      // A relayed message means the peer has given up on a direct path; this side may still be trying (its
      // timeout started later). Say so before the message, as if the timeout had fired.
      link.peerRelays();
      conn.emitEvent(() -> listener.onDirectMessage(m.link(), m.from(), m.text(), true));
    }
  }

  void onClosed(ServerFrame.DirectClosed c) {
    String from = requests.remove(c.link());
    if (from != null) {
      conn.emitEvent(() -> listener.onDirectState(c.link(), from, DirectMode.CLOSED, c.reason()));
    }
    Link link = links.remove(c.link());
    if (link != null) {
      link.end(c.reason(), false);
    }
  }

  /** This machine's addresses worth telling a peer: up, not loopback, not link-local; IPv4 first. */
  static List<InetAddress> localAddresses() {
    List<InetAddress> v4 = new ArrayList<>();
    List<InetAddress> v6 = new ArrayList<>();
    try {
      for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
        if (!ni.isUp() || ni.isLoopback()) {
          continue;
        }
        for (InetAddress a : ni.inetAddresses().toList()) {
          if (a.isLinkLocalAddress() || a.isLoopbackAddress() || a.isAnyLocalAddress()) {
            continue;
          }
          (a instanceof Inet4Address ? v4 : v6).add(a);
        }
      }
    } catch (SocketException e) {
      log.debug("cannot list interfaces", e);
    }
    v4.addAll(v6);
    return v4;
  }

  /** Candidates to report: where this client listens for TCP and where its UDP socket is bound. */
  record Listening(List<String> tcp, List<String> udp) {
    static final Listening NONE = new Listening(List.of(), List.of());
  }

  /** One direct conversation. */
  private final class Link implements UdpPeerPath.Owner {
    final String peer;
    final String role;
    final String peerRole;
    volatile String id;
    volatile DirectMode mode = DirectMode.ASKING;
    final CompletableFuture<String> secret = new CompletableFuture<>();
    /** Guarded by this. */
    private ServerSocket server;
    private UdpPeerPath udpPath;
    private final List<PeerConnection> attempts = new ArrayList<>();
    /** The path in use (role a: also while waiting for b's confirmation, mode still CONNECTING). */
    private PeerPath chosen;
    /** Whether the relay decision was already postponed once. */
    private boolean deferred;
    /** Role b: authenticated connections waiting for a's {@code use}. */
    private final java.util.concurrent.atomic.AtomicInteger awaitingUse = new java.util.concurrent.atomic.AtomicInteger();

    Link(String peer, String role) {
      this.peer = peer;
      this.role = role;
      this.peerRole = role.equals("a") ? "b" : "a";
    }

    /** Opens the listening socket and the UDP socket, as configured; returns the candidates to report. */
    Listening listen() throws IOException {
      ServerSocket s = tcp ? new ServerSocket(0, 16) : null;
      UdpPeerPath u = udp ? new UdpPeerPath(codec, this, role) : null;
      // Load the handshake's classes (HMAC, JSON) now, while the other user decides, not inside the timeout.
      Thread.ofVirtual().start(() -> {
        try {
          codec.decodePeer(codec.encode(new PeerFrame.Auth(PeerHandshake.proof(
              java.util.Base64.getEncoder().encodeToString(new byte[32]), role, PeerHandshake.nonce()))));
        } catch (Exception ignored) {
          // only a warm-up
        }
      });
      synchronized (this) {
        server = s;
        udpPath = u;
      }
      if (s != null) {
        Thread.ofVirtual().name("charla-direct-accept").start(() -> {
          while (!s.isClosed()) {
            try {
              Socket socket = s.accept();
              Thread.ofVirtual().start(() -> attempt(socket));
            } catch (IOException e) {
              return; // closed
            }
          }
        });
      }
      return new Listening(s == null ? List.of() : candidates(s.getLocalPort()),
          u == null ? List.of() : candidates(u.localPort()));
    }

    private static List<String> candidates(int port) {
      List<String> out = new ArrayList<>();
      for (InetAddress a : localAddresses()) {
        if (out.size() < Limits.MAX_DIRECT_CANDIDATES - 1) { // the server adds the address it sees
          out.add(Candidates.format(a, port));
        }
      }
      if (out.isEmpty()) {
        // Only loopback here: the address the server sees (loopback too) plus this port is the candidate.
        out.add(Candidates.format(InetAddress.getLoopbackAddress(), port));
      }
      return out;
    }

    void start(ServerFrame.DirectReady r) {
      // CONNECTING before the secret is released: a handshake that finishes at once must find it so.
      int tried = (tcp ? r.candidates().size() : 0) + (udp ? r.udp().size() : 0);
      emit(DirectMode.CONNECTING, "trying " + tried + " addresses of " + peer);
      secret.complete(r.secret());
      if (!paths) {
        relayed("direct connections are off here");
        return;
      }
      if (tcp) {
        for (String c : r.candidates()) {
          InetSocketAddress address = Candidates.parse(c);
          if (address != null) {
            Thread.ofVirtual().name("charla-direct-dial").start(() -> dial(address));
          }
        }
      }
      UdpPeerPath u;
      synchronized (this) {
        u = udpPath;
      }
      if (u != null) {
        List<InetSocketAddress> targets = new ArrayList<>();
        for (String c : r.udp()) {
          InetSocketAddress address = Candidates.parse(c);
          if (address != null) {
            targets.add(address);
          }
        }
        // Probing stops when a path is chosen, the link relays or ends; at the latest after two timeouts.
        u.start(r.secret(), targets, 2 * timeout.toMillis());
      }
      Thread.ofVirtual().name("charla-direct-timer").start(() -> {
        try {
          Thread.sleep(timeout.toMillis());
        } catch (InterruptedException e) {
          return;
        }
        relayed("no direct path within " + timeout.toMillis() + " ms");
      });
    }

    private void dial(InetSocketAddress address) {
      Socket socket = new Socket();
      try {
        socket.connect(address, (int) timeout.toMillis());
      } catch (IOException e) {
        log.debug("direct {}: {} unreachable: {}", id, address, e.toString());
        closeQuietly(socket);
        return;
      }
      attempt(socket);
    }

    /** The handshake on one connection, inbound or outbound; then, if it is the chosen one, its reader. */
    private void attempt(Socket socket) {
      PeerConnection pc;
      try {
        pc = new PeerConnection(socket, codec);
      } catch (IOException e) {
        closeQuietly(socket);
        return;
      }
      synchronized (this) {
        if (chosen != null || mode == DirectMode.RELAYED || mode == DirectMode.CLOSED) {
          pc.close();
          return;
        }
        attempts.add(pc);
      }
      try {
        pc.readTimeout(timeout.toMillis() + 1_000);
        String key = secret.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        String myNonce = PeerHandshake.nonce();
        pc.send(new PeerFrame.Hello(id, myNonce));
        if (!(pc.read() instanceof PeerFrame.Hello h) || !id.equals(h.link()) || h.nonce() == null) {
          throw new IOException("bad peer hello");
        }
        pc.send(new PeerFrame.Auth(PeerHandshake.proof(key, role, h.nonce())));
        if (!(pc.read() instanceof PeerFrame.Auth a) || !PeerHandshake.verify(key, peerRole, myNonce, a.mac())) {
          throw new IOException("peer failed to prove the secret");
        }
        if (role.equals("a")) {
          // Pick this one, tell b, and count it as direct only once b has confirmed with its own use.
          if (!tentative(pc)) {
            throw new IOException("another connection won");
          }
          pc.send(new PeerFrame.Use());
          if (!(pc.read() instanceof PeerFrame.Use) || !confirm(pc)) {
            throw new IOException("peer did not confirm the connection");
          }
        } else {
          awaitingUse.incrementAndGet();
          PeerFrame f;
          try {
            f = pc.read();
          } finally {
            awaitingUse.decrementAndGet();
          }
          if (!(f instanceof PeerFrame.Use) || !choose(pc)) {
            throw new IOException("not the chosen connection");
          }
        }
        pc.readTimeout(0);
        read(pc);
      } catch (Exception e) {
        log.debug("direct {}: connection {} dropped: {}", id, socketName(socket), e.toString());
        pc.close();
        abandon(pc, e.getMessage());
        if (chosenIs(pc)) {
          lost("direct connection lost: " + e.getMessage());
        }
      }
    }

    private void read(PeerConnection pc) throws Exception {
      PeerFrame f;
      while ((f = pc.read()) != null) {
        if (!dispatch(pc, f)) {
          return;
        }
      }
      if (chosenIs(pc)) {
        lost("direct connection lost: closed by " + peer);
      }
    }

    /** A frame on the chosen path; false once the conversation has ended. */
    private boolean dispatch(PeerPath path, PeerFrame f) throws IOException {
      switch (f) {
        case PeerFrame.Msg m -> {
          String linkId = id;
          conn.emitEvent(() -> listener.onDirectMessage(linkId, peer, m.text(), false));
        }
        case PeerFrame.Bye b -> {
          links.remove(id, this);
          end("closed by " + peer + (b.reason() == null ? "" : ": " + b.reason()), false);
          return false;
        }
        case PeerFrame.FileOffer o -> files.onFrame(id, peer, path, o);
        case PeerFrame.FileAnswer a -> files.onFrame(id, peer, path, a);
        case PeerFrame.FileChunk c -> files.onFrame(id, peer, path, c);
        case PeerFrame.FileAck a -> files.onFrame(id, peer, path, a);
        case PeerFrame.FileEnd e -> files.onFrame(id, peer, path, e);
        default -> throw new IOException("unexpected peer frame " + f.getClass().getSimpleName());
      }
      return true;
    }

    // ---- UdpPeerPath.Owner (called by the UDP path's thread, without its lock) ----

    @Override
    public void onFrame(PeerPath path, PeerFrame frame) {
      if (!chosenIs(path)) {
        return;
      }
      try {
        dispatch(path, frame);
      } catch (IOException e) {
        lost("direct connection lost: " + e.getMessage());
      }
    }

    @Override
    public void onClosed(PeerPath path, String reason, boolean byPeer) {
      if (!chosenIs(path)) {
        return;
      }
      if (byPeer) {
        links.remove(id, this);
        end("closed by " + peer + (reason == null || reason.isEmpty() ? "" : ": " + reason), false);
      } else {
        lost("direct connection lost: " + reason);
      }
    }

    /** Role a: this path is the one, unless b refuses it; others are closed. */
    @Override
    public synchronized boolean tentative(PeerPath pc) {
      if (chosen != null || mode != DirectMode.CONNECTING) {
        return false;
      }
      chosen = pc;
      closeOthers(pc);
      return true;
    }

    /** Role a: b confirmed the tentative path. */
    @Override
    public synchronized boolean confirm(PeerPath pc) {
      if (chosen != pc || mode != DirectMode.CONNECTING) {
        return false;
      }
      emit(DirectMode.DIRECT, describe(pc));
      return true;
    }

    /** Role a: the tentative connection failed before b confirmed it; nothing else is left, so relay. */
    private synchronized void abandon(PeerPath pc, String why) {
      if (chosen == pc && mode == DirectMode.CONNECTING) {
        chosen = null;
        deferred = true;
        relayed("direct connection refused: " + why);
      }
    }

    /** Role b: a picked this path; confirm it (on TCP, before anything else is written on it). */
    @Override
    public synchronized boolean choose(PeerPath pc) {
      if (chosen != null || mode != DirectMode.CONNECTING) {
        return false;
      }
      if (pc instanceof PeerConnection tcpPath) {
        try {
          tcpPath.send(new PeerFrame.Use());
        } catch (IOException e) {
          return false;
        }
      }
      chosen = pc;
      closeOthers(pc);
      emit(DirectMode.DIRECT, describe(pc));
      return true;
    }

    /** Under the lock: every path but {@code keep} is closed, and nothing new is accepted. */
    private void closeOthers(PeerPath keep) {
      for (PeerConnection other : attempts) {
        if (other != keep) {
          other.close();
        }
      }
      attempts.clear();
      if (keep instanceof PeerConnection pc) {
        attempts.add(pc);
      }
      closeServer();
      if (udpPath != null && udpPath != keep) {
        udpPath.close();
        udpPath = null;
      }
    }

    private String describe(PeerPath pc) {
      return "direct with " + peer + " at " + Candidates.format(pc.remote().getAddress(), pc.remote().getPort())
          + " over " + pc.kind().name().toLowerCase(java.util.Locale.ROOT);
    }

    synchronized PeerPath chosen() {
      return mode == DirectMode.DIRECT ? chosen : null;
    }

    private synchronized boolean chosenIs(PeerPath pc) {
      return chosen == pc && mode == DirectMode.DIRECT;
    }

    /** The direct connection broke: the conversation goes on through the server. */
    void lost(String why) {
      synchronized (this) {
        if (mode != DirectMode.DIRECT) {
          return;
        }
        chosen.close();
        chosen = null;
        emit(DirectMode.RELAYED, why);
      }
      files.onPathDown(id);
    }

    /** The peer relays: stop trying (no second timeout, unlike {@link #relayed}); nothing if already decided. */
    synchronized void peerRelays() {
      if (mode == DirectMode.CONNECTING) {
        shutdownSockets();
        emit(DirectMode.RELAYED, "the peer relays: no direct path");
      }
    }

    private synchronized void relayed(String why) {
      if (mode != DirectMode.CONNECTING) {
        return;
      }
      if (!deferred && (chosen != null || awaitingUse.get() > 0)) {
        // A connection is authenticated and being settled: give it one more timeout rather than cut it.
        deferred = true;
        Thread.ofVirtual().start(() -> {
          try {
            Thread.sleep(timeout.toMillis());
          } catch (InterruptedException e) {
            return;
          }
          relayed(why);
        });
        return;
      }
      shutdownSockets();
      emit(DirectMode.RELAYED, why);
    }

    /** Ends the conversation here; says bye on the direct connection if asked to and there is one. */
    void end(String why, boolean sayBye) {
      synchronized (this) {
        if (mode == DirectMode.CLOSED) {
          return;
        }
        if (sayBye && chosen != null && mode == DirectMode.DIRECT) {
          try {
            chosen.send(new PeerFrame.Bye(why.equals(CLOSED_BY_YOU) ? null : why));
          } catch (IOException ignored) {
            // the server tells the peer too
          }
        }
        secret.cancel(false);
        shutdownSockets();
        emit(DirectMode.CLOSED, why);
      }
      files.onPathDown(id);
    }

    synchronized void shutdown() {
      secret.cancel(false);
      shutdownSockets();
      mode = DirectMode.CLOSED;
    }

    private void shutdownSockets() {
      closeServer();
      attempts.forEach(PeerConnection::close);
      attempts.clear();
      if (chosen != null) {
        chosen.close();
        chosen = null;
      }
      if (udpPath != null) {
        udpPath.close();
        udpPath = null;
      }
    }

    private void closeServer() {
      if (server != null) {
        closeQuietly(server);
        server = null;
      }
    }

    /** Sets the mode and tells the listener (callers hold the lock where order matters). */
    void emit(DirectMode m, String detail) {
      mode = m;
      String linkId = id;
      conn.emitEvent(() -> listener.onDirectState(linkId, peer, m, detail));
    }
  }

  private static String socketName(Socket s) {
    return String.valueOf(s.getRemoteSocketAddress());
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing anyway
    }
  }
}
