package dev.charla.desktop;

import dev.charla.client.CharlaClient;
import dev.charla.client.ChatException;
import dev.charla.client.ChatListener;
import dev.charla.client.ConnectionState;
import dev.charla.client.DirectMode;
import dev.charla.client.TransferListener;
import dev.charla.client.Transport;
import dev.charla.desktop.model.ChatModel;
import dev.charla.desktop.model.Conversation;
import dev.charla.desktop.model.Transfer;
import dev.charla.protocol.Names;
import dev.charla.protocol.ServerFrame;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.swing.SwingUtilities;
import javax.swing.Timer;

/**
 * One signed-in user: drives a {@link CharlaClient} and keeps the {@link ChatModel} in step with it. The views
 * call its methods; it never touches a component.
 *
 * <p>Threads: everything runs on the Swing event thread. The client is built with
 * {@code SwingUtilities::invokeLater} as its event executor, so listener callbacks and future completions arrive
 * there too, and nothing here blocks: network work is the library's, on its own threads.
 */
public final class ChatSession implements AutoCloseable {
  /** History page size when opening a private chat or scrolling to the top. */
  static final int PAGE = 50;
  static final int WHO_DEBOUNCE_MILLIS = 300;
  static final int REFRESH_MILLIS = 20_000;

  /** Builds a client for a transport; the session passes its own listener. */
  @FunctionalInterface
  public interface Connector {
    CharlaClient open(Transport transport, ChatListener listener);
  }

  /** How to sign in. */
  public enum Mode {
    LOGIN,
    REGISTER,
    GUEST
  }

  /** Signing in failed; {@link #problem()} says why in terms the sign-in screen explains. */
  public static final class SignInFailed extends RuntimeException {
    private final SignInProblem problem;

    SignInFailed(SignInProblem problem, Throwable cause) {
      super(problem + ": " + cause.getMessage(), cause);
      this.problem = problem;
    }

    public SignInProblem problem() {
      return problem;
    }
  }

  /** The usual connector: a real client to {@code host:port} whose events run on the Swing event thread. */
  public static Connector connector(String host, int port, String label) {
    return (transport, listener) ->
        CharlaClient.builder()
            .host(host)
            .port(port)
            .transport(transport)
            .clientLabel(label)
            .listener(listener)
            .eventExecutor(SwingUtilities::invokeLater)
            .build();
  }

  private final Connector connector;
  private final ChatModel model;
  private final Timer whoSoon;
  private final Timer refresh;
  private CharlaClient client;
  private Transport transport;
  private Notifier notifier = (from, text) -> {};
  private BooleanSupplier focused = () -> true;
  private Supplier<Path> downloads = Settings::defaultDownloads;
  private boolean closed;

  public ChatSession(Connector connector, Transport transport, ChatModel model) {
    this.connector = Objects.requireNonNull(connector);
    this.transport = Objects.requireNonNull(transport);
    this.model = Objects.requireNonNull(model);
    this.whoSoon = new Timer(WHO_DEBOUNCE_MILLIS, e -> refreshPeople());
    whoSoon.setRepeats(false);
    this.refresh =
        new Timer(
            REFRESH_MILLIS,
            e -> {
              refreshPeople();
              refreshRooms();
            });
  }

  public ChatModel model() {
    return model;
  }

  /** Who to tell about private messages, and how to know whether the window has the focus. */
  public void notifications(Notifier n, BooleanSupplier windowFocused) {
    this.notifier = Objects.requireNonNull(n);
    this.focused = Objects.requireNonNull(windowFocused);
  }

  public Transport transport() {
    return transport;
  }

  /** Where accepted offers and file-area downloads are saved (read at each transfer, so a change applies at once). */
  public void downloads(Supplier<Path> folder) {
    this.downloads = Objects.requireNonNull(folder);
  }

  public Path downloadsFolder() {
    return downloads.get();
  }

  /** Connects and signs in; fails with {@link SignInFailed}. On failure the session is closed. */
  public CompletableFuture<ServerFrame.LoggedIn> signIn(Mode mode, String name, String password) {
    Events events = new Events();
    client = connector.open(transport, events);
    events.owner = client;
    CharlaClient c = client;
    CompletableFuture<ServerFrame.LoggedIn> result = new CompletableFuture<>();
    c.connect()
        .whenComplete(
            (welcome, err) -> {
              if (err != null) {
                fail(result, SignInProblem.of(err, true), err);
                return;
              }
              CompletableFuture<ServerFrame.LoggedIn> login =
                  switch (mode) {
                    case LOGIN -> c.login(name, password);
                    case REGISTER -> c.register(name, password);
                    case GUEST -> c.guest(name);
                  };
              login.whenComplete(
                  (loggedIn, err2) -> {
                    if (err2 != null) {
                      fail(result, SignInProblem.of(err2, false), err2);
                    } else {
                      started(loggedIn);
                      result.complete(loggedIn);
                    }
                  });
            });
    return result;
  }

  private void fail(CompletableFuture<?> result, SignInProblem problem, Throwable err) {
    close();
    result.completeExceptionally(new SignInFailed(problem, unwrap(err)));
  }

  private void started(ServerFrame.LoggedIn l) {
    model.identity(l.you());
    model.transport(transport, false);
    model.connection(ConnectionState.LOGGED_IN, "");
    String first = null;
    for (ServerFrame.RoomInfo r : l.rooms()) {
      openRoom(r.name(), false);
      first = first == null ? Names.roomKey(r.name()) : first;
    }
    if (first == null) {
      openRoom(Names.LOBBY, false);
      first = Names.LOBBY;
    }
    model.active(first);
    refreshRooms();
    refreshPeople();
    refresh.start();
  }

  // ---- what the views ask for ----

  /** Opens a room's tab, joining it (and loading its recent messages) the first time. */
  public void openRoom(String name) {
    openRoom(name, true);
  }

  private void openRoom(String name, boolean activate) {
    String id = Names.roomKey(name.startsWith("#") ? name.trim() : "#" + name.trim());
    if (!Names.isValidRoom(id)) {
      model.status("status.bad_room", name);
      return;
    }
    boolean isNew = model.conversation(id) == null;
    model.openRoom(id);
    if (activate) {
      model.active(id);
    }
    if (!isNew) {
      return;
    }
    // Until the join's recent messages are in, the tab must not fetch older ones by itself: a history page asked
    // for before them would be the newest page, and the join's messages would then add nothing.
    model.startLoadingOlder(id);
    client.join(id)
        .whenComplete(
            (joined, err) -> {
              if (err != null) {
                model.status("status.error", unwrap(err).getMessage());
                model.close(id);
                return;
              }
              List<ServerFrame.Msg> recent = joined.recent();
              model.older(id, recent, !recent.isEmpty() && recent.get(0).seq() > 1);
              model.topic(id, joined.room().topic());
              refreshRooms();
            });
  }

  /** Opens the private chat with {@code peer}, loading its latest messages. */
  public void openDirect(String peer) {
    if (peer == null || Names.userKey(peer).equals(Names.userKey(model.myName()))) {
      return;
    }
    String id = model.directId(peer);
    boolean isNew = model.conversation(id) == null;
    model.openDirect(peer);
    model.active(id);
    if (isNew) {
      loadOlder(id);
    }
  }

  /** Loads the page of history before the oldest message shown (the view calls this at the top of the scroll). */
  public void loadOlder(String conv) {
    Conversation c = model.conversation(conv);
    if (c == null || !model.startLoadingOlder(conv)) {
      return;
    }
    client.history(conv, c.oldestSeq(), PAGE)
        .whenComplete(
            (page, err) -> {
              if (err != null) {
                model.loadingOlderFailed(conv);
                model.status("status.error", unwrap(err).getMessage());
              } else {
                model.older(conv, page.messages(), page.more());
              }
            });
  }

  /** Sends {@code text} to a conversation; it shows as sending, then stored or failed. */
  public void send(String conv, String text) {
    Conversation c = model.conversation(conv);
    if (c == null || text == null || text.isBlank()) {
      return;
    }
    if (c.isDirectLink()) {
      sendDirect(c, text);
      return;
    }
    long localId = model.outgoing(conv, text, transport.wire());
    client.send(c.target(), text)
        .whenComplete(
            (stored, err) -> {
              if (err != null) {
                model.failed(conv, localId);
                model.status("status.send_failed", unwrap(err).getMessage());
              } else {
                model.stored(conv, localId, stored);
              }
            });
  }

  /** Closes a tab; for a room, leaves it too; a direct conversation ends, and the other side is told. */
  public void closeConversation(String conv) {
    Conversation c = model.conversation(conv);
    if (c != null && c.isDirectLink() && c.mode() != DirectMode.CLOSED) {
      client.closeDirect(c.link());
    }
    if (conv.startsWith("#")) {
      client.leave(conv)
          .whenComplete(
              (ok, err) -> {
                if (err == null) {
                  refreshRooms();
                }
              });
    }
    model.close(conv);
  }

  // ---- direct conversations ----

  /**
   * Asks {@code peer} for a direct conversation; its tab opens (asking) once the server passed the request on. If
   * one with them is open already, shows it instead.
   */
  public void requestDirect(String peer) {
    if (peer == null || client == null || Names.userKey(peer).equals(Names.userKey(model.myName()))) {
      return;
    }
    Conversation open = model.directLinkWith(peer);
    if (open != null) {
      model.active(open.id());
      return;
    }
    client.requestDirect(peer)
        .whenComplete(
            (link, err) -> {
              if (err != null) {
                model.status("status.direct_failed", peer, unwrap(err).getMessage());
                return;
              }
              String id = ChatModel.linkConversation(link);
              if (model.conversation(id) == null) { // the library's ASKING event may come first, or after
                model.directState(link, peer, DirectMode.ASKING, "");
                model.active(id);
              }
            });
  }

  /** Accepts a direct request: the two clients connect (or the server relays); the conversation's tab opens. */
  public void acceptDirect(String link) {
    model.directRequestGone(link);
    client.acceptDirect(link)
        .whenComplete(
            (ok, err) -> {
              if (err != null) {
                model.status("status.error", unwrap(err).getMessage());
              }
            });
  }

  /** Declines a direct request; the requester is told and learns nothing about you. */
  public void declineDirect(String link) {
    model.directRequestGone(link);
    client.declineDirect(link);
  }

  private void sendDirect(Conversation c, String text) {
    if (c.mode() == DirectMode.CLOSED || c.mode() == DirectMode.ASKING) {
      model.status(c.mode() == DirectMode.CLOSED ? "status.direct_ended" : "status.direct_waiting", c.peer());
      return;
    }
    String conv = c.id();
    long localId = model.outgoingDirect(conv, text);
    client.sendDirect(c.link(), text)
        .whenComplete(
            (ok, err) -> {
              if (err != null) {
                model.failed(conv, localId);
                model.status("status.send_failed", unwrap(err).getMessage());
              } else {
                model.sent(conv, localId);
              }
            });
  }

  static String address(InetSocketAddress a) {
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    return (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  // ---- files to users ----

  /** Offers {@code file} to {@code peer}: it goes to the server, which keeps it for them until they answer. */
  public void sendFile(String peer, Path file) {
    if (peer == null || file == null || client == null) {
      return;
    }
    long id = model.transferStarted(Transfer.Kind.OFFER_OUT, name(file), peer, size(file));
    client.offer(peer, file, progress(id))
        .whenComplete(
            (info, err) -> {
              if (err != null) {
                model.transferFailed(id, unwrap(err).getMessage());
                model.status("status.offer_failed", name(file), peer, unwrap(err).getMessage());
              } else {
                model.transferDone(id, null);
                model.status("status.offered", info.name(), peer);
              }
            });
  }

  /** Accepts an offer: saved in the downloads folder under a safe name the library picks, verified, then removed. */
  public void acceptOffer(String fileId) {
    ServerFrame.FileInfo f = model.offerAnswered(fileId);
    if (f == null) {
      return;
    }
    long id = model.transferStarted(Transfer.Kind.OFFER_IN, f.name(), f.owner(), f.size());
    Path dir = readyDownloads(id);
    if (dir == null) {
      model.offerUnanswered(f);
      return;
    }
    client.acceptOffer(f, dir, progress(id))
        .whenComplete(
            (saved, err) -> {
              if (err != null) {
                model.transferFailed(id, unwrap(err).getMessage());
                model.offerUnanswered(f); // it is still on the server: the user may try again
              } else {
                model.transferDone(id, saved.toString());
              }
            });
  }

  /** Declines an offer: the server deletes it. */
  public void declineOffer(String fileId) {
    ServerFrame.FileInfo f = model.offerAnswered(fileId);
    if (f == null) {
      return;
    }
    client.declineOffer(f)
        .whenComplete(
            (ok, err) -> {
              if (err != null) {
                model.offerUnanswered(f);
                model.status("status.error", unwrap(err).getMessage());
              }
            });
  }

  // ---- the server's file area ----

  /** Lists the file area again. */
  public void refreshFiles() {
    if (client == null || closed) {
      return;
    }
    client.files()
        .whenComplete(
            (list, err) -> {
              if (err != null) {
                model.filesStatus("files.failed", unwrap(err).getMessage());
              } else {
                model.files(list);
              }
            });
  }

  /** Uploads {@code file} to the area (registered users only: a guest gets the server's refusal, shown as is). */
  public void upload(Path file) {
    if (file == null || client == null) {
      return;
    }
    long id = model.transferStarted(Transfer.Kind.UPLOAD, name(file), null, size(file));
    model.filesStatus("files.uploading", name(file));
    client.upload(file, progress(id))
        .whenComplete(
            (info, err) -> {
              if (err != null) {
                model.transferFailed(id, unwrap(err).getMessage());
                model.filesStatus("files.upload_failed", name(file), unwrap(err).getMessage());
              } else {
                model.transferDone(id, null);
                model.filesStatus("files.uploaded", info.name());
                refreshFiles();
              }
            });
  }

  /** Downloads a file of the area into the downloads folder (a safe name, never overwriting), verified. */
  public void download(ServerFrame.FileInfo f) {
    long id = model.transferStarted(Transfer.Kind.DOWNLOAD, f.name(), null, f.size());
    Path dir = readyDownloads(id);
    if (dir == null) {
      return;
    }
    client.download(f.id(), dir, progress(id))
        .whenComplete(
            (saved, err) -> {
              if (err != null) {
                model.transferFailed(id, unwrap(err).getMessage());
                model.filesStatus("files.download_failed", f.name(), unwrap(err).getMessage());
              } else {
                model.transferDone(id, saved.toString());
                model.filesStatus("files.downloaded", f.name(), saved.toString());
              }
            });
  }

  /** Deletes your file from the area (the server refuses anyone else's). */
  public void deleteFile(ServerFrame.FileInfo f) {
    client.deleteFile(f.id())
        .whenComplete(
            (ok, err) -> {
              if (err != null) {
                model.filesStatus("files.delete_failed", f.name(), unwrap(err).getMessage());
              } else {
                model.filesStatus("files.deleted", f.name());
                refreshFiles();
              }
            });
  }

  private TransferListener progress(long id) {
    return p -> model.transferProgress(id, p);
  }

  /** The downloads folder, created if missing (a quick local mkdir); null, with the transfer failed, if it cannot be. */
  private Path readyDownloads(long transfer) {
    Path dir = downloads.get();
    try {
      Files.createDirectories(dir);
      return dir;
    } catch (IOException | RuntimeException e) {
      model.transferFailed(transfer, "cannot create " + dir + ": " + e.getMessage());
      return null;
    }
  }

  private static String name(Path file) {
    Path n = file.getFileName();
    return n == null ? file.toString() : n.toString();
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1; // the library reports the problem when it opens the file
    }
  }

  /**
   * Moves the session to another transport: a second client connects over {@code to} and resumes the session
   * with its token; once it is logged in, it replaces the first one, which is closed without logging out. Messages
   * that arrive on either meanwhile are shown once (the model ignores a message id it has). If the new connection
   * fails, the old one stays in use. Choosing the current transport reconnects over it.
   */
  public void switchTransport(Transport to) {
    if (closed || model.switchingTransport() || client == null || client.token() == null) {
      return;
    }
    model.transport(transport, true);
    model.status("status.switching", to.name());
    Events events = new Events();
    CharlaClient next = connector.open(to, events);
    events.owner = next;
    String token = client.token();
    next.connect()
        .thenCompose(w -> next.resume(token))
        .whenComplete(
            (loggedIn, err) -> {
              if (closed) {
                next.close();
                return;
              }
              if (err != null) {
                next.close();
                model.transport(transport, false);
                model.status("status.switch_failed", to.name(), unwrap(err).getMessage());
                return;
              }
              CharlaClient old = client;
              client = next;
              transport = to;
              old.close();
              model.identity(loggedIn.you());
              model.transport(to, false);
              model.connection(ConnectionState.LOGGED_IN, "");
              model.status("status.switched", to.name());
              refreshPeople();
            });
  }

  /** After a reconnect: fetch the newest page of every open conversation and add what was missed. */
  private void catchUp(CharlaClient c) {
    for (Conversation conv : model.conversations()) {
      if (conv.isDirectLink()) {
        continue; // never stored: nothing to catch up
      }
      String id = conv.id();
      c.history(id, null, PAGE)
          .whenComplete(
              (page, err) -> {
                if (err == null) {
                  model.caughtUp(id, page.messages());
                }
              });
    }
  }

  public void refreshPeople() {
    if (client == null || closed) {
      return;
    }
    client.who()
        .whenComplete(
            (sessions, err) -> {
              if (err == null) {
                model.people(sessions);
              }
            });
  }

  public void refreshRooms() {
    if (client == null || closed) {
      return;
    }
    client.rooms()
        .whenComplete(
            (rooms, err) -> {
              if (err == null) {
                model.rooms(rooms);
              }
            });
  }

  /** Ends the session on the server (revoking its token), then closes. */
  public CompletableFuture<Void> logout() {
    if (client == null || closed) {
      return CompletableFuture.completedFuture(null);
    }
    return client.logout().handle((ok, err) -> null).thenRun(this::close);
  }

  /** Closes the connection without logging out. Safe to call twice. */
  @Override
  public void close() {
    closed = true;
    whoSoon.stop();
    refresh.stop();
    if (client != null) {
      client.close();
    }
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  /**
   * The listener of one client. Messages are taken from any client of this session (the model drops duplicates,
   * which matters while switching transport); state changes and errors only from the current one.
   */
  private final class Events implements ChatListener {
    CharlaClient owner;
    private boolean lost;

    private boolean current() {
      return owner == client && !closed;
    }

    @Override
    public void onMessage(ServerFrame.Msg m) {
      if (closed || model.myName() == null) {
        return;
      }
      ChatModel.Received r = model.receive(m);
      if (r.news() && !r.conversation().isRoom() && !focused.getAsBoolean()) {
        notifier.privateMessage(m.from(), m.text());
      }
    }

    @Override
    public void onRoomEvent(ServerFrame.RoomEvent e) {
      if (!current()) {
        return;
      }
      model.roomEvent(e.room(), e.user(), e.event());
      whoSoon.restart();
    }

    @Override
    public void onTopic(ServerFrame.TopicSet t) {
      if (!closed) {
        model.topic(t.room(), t.topic());
      }
    }

    @Override
    public void onStateChanged(ConnectionState state, String detail) {
      if (!current()) {
        return;
      }
      model.connection(state, detail);
      if (state == ConnectionState.RECONNECTING) {
        lost = true;
      } else if (state == ConnectionState.LOGGED_IN && lost) {
        lost = false;
        owner.whoami().whenComplete((you, err) -> {
          if (err == null) {
            model.identity(you);
          }
        });
        refreshPeople();
        refreshRooms();
        catchUp(owner);
      }
    }

    @Override
    public void onFileOffer(ServerFrame.FileInfo file) {
      if (!closed) {
        model.offered(file);
      }
    }

    @Override
    public void onDirectRequest(String link, String from) {
      if (!closed) {
        model.directRequested(link, from);
      }
    }

    /** From any client of this session: a link of a client being replaced still reports that it ended. */
    @Override
    public void onDirectState(String link, String peer, DirectMode mode, String detail) {
      if (closed) {
        return;
      }
      String id = ChatModel.linkConversation(link);
      boolean isNew = model.conversation(id) == null;
      String shown = detail;
      if (mode == DirectMode.DIRECT) {
        InetSocketAddress a = owner.directPeerAddress(link);
        shown = a == null ? detail : address(a);
      }
      model.directState(link, peer, mode, shown);
      if (isNew && model.conversation(id) != null) {
        model.active(id); // you asked, or you accepted: show it
      }
    }

    @Override
    public void onDirectMessage(String link, String from, String text, boolean relayed) {
      if (!closed) {
        model.directMessage(link, from, text, relayed);
      }
    }

    @Override
    public void onError(ChatException error) {
      if (current()) {
        model.status("status.error", error.getMessage());
      }
    }
  }
}
