package dev.charla.server.core;

import dev.charla.protocol.ClientFrame;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.Limits;
import dev.charla.protocol.Names;
import dev.charla.protocol.ProtocolException;
import dev.charla.protocol.ServerFrame;
import dev.charla.server.core.direct.DirectBroker;
import dev.charla.server.core.files.FileArea;
import dev.charla.server.security.PasswordHasher;
import dev.charla.server.security.ResumeTokens;
import dev.charla.server.store.Account;
import dev.charla.server.store.ChatStore;
import dev.charla.server.store.FileBlobs;
import dev.charla.server.store.FileStore;
import dev.charla.server.store.RoomRecord;
import dev.charla.server.store.StoredMessage;
import dev.charla.server.store.TokenRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat itself: accounts, sessions, presence, rooms and commands, for any transport. Transports hand it
 * decoded frames ({@link #onFrame}) and it answers through each session's {@link SessionLink}. It knows nothing
 * of sockets or SQL.
 *
 * <p>Thread rules: {@link #onFrame} runs on the session's transport thread and never blocks: password hashing
 * runs on {@link #hashing} (bounded threads and queue), store calls on {@link #storeIo}, message storage and
 * fan-out in {@link MessageLog}'s two threads. Structural changes to presence and rooms hold the
 * {@link Directory} lock; everything read on the hot path is a concurrent collection.
 */
public final class ChatCore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChatCore.class);
  /** The console: one line per connection, login and departure. */
  private static final Logger console = LoggerFactory.getLogger("charla.console");
  private static final String SERVER_NAME = "charla/0.1";

  private final ChatConfig config;
  private final ChatStore store;
  private final PasswordHasher hasher;
  private final ResumeTokens tokens = new ResumeTokens();
  private final Ticker ticker;
  private final FrameCodec codec = new FrameCodec();
  private final Directory directory = new Directory();
  private final MessageLog messages;
  private final ExecutorService hashing;
  private final ExecutorService storeIo;
  private final KeyedRateLimiter loginsPerIp;
  private final KeyedRateLimiter registrationsPerIp;
  private final KeyedRateLimiter failuresPerAccount;
  private final ConcurrentHashMap<String, AtomicInteger> connectionsPerIp = new ConcurrentHashMap<>();
  /** Guest resume tokens live only in memory: guests have no account to attach them to. Hex of hash → key. */
  private final ConcurrentHashMap<String, GuestToken> guestTokens = new ConcurrentHashMap<>();
  private final AtomicLong sessionIds = new AtomicLong();
  private final AtomicInteger sessionCount = new AtomicInteger();
  private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
  /** Every registered account's key: a guest may not take one, and this answers without a store read. */
  private final Set<String> registeredKeys = ConcurrentHashMap.newKeySet();
  private final String dummyHash;
  private volatile boolean shuttingDown;
  /** The file area, or null on a server built without one (then file frames are refused). */
  private final FileArea files;
  /** Brokers direct connections between sessions; see {@link DirectBroker}. */
  private final DirectBroker direct;

  private record GuestToken(String displayName, long expiresAtMillis) {}

  public ChatCore(ChatConfig config, ChatStore store, PasswordHasher hasher, Ticker ticker) {
    this(config, store, hasher, ticker, null, null);
  }

  /** A core with a file area whose metadata is in {@code fileStore} and bytes in {@code blobs}. */
  public ChatCore(ChatConfig config, ChatStore store, PasswordHasher hasher, Ticker ticker, FileStore fileStore,
      FileBlobs blobs) {
    this.files = fileStore == null ? null : new FileArea(config, fileStore, blobs, fileUsers(), ticker);
    this.direct = new DirectBroker(codec, directUsers(), ticker);
    this.config = config;
    this.store = store;
    this.hasher = hasher;
    this.ticker = ticker;
    this.messages = new MessageLog(store, directory, codec, ticker, config.ackCoalesceMinBatch());
    this.hashing =
        new ThreadPoolExecutor(
            config.hashThreads(), config.hashThreads(), 0, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(config.hashQueue()), Thread.ofPlatform().name("charla-hash-", 0).factory());
    this.storeIo = Executors.newFixedThreadPool(4, Thread.ofPlatform().name("charla-store-", 0).factory());
    this.loginsPerIp =
        new KeyedRateLimiter(config.loginAttemptsPerMinute(), config.loginAttemptsPerMinute() / 60.0, ticker);
    this.registrationsPerIp =
        new KeyedRateLimiter(config.registrationsPerHour(), config.registrationsPerHour() / 3600.0, ticker);
    this.failuresPerAccount =
        new KeyedRateLimiter(
            config.failedLoginsPerAccountPerMinute(), config.failedLoginsPerAccountPerMinute() / 60.0, ticker);
    for (RoomRecord r : store.loadRooms()) {
      Room room = new Room(r.name(), r.topic());
      room.lastSeq = store.lastSeq(r.name());
      directory.rooms.put(r.name(), room);
    }
    registeredKeys.addAll(store.accountKeys());
    if (!directory.rooms.containsKey(Names.LOBBY)) {
      store.ensureRoom(Names.LOBBY, ticker.nowMillis());
      directory.rooms.put(Names.LOBBY, new Room(Names.LOBBY, "Everyone lands here"));
      store.setTopic(Names.LOBBY, "Everyone lands here");
    }
    // Verifying against this when an account does not exist makes both failures take the same time.
    this.dummyHash = hasher.hash("charla-dummy-password");
    messages.start();
  }

  public ChatConfig config() {
    return config;
  }

  // ---- connection lifecycle (transport threads) ----

  /**
   * Admits a new connection, or refuses it (sending the error and closing the link) and returns null. The
   * caller must call {@link #onClosed} exactly once for every session returned.
   */
  public Session open(SessionLink link) {
    String ip = link.remoteIp();
    if (shuttingDown) {
      refuse(link, ErrorCode.SHUTTING_DOWN, "server is shutting down");
      return null;
    }
    AtomicInteger perIp = connectionsPerIp.computeIfAbsent(ip, k -> new AtomicInteger());
    if (perIp.incrementAndGet() > config.maxConnectionsPerIp()) {
      perIp.decrementAndGet();
      refuse(link, ErrorCode.TOO_MANY_CONNECTIONS,
          "too many connections from " + ip + " (limit: " + config.maxConnectionsPerIp() + ")");
      console.info("refused {}:{} {}: too many connections from this address", ip, link.remotePort(), link.transport());
      return null;
    }
    if (sessionCount.incrementAndGet() > config.maxSessions()) {
      sessionCount.decrementAndGet();
      release(ip);
      refuse(link, ErrorCode.SERVER_FULL, "server full (limit: " + config.maxSessions() + " sessions)");
      return null;
    }
    Session s = new Session(sessionIds.incrementAndGet(), link, ticker.nowMillis(), config, ticker.nanoTime());
    sessions.add(s);
    console.info("connect {}:{} {}", ip, link.remotePort(), link.transport());
    return s;
  }

  private void refuse(SessionLink link, ErrorCode code, String message) {
    link.deliver(codec.encode(new ServerFrame.Error(null, code, message)));
    link.close();
  }

  private void release(String ip) {
    connectionsPerIp.computeIfPresent(ip, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  /** The connection is gone (closed by either side). */
  public void onClosed(Session s, String reason) {
    if (!sessions.remove(s)) {
      return;
    }
    s.state = Session.State.CLOSED;
    sessionCount.decrementAndGet();
    release(s.link.remoteIp());
    if (files != null) {
      files.onClosed(s);
    }
    direct.onClosed(s);
    OnlineUser u = s.user;
    if (u != null) {
      goOffline(s, u);
      console.info("leave {} ({})", s.describe(), reason);
    } else {
      console.info("disconnect {}:{} {} ({})", s.link.remoteIp(), s.link.remotePort(), s.link.transport(), reason);
    }
  }

  /** The transport's login timer fired. */
  public void onLoginTimeout(Session s) {
    if (s.state != Session.State.LOGGED_IN && s.state != Session.State.CLOSED) {
      fatal(s, null, ErrorCode.LOGIN_TIMEOUT,
          "not logged in within " + config.loginTimeout().toSeconds() + " s");
    }
  }

  /** A frame could not be decoded; reports it and closes the connection if the error requires it. */
  public void onBadFrame(Session s, ProtocolException e) {
    if (e.code().closes()) {
      fatal(s, null, e.code(), e.getMessage());
    } else {
      error(s, null, e.code(), e.getMessage());
    }
  }

  // ---- frames (transport threads) ----

  public void onFrame(Session s, ClientFrame frame) {
    if (s.state == Session.State.CLOSED) {
      return;
    }
    // Chunks and acks of a live transfer are paced by its window, not by the frame rate.
    boolean transferFrame = files != null && files.isTransferFrame(s, frame);
    if (!transferFrame && !s.frameBucket.tryTake(ticker.nanoTime())) {
      error(s, frame.id(), ErrorCode.RATE_LIMITED,
          "too many frames (limit: " + config.framesPerSecond() + "/s, burst " + config.frameBurst() + ")");
      return;
    }
    if (s.state == Session.State.NEW && !(frame instanceof ClientFrame.Hello)) {
      error(s, frame.id(), ErrorCode.HELLO_REQUIRED, "send hello first: {\"type\":\"hello\",\"v\":1}");
      return;
    }
    if (needsLogin(frame) && s.state != Session.State.LOGGED_IN) {
      error(s, frame.id(), ErrorCode.NOT_LOGGED_IN, "log in first (login, register, guest or resume)");
      return;
    }
    if (isLogin(frame) && s.state != Session.State.GREETED) {
      error(s, frame.id(), ErrorCode.ALREADY_LOGGED_IN,
          s.state == Session.State.LOGGING_IN ? "a login is in progress" : "already logged in");
      return;
    }
    switch (frame) {
      case ClientFrame.Hello h -> hello(s, h);
      case ClientFrame.Register r -> register(s, r);
      case ClientFrame.Login l -> login(s, l);
      case ClientFrame.Guest g -> guest(s, g);
      case ClientFrame.Resume r -> resume(s, r);
      case ClientFrame.Logout l -> logout(s, l);
      case ClientFrame.Send m -> send(s, m);
      case ClientFrame.Join j -> join(s, j);
      case ClientFrame.Leave l -> leave(s, l);
      case ClientFrame.Rooms r -> rooms(s, r);
      case ClientFrame.Topic t -> topic(s, t);
      case ClientFrame.Who w -> who(s, w);
      case ClientFrame.Whoami w -> reply(s, new ServerFrame.Identity(w.id(), sessionInfo(s, true)));
      case ClientFrame.History h -> history(s, h);
      case ClientFrame.Received r -> received(s, r);
      case ClientFrame.Ping p -> reply(s, new ServerFrame.Pong(p.id()));
      case ClientFrame.Quit q -> {
        reply(s, new ServerFrame.Bye("quit"));
        s.link.close();
      }
      case ClientFrame.Files f -> { if (filesEnabled(s, f)) files.list(s, f); }
      case ClientFrame.Put p -> { if (filesEnabled(s, p)) files.put(s, p); }
      case ClientFrame.Offer o -> { if (filesEnabled(s, o)) files.offer(s, o); }
      case ClientFrame.Get g -> { if (filesEnabled(s, g)) files.get(s, g); }
      case ClientFrame.Rm r -> { if (filesEnabled(s, r)) files.remove(s, r); }
      case ClientFrame.Chunk c -> { if (filesEnabled(s, c)) files.chunk(s, c); }
      case ClientFrame.Ack a -> { if (filesEnabled(s, a)) files.ack(s, a); }
      case ClientFrame.Direct d -> direct.request(s, d);
      case ClientFrame.DirectAccept d -> direct.accept(s, d);
      case ClientFrame.DirectDecline d -> direct.decline(s, d);
      case ClientFrame.DirectMsg d -> direct.relay(s, d);
      case ClientFrame.DirectClose d -> direct.close(s, d);
    }
  }

  /** The direct-connection broker (its counters are read by tests and operators). */
  public DirectBroker direct() {
    return direct;
  }

  /** How the direct broker finds a user's logged-in sessions. */
  private DirectBroker.Users directUsers() {
    return userKey -> {
      OnlineUser u = directory.users.get(userKey);
      return u == null ? List.of() : u.sessions.stream().filter(Session::isLoggedIn).toList();
    };
  }

  private boolean filesEnabled(Session s, ClientFrame f) {
    if (files == null) {
      error(s, f.id(), ErrorCode.FORBIDDEN, "this server has no file area");
      return false;
    }
    return true;
  }

  /** How the file area finds users to offer files to and reaches them. */
  private FileArea.Users fileUsers() {
    return new FileArea.Users() {
      @Override
      public Optional<FileArea.Recipient> find(String name) {
        if (!Names.isValidUser(name)) {
          return Optional.empty();
        }
        String key = Names.userKey(name);
        OnlineUser online = directory.users.get(key);
        if (online != null) {
          return Optional.of(new FileArea.Recipient(key, online.displayName));
        }
        return store.findAccount(key).map(a -> new FileArea.Recipient(key, a.displayName()));
      }

      @Override
      public void deliver(String userKey, byte[] frame) {
        OnlineUser u = directory.users.get(userKey);
        if (u != null) {
          u.deliver(frame);
        }
      }
    };
  }

  /** Which frames need a logged-in session: everything but the greeting, the logins, ping and quit. */
  private static boolean needsLogin(ClientFrame f) {
    return switch (f) {
      case ClientFrame.Hello h -> false;
      case ClientFrame.Register r -> false;
      case ClientFrame.Login l -> false;
      case ClientFrame.Guest g -> false;
      case ClientFrame.Resume r -> false;
      case ClientFrame.Ping p -> false;
      case ClientFrame.Quit q -> false;
      default -> true;
    };
  }

  private static boolean isLogin(ClientFrame f) {
    return f instanceof ClientFrame.Register
        || f instanceof ClientFrame.Login
        || f instanceof ClientFrame.Guest
        || f instanceof ClientFrame.Resume;
  }

  private void hello(Session s, ClientFrame.Hello h) {
    if (s.state != Session.State.NEW) {
      error(s, h.id(), ErrorCode.BAD_FRAME, "hello was already received");
      return;
    }
    if (h.v() != Limits.PROTOCOL_VERSION) {
      fatal(s, h.id(), ErrorCode.UNSUPPORTED_VERSION,
          "protocol version " + h.v() + " not supported (supported: " + Limits.PROTOCOL_VERSION + ")");
      return;
    }
    String label = h.client() == null ? "" : h.client().replaceAll("\\p{Cntrl}", "");
    s.clientLabel = label.length() > Limits.MAX_CLIENT_LABEL_CHARS
        ? label.substring(0, Limits.MAX_CLIENT_LABEL_CHARS) : label;
    s.state = Session.State.GREETED;
    reply(s, new ServerFrame.Welcome(Limits.PROTOCOL_VERSION, SERVER_NAME,
        new ServerFrame.ServerLimits(Limits.MAX_FRAME_BYTES, Limits.MAX_TEXT_CHARS, config.messagesPerSecond(),
            config.messageBurst(), (int) config.loginTimeout().toSeconds())));
  }

  // ---- logins ----

  private boolean admitLogin(Session s, String id) {
    if (!loginsPerIp.tryTake(s.link.remoteIp())) {
      error(s, id, ErrorCode.THROTTLED, "too many login attempts from your address; wait a minute");
      return false;
    }
    return true;
  }

  private void register(Session s, ClientFrame.Register r) {
    if (!Names.isValidUser(r.name())) {
      error(s, r.id(), ErrorCode.BAD_NAME, badNameMessage(r.name()));
      return;
    }
    if (r.password().length() < Limits.MIN_PASSWORD_CHARS || r.password().length() > Limits.MAX_PASSWORD_CHARS) {
      error(s, r.id(), ErrorCode.BAD_PASSWORD, "password must be " + Limits.MIN_PASSWORD_CHARS + " to "
          + Limits.MAX_PASSWORD_CHARS + " characters");
      return;
    }
    if (!registrationsPerIp.tryTake(s.link.remoteIp())) {
      error(s, r.id(), ErrorCode.THROTTLED, "too many registrations from your address; try again later");
      return;
    }
    if (!admitLogin(s, r.id())) {
      return;
    }
    String key = Names.userKey(r.name());
    if (directory.users.containsKey(key)) {
      error(s, r.id(), ErrorCode.NAME_TAKEN, "the name " + r.name() + " is in use");
      return;
    }
    s.state = Session.State.LOGGING_IN;
    runHashing(s, r.id(), () -> {
      String hash = hasher.hash(r.password());
      Optional<Account> created = store.createAccount(key, r.name(), hash, ticker.nowMillis());
      if (created.isEmpty()) {
        loginFailed(s, r.id(), ErrorCode.NAME_TAKEN, "the name " + r.name() + " is taken");
        return;
      }
      registeredKeys.add(key);
      console.info("register {} from {}:{}", r.name(), s.link.remoteIp(), s.link.remotePort());
      completeAccountLogin(s, r.id(), created.get());
    });
  }

  private void login(Session s, ClientFrame.Login l) {
    if (!admitLogin(s, l.id())) {
      return;
    }
    String key = Names.isValidUser(l.name()) ? Names.userKey(l.name()) : null;
    // Only failures spend the account's tokens: someone logging in correctly many times is never throttled.
    if (key != null && !failuresPerAccount.allows(key)) {
      error(s, l.id(), ErrorCode.THROTTLED, "too many failed logins for this name; wait a minute");
      return;
    }
    s.state = Session.State.LOGGING_IN;
    runHashing(s, l.id(), () -> {
      Optional<Account> account = key == null ? Optional.empty() : store.findAccount(key);
      boolean ok = hasher.verify(l.password(), account.map(Account::passwordHash).orElse(dummyHash));
      if (account.isEmpty() || !ok) {
        if (key != null) {
          failuresPerAccount.tryTake(key);
        }
        loginFailed(s, l.id(), ErrorCode.AUTH_FAILED, "wrong name or password");
        return;
      }
      completeAccountLogin(s, l.id(), account.get());
    });
  }

  private void guest(Session s, ClientFrame.Guest g) {
    if (!Names.isValidUser(g.name())) {
      error(s, g.id(), ErrorCode.BAD_NAME, badNameMessage(g.name()));
      return;
    }
    if (!admitLogin(s, g.id())) {
      return;
    }
    String key = Names.userKey(g.name());
    if (registeredKeys.contains(key)) {
      error(s, g.id(), ErrorCode.NAME_TAKEN, g.name() + " is a registered name; log in or pick another");
      return;
    }
    s.state = Session.State.LOGGING_IN;
    runStore(s, g.id(), () -> {
      String token = tokens.generate();
      long expires = ticker.nowMillis() + config.tokenLifetime().toMillis();
      if (!enter(s, g.id(), key, g.name(), true, -1, List.of(), false)) {
        return;
      }
      guestTokens.put(HexFormat.of().formatHex(ResumeTokens.hash(token)), new GuestToken(g.name(), expires));
      s.tokenHash = ResumeTokens.hash(token);
      finishLogin(s, g.id(), token, expires);
    });
  }

  private void resume(Session s, ClientFrame.Resume r) {
    if (!admitLogin(s, r.id())) {
      return;
    }
    s.state = Session.State.LOGGING_IN;
    runStore(s, r.id(), () -> {
      byte[] hash = ResumeTokens.hash(r.token());
      long now = ticker.nowMillis();
      GuestToken gt = guestTokens.get(HexFormat.of().formatHex(hash));
      if (gt != null && gt.expiresAtMillis() > now) {
        if (!enter(s, r.id(), Names.userKey(gt.displayName()), gt.displayName(), true, -1, List.of(), true)) {
          return;
        }
        s.tokenHash = hash;
        finishLogin(s, r.id(), r.token(), gt.expiresAtMillis());
        return;
      }
      Optional<TokenRecord> t = store.findToken(hash);
      if (t.isEmpty() || t.get().expiresAtMillis() <= now) {
        loginFailed(s, r.id(), ErrorCode.BAD_TOKEN, "unknown or expired token; log in again");
        return;
      }
      Optional<Account> account = store.findAccount(t.get().accountId());
      if (account.isEmpty()) {
        loginFailed(s, r.id(), ErrorCode.BAD_TOKEN, "unknown or expired token; log in again");
        return;
      }
      Account a = account.get();
      if (!enter(s, r.id(), a.userKey(), a.displayName(), false, a.id(), store.roomsOf(a.id()), false)) {
        return;
      }
      s.tokenHash = hash;
      finishLogin(s, r.id(), r.token(), t.get().expiresAtMillis());
    });
  }

  /** On a store thread: a registered user proved who they are. */
  private void completeAccountLogin(Session s, String id, Account a) {
    if (!enter(s, id, a.userKey(), a.displayName(), false, a.id(), store.roomsOf(a.id()), false)) {
      return;
    }
    String token = tokens.generate();
    long expires = ticker.nowMillis() + config.tokenLifetime().toMillis();
    store.saveToken(ResumeTokens.hash(token), a.id(), expires);
    s.tokenHash = ResumeTokens.hash(token);
    finishLogin(s, id, token, expires);
  }

  /**
   * Makes the session's user present: creates or joins its {@link OnlineUser}, puts it in its rooms and the
   * lobby, and tells room members. Returns false (having replied) if the name is held by someone else.
   */
  private boolean enter(Session s, String id, String key, String displayName, boolean guest, long accountId,
      List<String> storedRooms, boolean resumingGuest) {
    List<Room> announce = new ArrayList<>();
    OnlineUser user;
    synchronized (directory) {
      if (s.state == Session.State.CLOSED) {
        return false;
      }
      OnlineUser existing = directory.users.get(key);
      if (existing != null && (existing.guest != guest || (guest && !resumingGuest))) {
        loginFailed(s, id, ErrorCode.NAME_TAKEN, "the name " + displayName + " is in use");
        return false;
      }
      boolean newlyOnline = existing == null;
      user = newlyOnline ? new OnlineUser(key, displayName, guest, accountId) : existing;
      s.user = user;
      s.loggedInAtMillis = ticker.nowMillis();
      s.holdLive();
      user.sessions.add(s);
      if (newlyOnline) {
        directory.users.put(key, user);
        List<String> roomNames = new ArrayList<>(storedRooms);
        if (!roomNames.contains(Names.LOBBY)) {
          roomNames.add(0, Names.LOBBY);
        }
        for (String name : roomNames) {
          Room room = directory.rooms.computeIfAbsent(name, n -> new Room(n, null));
          room.add(user);
          user.rooms.add(room.name);
          announce.add(room);
        }
      }
      s.state = Session.State.LOGGED_IN;
    }
    for (Room room : announce) {
      if (room.online.size() <= config.presenceNoticeMaxMembers()) {
        broadcast(room, new ServerFrame.RoomEvent(room.name, displayName, "online"), user);
      }
    }
    if (!guest && !storedRooms.contains(Names.LOBBY)) {
      store.addMember(Names.LOBBY, accountId);
    }
    return true;
  }

  /** On a store thread, after {@link #enter}: reply, then queue offline messages, then let live ones flow. */
  private void finishLogin(Session s, String id, String token, long expires) {
    OnlineUser u = s.user;
    List<ServerFrame.RoomInfo> rooms = new ArrayList<>();
    for (String name : u.rooms) {
      Room r = directory.rooms.get(name);
      if (r != null) {
        rooms.add(r.info());
      }
    }
    rooms.sort(Comparator.comparing(ServerFrame.RoomInfo::name));
    reply(s, new ServerFrame.LoggedIn(id, sessionInfo(s, true), token, expires, rooms));
    console.info("login {} ({}) {}", s.describe(), u.guest ? "guest" : "registered", s.clientLabel);
    try {
      if (!u.guest) {
        for (StoredMessage m : store.pending(u.accountId, 10_000)) {
          s.reply(codec.encode(MessageLog.toMsg(m).withPending()));
        }
      }
    } finally {
      s.releaseLive();
    }
    if (files != null && !u.guest) {
      files.onLogin(s);
    }
  }

  private void loginFailed(Session s, String id, ErrorCode code, String message) {
    if (s.state == Session.State.LOGGING_IN) {
      s.state = Session.State.GREETED;
    }
    error(s, id, code, message);
  }

  private void runHashing(Session s, String id, Runnable task) {
    try {
      hashing.execute(guarded(s, id, task));
    } catch (RejectedExecutionException e) {
      loginFailed(s, id, ErrorCode.THROTTLED, "server busy with logins; retry in a moment");
    }
  }

  private void runStore(Session s, String id, Runnable task) {
    try {
      storeIo.execute(guarded(s, id, task));
    } catch (RejectedExecutionException e) {
      error(s, id, ErrorCode.INTERNAL, "server busy; retry");
    }
  }

  private Runnable guarded(Session s, String id, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("request failed for {}", s.describe(), e);
        loginFailed(s, id, ErrorCode.INTERNAL, "internal error; retry");
      }
    };
  }

  private void logout(Session s, ClientFrame.Logout l) {
    byte[] hash = s.tokenHash;
    runStore(s, l.id(), () -> {
      if (hash != null) {
        guestTokens.remove(HexFormat.of().formatHex(hash));
        store.revokeToken(hash);
      }
      reply(s, new ServerFrame.Ok(l.id()));
      reply(s, new ServerFrame.Bye("logout"));
      s.link.close();
    });
  }

  private void goOffline(Session s, OnlineUser u) {
    List<Room> announce = new ArrayList<>();
    synchronized (directory) {
      u.sessions.remove(s);
      if (!u.sessions.isEmpty()) {
        return;
      }
      directory.users.remove(u.key, u);
      for (String name : u.rooms) {
        Room room = directory.rooms.get(name);
        if (room != null) {
          room.remove(u);
          announce.add(room);
        }
      }
    }
    for (Room room : announce) {
      if (room.online.size() < config.presenceNoticeMaxMembers()) {
        broadcast(room, new ServerFrame.RoomEvent(room.name, u.displayName, "offline"), null);
      }
    }
  }

  // ---- chat ----

  private void send(Session s, ClientFrame.Send m) {
    if (!s.sendBucket.tryTake(ticker.nanoTime())) {
      error(s, m.id(), ErrorCode.RATE_LIMITED,
          "sending too fast (limit: " + config.messagesPerSecond() + "/s, burst " + config.messageBurst() + ")");
      return;
    }
    if (m.text().isBlank() || m.text().length() > Limits.MAX_TEXT_CHARS) {
      error(s, m.id(), ErrorCode.BAD_TEXT,
          m.text().isBlank() ? "empty message" : "message too long: " + m.text().length()
              + " chars (limit: " + Limits.MAX_TEXT_CHARS + ")");
      return;
    }
    var request =
        new MessageLog.SendRequest(s, s.user, m.id(), m.to(), m.text(), m.cmid(), s.link.transport(), System.nanoTime());
    if (!messages.submit(request)) {
      error(s, m.id(), shuttingDown ? ErrorCode.SHUTTING_DOWN : ErrorCode.THROTTLED, "server busy; retry");
    }
  }

  private void join(Session s, ClientFrame.Join j) {
    if (!Names.isValidRoom(j.room())) {
      error(s, j.id(), ErrorCode.BAD_NAME, "room names are # and 1-32 letters, digits, _ or -: " + j.room());
      return;
    }
    OnlineUser u = s.user;
    String name = Names.roomKey(j.room());
    Room room;
    boolean created;
    boolean joinedNow;
    synchronized (directory) {
      Room existing = directory.rooms.get(name);
      created = existing == null;
      room = created ? new Room(name, null) : existing;
      if (created) {
        directory.rooms.put(name, room);
      }
      joinedNow = u.rooms.add(name);
      room.add(u);
    }
    if (joinedNow) {
      broadcast(room, new ServerFrame.RoomEvent(name, u.displayName, "join"), null);
    }
    runStore(s, j.id(), () -> {
      if (created) {
        store.ensureRoom(name, ticker.nowMillis());
      }
      if (!u.guest && joinedNow) {
        store.addMember(name, u.accountId);
      }
      List<ServerFrame.Msg> recent =
          store.history(name, null, null, config.recentOnJoin()).stream().map(MessageLog::toMsg).toList();
      reply(s, new ServerFrame.Joined(j.id(), room.info(),
          memberNames(room), recent));
    });
  }

  private void leave(Session s, ClientFrame.Leave l) {
    OnlineUser u = s.user;
    String name = Names.isValidRoom(l.room()) ? Names.roomKey(l.room()) : l.room();
    Room room = directory.rooms.get(name);
    boolean left;
    synchronized (directory) {
      left = room != null && u.rooms.remove(name);
      if (left) {
        room.remove(u);
      }
    }
    if (!left) {
      error(s, l.id(), room == null ? ErrorCode.NO_SUCH_ROOM : ErrorCode.NOT_MEMBER, "you are not in " + l.room());
      return;
    }
    broadcast(room, new ServerFrame.RoomEvent(name, u.displayName, "leave"), null);
    for (Session other : u.sessions) {
      if (other != s) {
        other.reply(codec.encode(new ServerFrame.RoomEvent(name, u.displayName, "leave")));
      }
    }
    runStore(s, l.id(), () -> {
      if (!u.guest) {
        store.removeMember(name, u.accountId);
      }
      reply(s, new ServerFrame.Ok(l.id()));
    });
  }

  private void rooms(Session s, ClientFrame.Rooms r) {
    List<ServerFrame.RoomInfo> list = new ArrayList<>();
    for (Room room : directory.rooms.values()) {
      list.add(room.info());
    }
    list.sort(Comparator.comparing(ServerFrame.RoomInfo::name));
    reply(s, new ServerFrame.RoomList(r.id(), list, null));
  }

  private void topic(Session s, ClientFrame.Topic t) {
    String name = Names.isValidRoom(t.room()) ? Names.roomKey(t.room()) : t.room();
    Room room = directory.rooms.get(name);
    if (room == null) {
      error(s, t.id(), ErrorCode.NO_SUCH_ROOM, "no such room: " + t.room());
      return;
    }
    if (!s.user.rooms.contains(name)) {
      error(s, t.id(), ErrorCode.NOT_MEMBER, "join " + name + " to set its topic");
      return;
    }
    if (t.topic().length() > Limits.MAX_TOPIC_CHARS) {
      error(s, t.id(), ErrorCode.BAD_TEXT,
          "topic too long: " + t.topic().length() + " chars (limit: " + Limits.MAX_TOPIC_CHARS + ")");
      return;
    }
    String by = s.user.displayName;
    runStore(s, t.id(), () -> {
      store.setTopic(name, t.topic());
      room.topic = t.topic();
      reply(s, new ServerFrame.TopicSet(t.id(), name, t.topic(), by));
      byte[] others = codec.encode(new ServerFrame.TopicSet(null, name, t.topic(), by));
      for (OnlineUser u : room.online) {
        for (Session other : u.sessions) {
          if (other != s) {
            other.deliverLive(others);
          }
        }
      }
    });
  }

  private void who(Session s, ClientFrame.Who w) {
    List<ServerFrame.SessionInfo> list = new ArrayList<>();
    for (OnlineUser u : directory.users.values()) {
      for (Session other : u.sessions) {
        boolean showAddress =
            config.addressVisibility() == ChatConfig.AddressVisibility.EVERYONE || u == s.user;
        list.add(sessionInfo(other, showAddress));
      }
    }
    list.sort(Comparator.comparing(ServerFrame.SessionInfo::name, String.CASE_INSENSITIVE_ORDER)
        .thenComparingLong(ServerFrame.SessionInfo::since));
    reply(s, new ServerFrame.Users(w.id(), list, null));
  }

  private void history(Session s, ClientFrame.History h) {
    OnlineUser u = s.user;
    String conv;
    if (h.conv().startsWith("#")) {
      conv = Names.roomKey(h.conv());
      if (!u.rooms.contains(conv)) {
        error(s, h.id(), directory.rooms.containsKey(conv) ? ErrorCode.NOT_MEMBER : ErrorCode.NO_SUCH_ROOM,
            "join " + h.conv() + " to read its history");
        return;
      }
    } else if (Names.isDirectConversation(h.conv())) {
      conv = h.conv().toLowerCase(java.util.Locale.ROOT);
      String[] parts = conv.substring(1).split(",", 2);
      if (!parts[0].equals(u.key) && !parts[1].equals(u.key)) {
        error(s, h.id(), ErrorCode.FORBIDDEN, "not your conversation: " + h.conv());
        return;
      }
    } else {
      String other = h.conv().startsWith("@") ? h.conv().substring(1) : h.conv();
      if (!Names.isValidUser(other)) {
        error(s, h.id(), ErrorCode.BAD_FRAME, "conv must be #room, @user or @a,b: " + h.conv());
        return;
      }
      conv = Names.directConversation(u.key, other);
    }
    int limit = h.limit() == null ? 50 : Math.max(1, Math.min(Limits.MAX_HISTORY_PAGE, h.limit()));
    runStore(s, h.id(), () -> {
      List<StoredMessage> page = store.history(conv, h.before(), h.after(), limit + 1);
      boolean more = page.size() > limit;
      if (more) {
        page = h.after() != null ? page.subList(0, limit) : page.subList(1, page.size());
      }
      reply(s, new ServerFrame.HistoryPage(h.id(), conv, page.stream().map(MessageLog::toMsg).toList(), more),
          h.after() != null);
    });
  }

  private void received(Session s, ClientFrame.Received r) {
    OnlineUser u = s.user;
    if (u.guest) {
      if (r.id() != null) {
        reply(s, new ServerFrame.Ok(r.id()));
      }
      return;
    }
    runStore(s, r.id(), () -> {
      store.ackPending(u.accountId, r.upto());
      if (r.id() != null) {
        reply(s, new ServerFrame.Ok(r.id()));
      }
    });
  }

  // ---- helpers ----

  private List<String> memberNames(Room room) {
    List<String> names = new ArrayList<>();
    for (OnlineUser u : room.online) {
      names.add(u.displayName);
    }
    names.sort(String.CASE_INSENSITIVE_ORDER);
    return names;
  }

  private void broadcast(Room room, ServerFrame frame, OnlineUser except) {
    byte[] bytes = codec.encode(frame);
    for (OnlineUser u : room.online) {
      if (u != except) {
        u.deliver(bytes);
      }
    }
  }

  private ServerFrame.SessionInfo sessionInfo(Session s, boolean withAddress) {
    OnlineUser u = s.user;
    return new ServerFrame.SessionInfo(
        u == null ? null : u.displayName,
        u != null && u.guest,
        withAddress ? s.link.remoteIp() : null,
        withAddress ? s.link.remotePort() : null,
        s.link.transport(),
        s.clientLabel,
        s.loggedInAtMillis);
  }

  private static String badNameMessage(String name) {
    return "names are 2-24 characters: letters, digits, _ or -, starting with a letter (got '"
        + (name.length() > 40 ? name.substring(0, 40) + "…" : name) + "')";
  }

  private void reply(Session s, ServerFrame frame) {
    s.reply(FrameFitter.encode(codec, frame, false));
  }

  /** Replies with a frame whose lists are cut, if needed, to fit the frame limit; see {@link FrameFitter}. */
  private void reply(Session s, ServerFrame frame, boolean keepOldest) {
    s.reply(FrameFitter.encode(codec, frame, keepOldest));
  }

  private void error(Session s, String id, ErrorCode code, String message) {
    s.reply(codec.encode(new ServerFrame.Error(id, code, message)));
  }

  private void fatal(Session s, String id, ErrorCode code, String message) {
    error(s, id, code, message);
    s.link.close();
  }

  /** Tells every client the server is going away, stores everything accepted, then stops the workers. */
  @Override
  public void close() {
    shuttingDown = true;
    byte[] bye = codec.encode(new ServerFrame.Bye("server shutting down"));
    messages.close(); // commits and fans out all accepted sends first
    for (Session s : sessions) {
      s.reply(bye);
      s.link.close();
    }
    hashing.shutdown();
    storeIo.shutdown();
    if (files != null) {
      files.close();
    }
    try {
      hashing.awaitTermination(10, TimeUnit.SECONDS);
      storeIo.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
