package dev.charla.client.internal;

import dev.charla.client.ChatException;
import dev.charla.client.ChatListener;
import dev.charla.client.ConnectionState;
import dev.charla.client.Transport;
import dev.charla.protocol.ClientFrame;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.Limits;
import dev.charla.protocol.ProtocolException;
import dev.charla.protocol.ServerFrame;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
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
  private static final long PING_INTERVAL_SECONDS = 20;
  private static final long READ_IDLE_SECONDS = 60;
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
  private Channel channel;
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
  private final List<ServerFrame.Msg> heldDuringResync = new ArrayList<>();
  private long backoffMillis = 200;

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
    CompletableFuture<ServerFrame.Stored> f = new CompletableFuture<>();
    String target = to.startsWith("#") || to.startsWith("@") ? to : "@" + to;
    String cmid = UUID.randomUUID().toString();
    loop.execute(
        () -> {
          PendingSend p = new PendingSend(target, text, cmid, f);
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

  public ConnectionState state() {
    return state; // a racy read is fine: informational
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
          setState(ConnectionState.CLOSED, "closed");
          if (channel != null) {
            channel.close();
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
          if (channel == null || !channel.isActive() || state == ConnectionState.RECONNECTING) {
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
    write(new ClientFrame.Send(id, p.to, p.text, p.cmid));
  }

  private void write(ClientFrame frame) {
    byte[] bytes = codec.encode(frame);
    ByteBuf buf = channel.alloc().buffer(bytes.length + 1);
    buf.writeBytes(bytes).writeByte('\n');
    channel.writeAndFlush(buf, channel.voidPromise());
  }

  private void openChannel() {
    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new IdleStateHandler(READ_IDLE_SECONDS, PING_INTERVAL_SECONDS, 0, TimeUnit.SECONDS))
                        .addLast(new LineBasedFrameDecoder(Limits.MAX_FRAME_BYTES + 2, true, true))
                        .addLast(new InboundHandler());
                  }
                });
    ChannelFuture cf = b.connect(host, port);
    channel = cf.channel();
    cf.addListener(
        (ChannelFuture done) -> {
          if (!done.isSuccess()) {
            onConnectFailed(done.cause());
            return;
          }
          write(new ClientFrame.Hello(null, Limits.PROTOCOL_VERSION, clientLabel));
        });
  }

  private void onConnectFailed(Throwable cause) {
    String why = "cannot reach " + host + ":" + port + ": " + (cause == null ? "unknown" : cause.getMessage());
    if (state == ConnectionState.RECONNECTING && !closed) {
      scheduleReconnect(why);
    } else if (welcomeFuture != null) {
      fail(welcomeFuture, new ChatException(ErrorCode.INTERNAL, why));
      welcomeFuture = null;
    }
  }

  private final class InboundHandler extends SimpleChannelInboundHandler<ByteBuf> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
      byte[] bytes = ByteBufUtil.getBytes(line);
      ServerFrame frame;
      try {
        frame = codec.decodeServer(bytes);
      } catch (ProtocolException e) {
        log.warn("undecodable frame from server: {}", e.getMessage());
        return;
      }
      onFrame(frame);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent idle) {
        if (idle.state() == IdleState.WRITER_IDLE) {
          write(new ClientFrame.Ping(null));
        } else if (idle.state() == IdleState.READER_IDLE) {
          log.info("server silent for {} s; reconnecting", READ_IDLE_SECONDS);
          ctx.close();
        }
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (ctx.channel() == channel) {
        onDisconnected();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("connection error", cause);
      ctx.close();
    }
  }

  private void onFrame(ServerFrame frame) {
    switch (frame) {
      case ServerFrame.Welcome w -> onWelcome(w);
      case ServerFrame.Msg m -> onMsg(m);
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
                          p.join().messages().forEach(this::deliver);
                        }
                      }
                      resyncing = false;
                      heldDuringResync.forEach(this::deliver);
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

  private void onMsg(ServerFrame.Msg m) {
    if (resyncing) {
      heldDuringResync.add(m);
      return;
    }
    deliver(m);
  }

  private void deliver(ServerFrame.Msg m) {
    long last = lastSeq.getOrDefault(m.conv(), 0L);
    if (m.seq() <= last) {
      return; // already shown: a catch-up overlap or a redelivered offline message
    }
    lastSeq.put(m.conv(), m.seq());
    emit(() -> listener.onMessage(m));
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
    if (closed) {
      setState(ConnectionState.CLOSED, "closed");
      return;
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

  private static ChatException asChat(Throwable t) {
    Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    return c instanceof ChatException ce ? ce : new ChatException(ErrorCode.INTERNAL, String.valueOf(c));
  }

  private record PendingSend(String to, String text, String cmid, CompletableFuture<ServerFrame.Stored> future) {}

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
