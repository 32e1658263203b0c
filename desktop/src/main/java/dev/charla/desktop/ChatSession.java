package dev.charla.desktop;

import dev.charla.client.CharlaClient;
import dev.charla.client.ChatException;
import dev.charla.client.ChatListener;
import dev.charla.client.ConnectionState;
import dev.charla.client.Transport;
import dev.charla.desktop.model.ChatModel;
import dev.charla.desktop.model.Conversation;
import dev.charla.protocol.Names;
import dev.charla.protocol.ServerFrame;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
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

  /** Closes a tab; for a room, leaves it too. */
  public void closeConversation(String conv) {
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
    public void onError(ChatException error) {
      if (current()) {
        model.status("status.error", error.getMessage());
      }
    }
  }
}
