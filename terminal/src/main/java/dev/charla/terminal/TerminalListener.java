package dev.charla.terminal;

import dev.charla.client.ChatException;
import dev.charla.client.ChatListener;
import dev.charla.client.ConnectionState;
import dev.charla.protocol.ServerFrame;

/**
 * Shows what the server pushes. Runs on the client's event thread, one event at a time (so {@link #state} needs
 * no lock); prints through {@link Screen}, which is safe from any thread.
 */
final class TerminalListener implements ChatListener {
  private final Screen screen;
  private final ChatFormatter format;
  private final OldestSeen seen;
  private final Runnable onClosed;

  /** Set once after login by the reader thread, read on the event thread. */
  private volatile String me;

  /** Set by the reader thread before it closes the client on purpose, so the close is not reported as a loss. */
  private volatile boolean closing;

  /** Direct conversations and requests, by user. */
  private final DirectChats direct = new DirectChats();

  /** Only accessed on the event thread. */
  private ConnectionState state = ConnectionState.CONNECTING;

  /**
   * @param onClosed called on the event thread when the connection is closed for good without the user asking
   */
  TerminalListener(Screen screen, ChatFormatter format, OldestSeen seen, Runnable onClosed) {
    this.screen = screen;
    this.format = format;
    this.seen = seen;
    this.onClosed = onClosed;
  }

  void loggedInAs(String name) {
    this.me = name;
  }

  String me() {
    return me;
  }

  DirectChats direct() {
    return direct;
  }

  @Override
  public void onDirectRequest(String link, String from) {
    direct.requested(from, link);
    screen.print(format.note(from + " asks for a direct conversation: /accept-direct " + from + " or /decline-direct "
        + from));
  }

  @Override
  public void onDirectState(String link, String peer, dev.charla.client.DirectMode mode, String detail) {
    direct.state(peer, link, mode);
    screen.print(format.note(DirectChats.describe(peer, mode, detail)));
  }

  @Override
  public void onDirectMessage(String link, String from, String text, boolean relayed) {
    screen.print((relayed ? "[relayed] " : "[direct] ") + from + ": " + text);
  }

  void closing() {
    this.closing = true;
  }

  @Override
  public void onMessage(ServerFrame.Msg message) {
    seen.record(message, me);
    screen.print(format.message(message, me));
  }

  @Override
  public void onRoomEvent(ServerFrame.RoomEvent event) {
    screen.print(format.roomEvent(event));
  }

  @Override
  public void onTopic(ServerFrame.TopicSet topic) {
    screen.print(format.topic(topic));
  }

  @Override
  public void onStateChanged(ConnectionState now, String detail) {
    ConnectionState previous = state;
    state = now;
    if (closing) {
      return;
    }
    String line = format.state(previous, now, detail);
    if (line != null) {
      screen.print(line);
    }
    if (now == ConnectionState.CLOSED && previous == ConnectionState.LOGGED_IN
        || now == ConnectionState.CLOSED && previous == ConnectionState.RECONNECTING) {
      onClosed.run();
    }
  }

  @Override
  public void onFileOffer(ServerFrame.FileInfo file) {
    String how = dev.charla.client.CharlaClient.isDirectFile(file.id()) ? " over your direct connection" : "";
    screen.print(format.note(file.owner() + " offers you " + file.name() + " (" + CommandRunner.bytes(file.size())
        + ")" + how + ": /accept " + file.id() + " [folder]  or  /decline " + file.id()));
  }

  @Override
  public void onError(ChatException error) {
    if (!closing) {
      screen.print(format.error(error));
    }
  }
}
