package dev.charla.server.it;

import dev.charla.client.ChatException;
import dev.charla.client.ChatListener;
import dev.charla.client.ConnectionState;
import dev.charla.client.Transport;
import dev.charla.protocol.ServerFrame;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records everything a client is told, for assertions (with Awaitility). */
final class RecordingListener implements ChatListener {
  final List<ServerFrame.Msg> messages = new CopyOnWriteArrayList<>();
  final List<ServerFrame.RoomEvent> roomEvents = new CopyOnWriteArrayList<>();
  final List<ServerFrame.TopicSet> topics = new CopyOnWriteArrayList<>();
  final List<ConnectionState> states = new CopyOnWriteArrayList<>();
  final List<ChatException> errors = new CopyOnWriteArrayList<>();
  final List<ServerFrame.FileInfo> offers = new CopyOnWriteArrayList<>();
  /** Direct requests as "link from", states as "link MODE detail", messages as "from: text (direct|relayed)". */
  final List<String> directRequests = new CopyOnWriteArrayList<>();
  final List<String> directStates = new CopyOnWriteArrayList<>();
  final List<String> directMessages = new CopyOnWriteArrayList<>();

  @Override
  public void onDirectRequest(String link, String from) {
    directRequests.add(link + " " + from);
  }

  @Override
  public void onDirectState(String link, String peer, dev.charla.client.DirectMode mode, String detail) {
    directStates.add(link + " " + mode + " " + detail);
  }

  @Override
  public void onDirectMessage(String link, String from, String text, boolean relayed) {
    directMessages.add(from + ": " + text + (relayed ? " (relayed)" : " (direct)"));
  }

  @Override
  public void onFileOffer(ServerFrame.FileInfo file) {
    offers.add(file);
  }

  /** The transport each message of {@link #messages} arrived on, in the same order. */
  final List<Transport> arrivedOn = new CopyOnWriteArrayList<>();

  @Override
  public void onMessage(ServerFrame.Msg message, Transport transport) {
    messages.add(message);
    arrivedOn.add(transport);
  }

  @Override
  public void onRoomEvent(ServerFrame.RoomEvent event) {
    roomEvents.add(event);
  }

  @Override
  public void onTopic(ServerFrame.TopicSet topic) {
    topics.add(topic);
  }

  @Override
  public void onStateChanged(ConnectionState state, String detail) {
    states.add(state);
  }

  @Override
  public void onError(ChatException error) {
    errors.add(error);
  }

  List<String> texts() {
    return messages.stream().map(ServerFrame.Msg::text).toList();
  }

  List<String> textsIn(String conv) {
    return messages.stream().filter(m -> m.conv().equals(conv)).map(ServerFrame.Msg::text).toList();
  }
}
