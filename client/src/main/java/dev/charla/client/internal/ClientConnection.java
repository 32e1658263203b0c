package dev.charla.client.internal;

import dev.charla.client.ChatException;
import dev.charla.client.ChatListener;
import dev.charla.client.ConnectionState;
import dev.charla.client.Transport;
import dev.charla.protocol.ClientFrame;
import dev.charla.protocol.Cmids;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.Limits;
import dev.charla.protocol.ProtocolException;
import dev.charla.protocol.ServerFrame;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@link dev.charla.client.CharlaClient}: one logical session that may span several TCP
 * connections (reconnects).
 *
 * <p>Thread rules: every field below is confined to {@link #loop}, the one Netty event loop this client runs
 * on; public methods hop onto it. Listener callbacks and future completions are handed to {@link #events}, a
 * serial executor, so user code never runs on the event loop and sees events in arrival order.
 */
public final class ClientConnection {
  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  private final String host;
  private final int port;
  private final Transport transport;
  private final String clientLabel;
  private final ChatListener listener;
  private final Executor events;
  private final ExecutorService ownEvents; // null if the caller supplied the executor
  private final EventLoopGroup group;
  private final boolean ownGroup;
  private final boolean reconnect;
  private final Duration connectTimeout;
  private final EventLoop loop;
  private final FrameCodec codec = new FrameCodec();

  // ---- confined to loop ----
  /** The path requests travel on; replaced at each reconnect. */
  private Wire wire;
  private boolean wireOpen;
  /** An extra UDP path attached to this session ({@link #attachUdp}), or null. */
  private Wire udpPath;
  private boolean udpPathReady;
  private CompletableFuture<ServerFrame.SessionInfo> udpAttachFuture;
  private ConnectionState state = ConnectionState.CONNECTING;
  private long nextRequestId = 1;
  private final Map<String, Request<?>> inFlight = new HashMap<>();
  /** Sends not yet acknowledged, by cmid, in send order; re-sent after a reconnect. */
  private final Map<String, PendingSend> unacked = new LinkedHashMap<>();
  /** Highest seq delivered to the listener, per conversation: drops duplicates, drives catch-up. */
  private final Map<String, Long> lastSeq = new HashMap<>();
  private final Set<String> rooms = new LinkedHashSet<>();
  private CompletableFuture<ServerFrame.Welcome> welcomeFuture;
  private String token;
  private String name;
  private boolean guest;
  private boolean closed;
  private boolean resyncing;
  private final List<Arrival> heldDuringResync = new ArrayList<>();
  private long backoffMillis = 200;
  private final FileTransfers transfers = new FileTransfers(this);
  /** Direct conversations; its own thread rules (virtual threads for peer sockets). */
  private final DirectLinks direct;

  public ClientConnection(
      String host,
      int port,
      Transport transport,
      String clientLabel,
      ChatListener listener,
      Executor events,
      EventLoopGroup group,
      boolean reconnect,
      Duration connectTimeout) {
    this.host = host;
    this.port = port;
    this.transport = transport;
    this.clientLabel = clientLabel;
    this.listener = listener;
    if (events == null) {
      this.ownEvents =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "charla-client-events");
                t.setDaemon(true);
                return t;
              });
      this.events = ownEvents;
    } else {
      this.ownEvents = null;
      this.events = events;
    }
    this.ownGroup = group == null;
    this.group = group != null ? group : new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    this.loop = this.group.next();
    this.reconnect = reconnect;
    this.connectTimeout = connectTimeout;
    this.direct = new DirectLinks(this, listener);
  }

  /** Direct connections: whether to listen for and dial peers at all, and how long to try before relaying. */
  public void configureDirect(boolean paths, Duration timeout) {
    direct.configure(paths, timeout);
  }

  /** Which kinds of direct path to try. */
  public void configureDirectKinds(boolean tcp, boolean udp) {
    direct.kinds(tcp, udp);
  }

  /** The kind of path a direct conversation uses now, or null if it is not direct. */
  public Transport directPathKind(String link) {
    return direct.pathKind(link);
  }

  /** Whether a file id names a direct (peer-to-peer) offer rather than a file on the server. */
  public static boolean isDirectFile(String fileId) {
    return DirectFiles.isDirectId(fileId);
  }

  public CompletableFuture<String> requestDirect(String user) {
    return direct.request(user);
  }

  public CompletableFuture<Void> acceptDirect(String link) {
    return direct.accept(link);
  }

  public CompletableFuture<Void> declineDirect(String link) {
    return direct.decline(link);
  }

  public CompletableFuture<Void> sendDirect(String link, String text) {
    return direct.send(link, text);
  }

  public CompletableFuture<Void> closeDirect(String link) {
    return direct.close(link);
  }

  public dev.charla.client.DirectMode directMode(String link) {
    return direct.mode(link);
  }

  public java.net.InetSocketAddress directPeerAddress(String link) {
    return direct.peerAddress(link);
  }

  // ---- public operations (any thread) ----

  public CompletableFuture<ServerFrame.Welcome> connect() {
    CompletableFuture<ServerFrame.Welcome> f = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (closed) {
            fail(f, new ChatException(ErrorCode.INTERNAL, "client is closed"));
            return;
          }
          welcomeFuture = f;
          openChannel();
        });
    return f;
  }

  public CompletableFuture<ServerFrame.LoggedIn> register(String name, String password) {
    return request(id -> new ClientFrame.Register(id, name, password), ServerFrame.LoggedIn.class);
  }

  public CompletableFuture<ServerFrame.LoggedIn> login(String name, String password) {
    return request(id -> new ClientFrame.Login(id, name, password), ServerFrame.LoggedIn.class);
  }

  public CompletableFuture<ServerFrame.LoggedIn> guest(String name) {
    return request(id -> new ClientFrame.Guest(id, name), ServerFrame.LoggedIn.class);
  }

  public CompletableFuture<ServerFrame.LoggedIn> resume(String token) {
    return request(id -> new ClientFrame.Resume(id, token), ServerFrame.LoggedIn.class);
  }

  public CompletableFuture<ServerFrame.Stored> send(String to, String text) {
    return send(to, text, null);
  }

  /** Sends over the given transport's path if this client has one ready, else over the main path. */
  public CompletableFuture<ServerFrame.Stored> send(String to, String text, Transport via) {
    CompletableFuture<ServerFrame.Stored> f = new CompletableFuture<>();
    String target = to.startsWith("#") || to.startsWith("@") ? to : "@" + to;
    String cmid = newCmid();
    loop.execute(
        () -> {
          PendingSend p = new PendingSend(target, text, cmid, f, via);
          unacked.put(cmid, p);
          if (state == ConnectionState.LOGGED_IN) {
            transmitSend(p);
          } else if (state != ConnectionState.RECONNECTING) {
            unacked.remove(cmid);
            fail(f, new ChatException(ErrorCode.NOT_LOGGED_IN, "not logged in"));
          }
          // while reconnecting, the send waits in unacked and goes out after resume
        });
    return f;
  }

  public CompletableFuture<ServerFrame.Joined> join(String room) {
    return request(id -> new ClientFrame.Join(id, room), ServerFrame.Joined.class);
  }

  public CompletableFuture<Void> leave(String room) {
    return request(id -> new ClientFrame.Leave(id, room), ServerFrame.Ok.class).thenApply(ok -> null);
  }

  public CompletableFuture<List<ServerFrame.RoomInfo>> rooms() {
    return request(ClientFrame.Rooms::new, ServerFrame.RoomList.class).thenApply(ServerFrame.RoomList::rooms);
  }

  public CompletableFuture<Void> topic(String room, String topic) {
    return request(id -> new ClientFrame.Topic(id, room, topic), ServerFrame.TopicSet.class).thenApply(t -> null);
  }

  public CompletableFuture<List<ServerFrame.SessionInfo>> who() {
    return request(ClientFrame.Who::new, ServerFrame.Users.class).thenApply(ServerFrame.Users::sessions);
  }

  public CompletableFuture<ServerFrame.SessionInfo> whoami() {
    return request(ClientFrame.Whoami::new, ServerFrame.Identity.class).thenApply(ServerFrame.Identity::you);
  }

  public CompletableFuture<ServerFrame.HistoryPage> history(String conv, Long before, Long after, int limit) {
    return request(id -> new ClientFrame.History(id, conv, before, after, limit), ServerFrame.HistoryPage.class);
  }

  public CompletableFuture<Void> logout() {
    CompletableFuture<Void> f =
        request(ClientFrame.Logout::new, ServerFrame.Ok.class).thenApply(ok -> (Void) null);
    return f.whenComplete((v, e) -> close());
  }

  /**
   * A client message id: the time prefix of {@link Cmids}, so the server's cmid index grows at its end, then 96
   * random bits in 16 characters. Unique per sender for all practical purposes, and short, because the server
   * indexes every stored message by it.
   */
  private static String newCmid() {
    byte[] bytes = new byte[12];
    ThreadLocalRandom.current().nextBytes(bytes);
    return Cmids.of(System.currentTimeMillis(), Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
  }

  public ConnectionState state() {
    return state; // a racy read is fine: informational
  }

  // ---- files ----

  public CompletableFuture<ServerFrame.FileList> files() {
    return request(ClientFrame.Files::new, ServerFrame.FileList.class);
  }

  /**
   * Uploads, or offers to {@code to}: over the direct path of a conversation with {@code to} that is direct now,
   * else (or if that path goes down before the end) through the server's file area.
   */
  public CompletableFuture<ServerFrame.FileInfo> upload(java.nio.file.Path file, String to,
      dev.charla.client.TransferListener listener) {
    DirectLinks.DirectTo path = to == null ? null : direct.directTo(to);
    if (path != null) {
      return direct.files().offer(path, file, listener, () -> transfers.upload(file, to, listener));
    }
    return transfers.upload(file, to, listener);
  }

  public CompletableFuture<java.nio.file.Path> download(String fileId, java.nio.file.Path target,
      dev.charla.client.TransferListener listener) {
    if (DirectFiles.isDirectId(fileId)) {
      return direct.files().accept(fileId, target, listener);
    }
    return transfers.download(fileId, target, listener);
  }

  public CompletableFuture<Void> deleteFile(String fileId) {
    if (DirectFiles.isDirectId(fileId)) {
      return direct.files().decline(fileId);
    }
    return request(id -> new ClientFrame.Rm(id, fileId), ServerFrame.Ok.class).thenApply(ok -> null);
  }

  // ---- for FileTransfers and DirectLinks ----

  /** A request from any thread; the future completes on the event executor. */
  <T extends ServerFrame> CompletableFuture<T> requestDirect(Function<String, ClientFrame> make, Class<T> type) {
    return request(make, type);
  }

  void onLoop(Runnable r) {
    loop.execute(r);
  }

  /** On the loop: a request whose future completes on the loop itself; null if not connected. */
  <T extends ServerFrame> CompletableFuture<T> requestForTransfer(Function<String, ClientFrame> make, Class<T> type) {
    if (wire == null || !wireOpen || state != ConnectionState.LOGGED_IN) {
      return null;
    }
    return requestOnLoop(make, type);
  }

  void writeOnLoop(ClientFrame frame) {
    write(frame);
  }

  void emitEvent(Runnable r) {
    emit(r);
  }

  <T> void emitSuccess(CompletableFuture<T> f, T value) {
    emit(() -> f.complete(value));
  }

  void emitFailure(CompletableFuture<?> f, ChatException e) {
    fail(f, e);
  }

  /** The transport of the main path. */
  public Transport transport() {
    return transport;
  }

  /**
   * Opens a UDP path to the same server and attaches it to this login with the session token: the server sees a
   * second session of the same user, on UDP. Messages may then be sent over either path.
   */
  public CompletableFuture<ServerFrame.SessionInfo> attachUdp() {
    CompletableFuture<ServerFrame.SessionInfo> f = new CompletableFuture<>();
    loop.execute(() -> {
      if (state != ConnectionState.LOGGED_IN || token == null) {
        fail(f, new ChatException(ErrorCode.NOT_LOGGED_IN, "log in before attaching a UDP path"));
        return;
      }
      if (udpPath != null) {
        fail(f, new ChatException(ErrorCode.ALREADY_LOGGED_IN, "a UDP path is already attached"));
        return;
      }
      udpAttachFuture = f;
      udpPath = UdpWire.connect(loop, host, port, connectTimeout, false, wireListener);
    });
    return f;
  }

  /** Whether a UDP path is attached and logged in. */
  public boolean hasUdpPath() {
    return udpPathReady;
  }

  public String token() {
    return token;
  }

  public String name() {
    return name;
  }

  public void close() {
    if (loop.isShuttingDown()) {
      return; // already closed
    }
    loop.execute(
        () -> {
          if (closed) {
            return;
          }
          closed = true;
          direct.closeAll();
          setState(ConnectionState.CLOSED, "closed");
          if (wire != null) {
            wire.close();
          }
          if (udpPath != null) {
            udpPath.close();
          }
          failAll(new ChatException(ErrorCode.INTERNAL, "client closed"));
          if (ownGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
          }
          if (ownEvents != null) {
            ownEvents.execute(ownEvents::shutdown);
          }
        });
  }

  // ---- on the loop ----

  private <T extends ServerFrame> CompletableFuture<T> request(
      Function<String, ClientFrame> make, Class<T> replyType) {
    CompletableFuture<T> f = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (wire == null || !wireOpen || state == ConnectionState.RECONNECTING) {
            fail(f, new ChatException(ErrorCode.INTERNAL, "not connected"));
            return;
          }
          String id = Long.toString(nextRequestId++);
          inFlight.put(id, new Request<>(replyType, f));
          write(make.apply(id));
        });
    return f;
  }

  private void transmitSend(PendingSend p) {
    String id = Long.toString(nextRequestId++);
    inFlight.put(id, new Request<>(ServerFrame.Stored.class, p.future, p.cmid));
    ClientFrame.Send frame = new ClientFrame.Send(id, p.to, p.text, p.cmid);
    if (p.via == Transport.UDP && transport != Transport.UDP && udpPathReady) {
      udpPath.send(codec.encode(frame));
    } else {
      write(frame);
    }
  }

  private void write(ClientFrame frame) {
    if (wire != null && wireOpen) {
      wire.send(codec.encode(frame));
    }
  }

  private void openChannel() {
    wireOpen = false;
    wire = switch (transport) {
      case TCP -> TcpWire.connect(loop, host, port, connectTimeout, wireListener);
      // A UDP client may start before its server: keep knocking while reconnecting or told to reconnect.
      case UDP -> UdpWire.connect(loop, host, port, connectTimeout, reconnect, wireListener);
    };
  }

  private final Wire.Listener wireListener = new Wire.Listener() {
    @Override
    public void onOpen(Wire w) {
      if (w == wire) {
        wireOpen = true;
      }
      w.send(codec.encode(new ClientFrame.Hello(null, Limits.PROTOCOL_VERSION, clientLabel)));
    }

    @Override
    public void onFrame(Wire w, byte[] bytes) {
      ServerFrame frame;
      try {
        frame = codec.decodeServer(bytes);
      } catch (ProtocolException e) {
        log.warn("undecodable frame from server: {}", e.getMessage());
        return;
      }
      if (w == udpPath) {
        onUdpPathFrame(frame);
      } else if (w == wire) {
        ClientConnection.this.onFrame(frame, w.transport());
      }
    }

    @Override
    public void onClosed(Wire w, String why) {
      if (w == udpPath) {
        onUdpPathClosed(why);
      } else if (w == wire) {
        boolean wasOpen = wireOpen;
        wireOpen = false;
        if (wasOpen) {
          onDisconnected();
        } else {
          onConnectFailed(why);
        }
      }
    }
  };

  private void onConnectFailed(String why) {
    if (state == ConnectionState.RECONNECTING && !closed) {
      scheduleReconnect(why);
    } else if (welcomeFuture != null) {
      fail(welcomeFuture, new ChatException(ErrorCode.INTERNAL, why));
      welcomeFuture = null;
    }
  }

  /** Frames on the attached UDP path: its own greeting and resume, then messages and replies like the main path. */
  private void onUdpPathFrame(ServerFrame frame) {
    switch (frame) {
      case ServerFrame.Welcome w -> {
        String id = Long.toString(nextRequestId++);
        udpPath.send(codec.encode(new ClientFrame.Resume(id, token)));
      }
      case ServerFrame.LoggedIn l -> {
        udpPathReady = true;
        if (udpAttachFuture != null) {
          CompletableFuture<ServerFrame.SessionInfo> f = udpAttachFuture;
          udpAttachFuture = null;
          emit(() -> f.complete(l.you()));
        }
      }
      case ServerFrame.Error e when !udpPathReady -> {
        ChatException ex = new ChatException(e.code(), e.message());
        if (udpAttachFuture != null) {
          fail(udpAttachFuture, ex);
          udpAttachFuture = null;
        }
        udpPath.close();
      }
      default -> onFrame(frame, Transport.UDP);
    }
  }

  private void onUdpPathClosed(String why) {
    udpPath = null;
    udpPathReady = false;
    if (udpAttachFuture != null) {
      fail(udpAttachFuture, new ChatException(ErrorCode.INTERNAL, why));
      udpAttachFuture = null;
    }
    // Sends that were waiting on the UDP path go out on the main path.
    for (PendingSend p : new ArrayList<>(unacked.values())) {
      if (p.via == Transport.UDP && state == ConnectionState.LOGGED_IN && !inFlightHas(p.cmid)) {
        transmitSend(p);
      }
    }
  }

  private boolean inFlightHas(String cmid) {
    for (Request<?> r : inFlight.values()) {
      if (cmid.equals(r.cmid)) {
        return true;
      }
    }
    return false;
  }

  private void onFrame(ServerFrame frame, Transport arrivedOn) {
    switch (frame) {
      case ServerFrame.Welcome w -> onWelcome(w);
      case ServerFrame.Msg m -> onMsg(m, arrivedOn);
      case ServerFrame.RoomEvent e -> emit(() -> listener.onRoomEvent(e));
      case ServerFrame.TopicSet t -> {
        if (t.re() != null) {
          complete(t.re(), t);
        }
        emit(() -> listener.onTopic(t));
      }
      case ServerFrame.Error e -> onError(e);
      case ServerFrame.Bye b -> {
        emit(() -> listener.onError(new ChatException(ErrorCode.SHUTTING_DOWN, "server says bye: " + b.reason())));
      }
      case ServerFrame.LoggedIn l -> onLoggedIn(l);
      case ServerFrame.Stored s -> onStored(s);
      case ServerFrame.Joined j -> {
        rooms.add(j.room().name());
        lastSeq.putIfAbsent(j.room().name(), j.room().lastSeq());
        for (ServerFrame.Msg m : j.recent()) {
          lastSeq.merge(m.conv(), m.seq(), Math::max);
        }
        complete(j.re(), j);
      }
      case ServerFrame.Ok ok -> complete(ok.re(), ok);
      case ServerFrame.RoomList r -> complete(r.re(), r);
      case ServerFrame.Users u -> complete(u.re(), u);
      case ServerFrame.Identity i -> complete(i.re(), i);
      case ServerFrame.HistoryPage h -> complete(h.re(), h);
      case ServerFrame.Pong p -> complete(p.re(), p);
      case ServerFrame.FileList f -> complete(f.re(), f);
      case ServerFrame.UploadReady u -> complete(u.re(), u);
      case ServerFrame.DownloadReady d -> complete(d.re(), d);
      case ServerFrame.Chunk c -> transfers.onChunk(c);
      case ServerFrame.Ack a -> transfers.onAck(a);
      case ServerFrame.TransferDone t -> transfers.onDone(t);
      case ServerFrame.TransferFailed t -> transfers.onFailed(t);
      case ServerFrame.FileOffer o -> emit(() -> listener.onFileOffer(o.file()));
      case ServerFrame.DirectPending p -> {
        direct.onPending(p);
        complete(p.re(), p);
      }
      case ServerFrame.DirectRequest r -> direct.onRequest(r);
      case ServerFrame.DirectReady r -> {
        direct.onReady(r);
        complete(r.re(), r);
      }
      case ServerFrame.DirectDeclined d -> direct.onDeclined(d);
      case ServerFrame.DirectMsg m -> direct.onRelayed(m);
      case ServerFrame.DirectClosed c -> direct.onClosed(c);
    }
  }

  private void onWelcome(ServerFrame.Welcome w) {
    backoffMillis = 200;
    if (state == ConnectionState.RECONNECTING && token != null) {
      String id = Long.toString(nextRequestId++);
      CompletableFuture<ServerFrame.LoggedIn> f = new CompletableFuture<>();
      inFlight.put(id, new Request<>(ServerFrame.LoggedIn.class, f));
      write(new ClientFrame.Resume(id, token));
      f.whenComplete(
          (ok, err) ->
              loop.execute(
                  () -> {
                    if (err != null && guest && !closed) {
                      // Guest tokens do not survive a server restart: take the same nickname again.
                      String gid = Long.toString(nextRequestId++);
                      inFlight.put(gid, new Request<>(ServerFrame.LoggedIn.class, new CompletableFuture<>()));
                      write(new ClientFrame.Guest(gid, name));
                    } else if (err != null) {
                      emit(() -> listener.onError(asChat(err)));
                    }
                  }));
      return;
    }
    setState(ConnectionState.CONNECTED, "connected to " + host + ":" + port);
    if (welcomeFuture != null) {
      CompletableFuture<ServerFrame.Welcome> f = welcomeFuture;
      welcomeFuture = null;
      emit(() -> f.complete(w));
    }
  }

  private void onLoggedIn(ServerFrame.LoggedIn l) {
    boolean wasReconnect = state == ConnectionState.RECONNECTING;
    token = l.token();
    name = l.you().name();
    guest = l.you().guest();
    complete(l.re(), l);
    if (wasReconnect) {
      resync(l);
    } else {
      rooms.clear();
      for (ServerFrame.RoomInfo r : l.rooms()) {
        rooms.add(r.name());
        // From here on nothing in this room may be missed: a reconnect catches up from this seq.
        lastSeq.merge(r.name(), r.lastSeq(), Math::max);
      }
      setState(ConnectionState.LOGGED_IN, "logged in as " + name);
    }
  }

  /** After a reconnect: rejoin rooms, fetch what was missed, then re-send unacknowledged messages. */
  private void resync(ServerFrame.LoggedIn l) {
    resyncing = true;
    setState(ConnectionState.LOGGED_IN, "reconnected as " + name);
    Set<String> serverRooms = new LinkedHashSet<>();
    for (ServerFrame.RoomInfo r : l.rooms()) {
      serverRooms.add(r.name());
    }
    List<CompletableFuture<?>> steps = new ArrayList<>();
    for (String room : rooms) {
      if (!serverRooms.contains(room)) {
        steps.add(requestOnLoop(id -> new ClientFrame.Join(id, room), ServerFrame.Joined.class));
      }
    }
    List<CompletableFuture<ServerFrame.HistoryPage>> pages = new ArrayList<>();
    for (Map.Entry<String, Long> e : lastSeq.entrySet()) {
      pages.add(
          requestOnLoop(
              id -> new ClientFrame.History(id, e.getKey(), null, e.getValue(), Limits.MAX_HISTORY_PAGE),
              ServerFrame.HistoryPage.class));
    }
    steps.addAll(pages);
    CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, err) ->
                loop.execute(
                    () -> {
                      for (CompletableFuture<ServerFrame.HistoryPage> p : pages) {
                        if (!p.isCompletedExceptionally()) {
                          p.join().messages().forEach(m -> deliver(m, transport));
                        }
                      }
                      resyncing = false;
                      heldDuringResync.forEach(a -> deliver(a.msg(), a.arrivedOn()));
                      heldDuringResync.clear();
                      for (PendingSend p : new ArrayList<>(unacked.values())) {
                        transmitSend(p);
                      }
                    }));
  }

  private <T extends ServerFrame> CompletableFuture<T> requestOnLoop(
      Function<String, ClientFrame> make, Class<T> type) {
    CompletableFuture<T> f = new CompletableFuture<>();
    String id = Long.toString(nextRequestId++);
    inFlight.put(id, new Request<>(type, f, null, false));
    write(make.apply(id));
    return f;
  }

  private void onMsg(ServerFrame.Msg m, Transport arrivedOn) {
    if (resyncing) {
      heldDuringResync.add(new Arrival(m, arrivedOn));
      return;
    }
    deliver(m, arrivedOn);
  }

  private void deliver(ServerFrame.Msg m, Transport arrivedOn) {
    long last = lastSeq.getOrDefault(m.conv(), 0L);
    if (m.seq() <= last) {
      return; // already shown: a catch-up overlap, the copy on the other path, or a redelivered offline message
    }
    lastSeq.put(m.conv(), m.seq());
    emit(() -> listener.onMessage(m, arrivedOn));
    if (Boolean.TRUE.equals(m.pending())) {
      write(new ClientFrame.Received(null, m.sid()));
    }
  }

  private void onStored(ServerFrame.Stored s) {
    Request<?> r = s.re() == null ? null : inFlight.get(s.re());
    if (r != null && r.cmid != null) {
      unacked.remove(r.cmid);
    }
    complete(s.re(), s);
  }

  private void onError(ServerFrame.Error e) {
    ChatException ex = new ChatException(e.code(), e.message());
    if (e.re() != null && inFlight.containsKey(e.re())) {
      Request<?> r = inFlight.remove(e.re());
      if (r.cmid != null) {
        unacked.remove(r.cmid);
      }
      r.completeExceptionally(ex);
    } else {
      emit(() -> listener.onError(ex));
    }
    if (e.code().closes()) {
      // The server will close; do not fight it by reconnecting in a loop.
      if (e.code() != ErrorCode.SHUTTING_DOWN && e.code() != ErrorCode.SLOW_CONSUMER) {
        closed = true;
      }
    }
  }

  private void onDisconnected() {
    failInFlight(new ChatException(ErrorCode.INTERNAL, "connection lost"));
    transfers.onDisconnected();
    direct.onServerLost();
    if (closed) {
      setState(ConnectionState.CLOSED, "closed");
      return;
    }
    if (udpPath != null) {
      udpPath.close(); // re-attached by the application after the resume if it wants
    }
    if (reconnect && token != null) {
      scheduleReconnect("connection lost");
    } else {
      closed = true;
      setState(ConnectionState.CLOSED, "connection lost");
      failAll(new ChatException(ErrorCode.INTERNAL, "connection lost"));
    }
  }

  private void scheduleReconnect(String why) {
    setState(ConnectionState.RECONNECTING, why);
    long delay = backoffMillis + ThreadLocalRandom.current().nextLong(backoffMillis / 2 + 1);
    backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    loop.schedule(
        () -> {
          if (!closed) {
            openChannel();
          }
        },
        delay,
        TimeUnit.MILLISECONDS);
  }

  private void complete(String re, ServerFrame frame) {
    if (re == null) {
      return;
    }
    Request<?> r = inFlight.remove(re);
    if (r != null) {
      r.complete(frame);
    }
  }

  private void failInFlight(ChatException e) {
    for (Request<?> r : inFlight.values()) {
      if (r.cmid == null) {
        r.completeExceptionally(e); // sends stay in unacked and are retried
      }
    }
    inFlight.clear();
  }

  private void failAll(ChatException e) {
    failInFlight(e);
    for (PendingSend p : unacked.values()) {
      fail(p.future, e);
    }
    unacked.clear();
    if (welcomeFuture != null) {
      fail(welcomeFuture, e);
      welcomeFuture = null;
    }
  }

  private void setState(ConnectionState s, String detail) {
    if (state == s && s != ConnectionState.RECONNECTING) {
      return;
    }
    boolean changed = state != s;
    state = s;
    if (changed) {
      emit(() -> listener.onStateChanged(s, detail));
    }
  }

  private void emit(Runnable r) {
    events.execute(
        () -> {
          try {
            r.run();
          } catch (RuntimeException e) {
            log.warn("listener failed", e);
          }
        });
  }

  private void fail(CompletableFuture<?> f, ChatException e) {
    emit(() -> f.completeExceptionally(e));
  }

  static ChatException asChat(Throwable t) {
    Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    return c instanceof ChatException ce ? ce : new ChatException(ErrorCode.INTERNAL, String.valueOf(c));
  }

  private record PendingSend(
      String to, String text, String cmid, CompletableFuture<ServerFrame.Stored> future, Transport via) {}

  private record Arrival(ServerFrame.Msg msg, Transport arrivedOn) {}

  /** A request awaiting its reply; completes on the event executor (or directly, for internal steps). */
  private final class Request<T extends ServerFrame> {
    final Class<T> type;
    final CompletableFuture<T> future;
    final String cmid;
    final boolean viaEvents;

    Request(Class<T> type, CompletableFuture<T> future) {
      this(type, future, null, true);
    }

    Request(Class<T> type, CompletableFuture<T> future, String cmid) {
      this(type, future, cmid, true);
    }

    Request(Class<T> type, CompletableFuture<T> future, String cmid, boolean viaEvents) {
      this.type = type;
      this.future = future;
      this.cmid = cmid;
      this.viaEvents = viaEvents;
    }

    void complete(ServerFrame frame) {
      if (!type.isInstance(frame)) {
        completeExceptionally(
            new ChatException(ErrorCode.INTERNAL, "unexpected reply " + frame.getClass().getSimpleName()));
        return;
      }
      T value = type.cast(frame);
      if (viaEvents) {
        emit(() -> future.complete(value));
      } else {
        future.complete(value);
      }
    }

    void completeExceptionally(ChatException e) {
      if (viaEvents) {
        emit(() -> future.completeExceptionally(e));
      } else {
        future.completeExceptionally(e);
      }
    }
  }
}
