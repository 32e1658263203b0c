package dev.charla.client;

import dev.charla.client.internal.ClientConnection;
import dev.charla.protocol.ServerFrame;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A connection to a Charla server, for one user. All methods are asynchronous and safe to call from any thread:
 * they return futures that complete (on the event executor) with the server's reply, or fail with a
 * {@link ChatException} carrying its error code.
 *
 * <p>After a login the client keeps the session alive by itself: if the connection drops it reconnects with
 * backoff, resumes with the session token (the password is never re-sent), re-sends messages that were not yet
 * acknowledged (the server stores each at most once, by its client message id), and fetches what it missed in
 * every conversation it knows, so the listener sees each message once and in order.
 *
 * <pre>{@code
 * try (CharlaClient client = CharlaClient.builder().host("localhost").port(7420).listener(listener).build()) {
 *   client.connect().join();
 *   client.login("ana", "correct horse").join();
 *   client.send("#lobby", "hola").join();
 * }
 * }</pre>
 */
public final class CharlaClient implements AutoCloseable {
  private final ClientConnection connection;

  private CharlaClient(Builder b) {
    this.connection =
        new ClientConnection(
            b.host,
            b.port,
            b.transport,
            b.clientLabel,
            b.listener,
            b.eventExecutor,
            b.eventLoopGroup,
            b.reconnect,
            b.connectTimeout);
    connection.configureDirect(b.directPaths, b.directTimeout);
    connection.configureDirectKinds(b.directTcp, b.directUdp);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Opens the connection and exchanges hello/welcome. Completes when the client may log in. Over TCP it fails
   * if the server cannot be reached; over UDP with reconnect on (the default) it keeps trying until the server
   * answers, so a UDP client may be started before its server.
   */
  public CompletableFuture<ServerFrame.Welcome> connect() {
    return connection.connect();
  }

  /** Creates an account and logs in. Fails with {@code name_taken}, {@code bad_name}, {@code bad_password}. */
  public CompletableFuture<ServerFrame.LoggedIn> register(String name, String password) {
    return connection.register(name, password);
  }

  /** Logs in to an account. Fails with {@code auth_failed} or {@code throttled}. */
  public CompletableFuture<ServerFrame.LoggedIn> login(String name, String password) {
    return connection.login(name, password);
  }

  /** Joins as a guest. Fails with {@code name_taken} if the name is registered or online. */
  public CompletableFuture<ServerFrame.LoggedIn> guest(String name) {
    return connection.guest(name);
  }

  /** Logs in with a token from an earlier {@link ServerFrame.LoggedIn}. */
  public CompletableFuture<ServerFrame.LoggedIn> resume(String token) {
    return connection.resume(token);
  }

  /**
   * Sends a message to a room ({@code #room}) or a user ({@code @name} or just {@code name}); completes when the
   * server has stored it.
   */
  public CompletableFuture<ServerFrame.Stored> send(String to, String text) {
    return connection.send(to, text);
  }

  /**
   * Sends over a chosen transport: {@link Transport#UDP} goes over the attached UDP path ({@link #attachUdp}) if
   * there is one, {@link Transport#TCP} over TCP if that is the main path; otherwise the main path carries it.
   * The {@code via} of the delivered message says which transport carried it.
   */
  public CompletableFuture<ServerFrame.Stored> send(String to, String text, Transport via) {
    return connection.send(to, text, via);
  }

  /**
   * Attaches a UDP path to this TCP login, with the session token (the original system gave each user a token and
   * a UDP port). The server lists it as a second session of the user, with transport {@code udp}; messages then
   * arrive on both paths and are shown once. Completes with the UDP session's description.
   */
  public CompletableFuture<ServerFrame.SessionInfo> attachUdp() {
    return connection.attachUdp();
  }

  /** Whether a UDP path is attached and logged in. */
  public boolean hasUdpPath() {
    return connection.hasUdpPath();
  }

  /** The transport of the main path, chosen at build time. */
  public Transport transport() {
    return connection.transport();
  }

  public CompletableFuture<ServerFrame.Joined> join(String room) {
    return connection.join(room);
  }

  public CompletableFuture<Void> leave(String room) {
    return connection.leave(room);
  }

  public CompletableFuture<List<ServerFrame.RoomInfo>> rooms() {
    return connection.rooms();
  }

  public CompletableFuture<Void> topic(String room, String topic) {
    return connection.topic(room, topic);
  }

  /** Everyone online, one entry per session. */
  public CompletableFuture<List<ServerFrame.SessionInfo>> who() {
    return connection.who();
  }

  public CompletableFuture<ServerFrame.SessionInfo> whoami() {
    return connection.whoami();
  }

  /**
   * Older messages of a conversation ({@code #room}, {@code @user} or a conversation id), oldest first:
   * those with seq below {@code beforeSeq} (null for the newest).
   */
  public CompletableFuture<ServerFrame.HistoryPage> history(String conv, Long beforeSeq, int limit) {
    return connection.history(conv, beforeSeq, null, limit);
  }

  // ---- files ----

  /** The server's shared file area, your quota use and the server's file limits. */
  public CompletableFuture<ServerFrame.FileList> files() {
    return connection.files();
  }

  /**
   * Uploads a file to the shared area, streaming it in chunks (never whole in memory) and verifying it by SHA-256
   * on the server. If an earlier upload of the same file was interrupted, it resumes where it stopped. Fails
   * with {@code quota_exceeded}, {@code file_too_large}, {@code checksum_mismatch}, {@code forbidden} (guests).
   */
  public CompletableFuture<ServerFrame.FileInfo> upload(Path file, TransferListener progress) {
    return connection.upload(file, null, progress);
  }

  /**
   * Offers a file to a user. If a direct conversation with them is {@link DirectMode#DIRECT} now, the file goes over
   * that connection (the server never sees it): they accept or decline, the bytes stream with flow control and
   * are verified by SHA-256 on their side; declined fails with {@code declined}. Otherwise, or if the direct
   * connection goes down before the end, it is uploaded to the server and kept for them, and they are offered it
   * now if online or at their next login. Resumes like {@link #upload}.
   */
  public CompletableFuture<ServerFrame.FileInfo> offer(String to, Path file, TransferListener progress) {
    return connection.upload(file, to.startsWith("@") ? to.substring(1) : to, progress);
  }

  /**
   * Downloads a file into {@code target} (a directory, or a file path whose name is a wish): the name is made
   * safe (see {@link dev.charla.protocol.FileNames}) and never overwrites anything ({@code name (1).ext}). Verified
   * by SHA-256; an interrupted download resumes when called again with the same target. Completes with the path
   * the file was saved under.
   */
  public CompletableFuture<Path> download(String fileId, Path target, TransferListener progress) {
    return connection.download(fileId, target, progress);
  }

  /**
   * Whether {@code fileId} names a file offered over a direct connection ({@link ChatListener#onFileOffer} reports
   * both kinds; {@link #download}, {@link #acceptOffer} and {@link #declineOffer} handle both).
   */
  public static boolean isDirectFile(String fileId) {
    return ClientConnection.isDirectFile(fileId);
  }

  /** Deletes your file from the area (only its owner may), or an offer made to you or by you. */
  public CompletableFuture<Void> deleteFile(String fileId) {
    return connection.deleteFile(fileId);
  }

  /** Accepts an offered file: downloads it into {@code target}, then removes it from the server. */
  public CompletableFuture<Path> acceptOffer(ServerFrame.FileInfo offer, Path target, TransferListener progress) {
    return download(offer.id(), target, progress)
        .thenCompose(saved -> deleteFile(offer.id()).thenApply(v -> saved));
  }

  /** Declines an offered file: the server deletes it. */
  public CompletableFuture<Void> declineOffer(ServerFrame.FileInfo offer) {
    return deleteFile(offer.id());
  }

  // ---- direct connections (docs/PROTOCOL.md, "Direct connections") ----

  /**
   * Asks {@code user} for a direct conversation; completes with its link id once the server passed the request on.
   * The user must accept; then the two clients connect to each other (or, if they cannot within the direct
   * timeout, the server relays). Follow it with {@link ChatListener#onDirectState}. Fails with
   * {@code no_such_user} (offline) or {@code throttled}.
   */
  public CompletableFuture<String> requestDirect(String user) {
    return connection.requestDirect(user);
  }

  /** Accepts a request seen in {@link ChatListener#onDirectRequest}: only now are addresses exchanged. */
  public CompletableFuture<Void> acceptDirect(String link) {
    return connection.acceptDirect(link);
  }

  /** Declines a request; the requester is told and learns nothing about you. */
  public CompletableFuture<Void> declineDirect(String link) {
    return connection.declineDirect(link);
  }

  /**
   * Sends a message in a direct conversation: over the direct connection if there is one (the server never sees
   * it), otherwise relayed by the server (stored nowhere).
   */
  public CompletableFuture<Void> sendDirect(String link, String text) {
    return connection.sendDirect(link, text);
  }

  /** Ends a direct conversation (or withdraws a request); the other side is told. */
  public CompletableFuture<Void> closeDirect(String link) {
    return connection.closeDirect(link);
  }

  /** How direct conversation {@code link} travels now ({@link DirectMode#CLOSED} if unknown). */
  public DirectMode directMode(String link) {
    return connection.directMode(link);
  }

  /** The kind of path ({@link Transport#TCP} or {@link Transport#UDP}) of a {@link DirectMode#DIRECT} conversation. */
  public Transport directPath(String link) {
    return connection.directPathKind(link);
  }

  /** The peer's address of a conversation that is {@link DirectMode#DIRECT}, else null. */
  public java.net.InetSocketAddress directPeerAddress(String link) {
    return connection.directPeerAddress(link);
  }

  /** Ends the session on the server (revoking its token) and closes the connection. */
  public CompletableFuture<Void> logout() {
    return connection.logout();
  }

  public ConnectionState state() {
    return connection.state();
  }

  /** The session token of the current login, or null. */
  public String token() {
    return connection.token();
  }

  /** The name this client is logged in as, or null. */
  public String name() {
    return connection.name();
  }

  /** Closes the connection without logging out (the token stays valid); stops reconnecting. */
  @Override
  public void close() {
    connection.close();
  }

  /** Builds a {@link CharlaClient}. Only host and port are required. */
  public static final class Builder {
    private String host = "localhost";
    private int port = 7420;
    private Transport transport = Transport.TCP;
    private String clientLabel = "charla-lib";
    private ChatListener listener = new ChatListener() {};
    private Executor eventExecutor;
    private EventLoopGroup eventLoopGroup;
    private boolean reconnect = true;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private boolean directPaths = true;
    private Duration directTimeout = Duration.ofSeconds(3);
    private boolean directTcp = true;
    private boolean directUdp = true;

    private Builder() {}

    public Builder host(String host) {
      this.host = Objects.requireNonNull(host);
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport);
      return this;
    }

    /** Free-form label shown to others in presence (e.g. {@code charla-term/0.1}). */
    public Builder clientLabel(String clientLabel) {
      this.clientLabel = Objects.requireNonNull(clientLabel);
      return this;
    }

    public Builder listener(ChatListener listener) {
      this.listener = Objects.requireNonNull(listener);
      return this;
    }

    /**
     * Where listener callbacks and future completions run. It must run tasks one at a time in submission order
     * (a single thread, or {@code SwingUtilities::invokeLater}). Default: a daemon thread of the client's own.
     */
    public Builder eventExecutor(Executor eventExecutor) {
      this.eventExecutor = Objects.requireNonNull(eventExecutor);
      return this;
    }

    /** Shares a Netty event loop group among many clients (load generators); the client does not shut it down. */
    public Builder eventLoopGroup(EventLoopGroup group) {
      this.eventLoopGroup = Objects.requireNonNull(group);
      return this;
    }

    /** Whether to reconnect and resume after the connection drops (default true). */
    public Builder reconnect(boolean reconnect) {
      this.reconnect = reconnect;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /**
     * Whether direct conversations may use direct paths (default true). When false this client neither listens
     * for nor dials peers and reports no addresses: its direct conversations are always relayed by the server.
     */
    public Builder directPaths(boolean directPaths) {
      this.directPaths = directPaths;
      return this;
    }

    /**
     * Which kinds of direct path to try (default both, at the same time; the first to authenticate wins). The other
     * kind is neither opened nor reported.
     */
    public Builder directPathKinds(Transport... kinds) {
      java.util.Set<Transport> set = java.util.EnumSet.noneOf(Transport.class);
      set.addAll(java.util.List.of(kinds));
      if (set.isEmpty()) {
        throw new IllegalArgumentException("at least one kind; use directPaths(false) for none");
      }
      this.directTcp = set.contains(Transport.TCP);
      this.directUdp = set.contains(Transport.UDP);
      return this;
    }

    /** How long to try direct paths before relaying through the server (default 3 s). */
    public Builder directTimeout(Duration timeout) {
      this.directTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    public CharlaClient build() {
      return new CharlaClient(this);
    }
  }
}
