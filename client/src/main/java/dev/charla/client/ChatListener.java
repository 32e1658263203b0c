package dev.charla.client;

import dev.charla.protocol.ServerFrame;

/**
 * Receives what the server pushes. Called on the executor given to {@link CharlaClient.Builder#eventExecutor},
 * one event at a time, in arrival order. Implementations must not block for long.
 */
public interface ChatListener {
  /** A message in a room or a private conversation, including your own (echoed to all your sessions). */
  default void onMessage(ServerFrame.Msg message) {}

  /**
   * The same, with the transport the message arrived on here (the sender's transport is {@code message.via()}).
   * The library calls this one; by default it forwards to {@link #onMessage(ServerFrame.Msg)}.
   */
  default void onMessage(ServerFrame.Msg message, Transport arrivedOn) {
    onMessage(message);
  }

  /** Someone joined or left a room you are in. */
  default void onRoomEvent(ServerFrame.RoomEvent event) {}

  /** A room's topic changed. */
  default void onTopic(ServerFrame.TopicSet topic) {}

  /** The connection state changed; {@code detail} says why, for people. */
  default void onStateChanged(ConnectionState state, String detail) {}

  /**
   * Someone offers you a file (now, or while you were offline). Accept it with
   * {@link CharlaClient#acceptOffer}, decline it with {@link CharlaClient#declineOffer}.
   */
  default void onFileOffer(ServerFrame.FileInfo file) {}

  /**
   * {@code from} asks you for a direct conversation: answer with {@link CharlaClient#acceptDirect} or
   * {@link CharlaClient#declineDirect}. Nothing about your addresses is told to anyone until you accept.
   */
  default void onDirectRequest(String link, String from) {}

  /**
   * A direct conversation changed mode: {@link DirectMode#DIRECT} (with the peer's address in {@code detail}),
   * {@link DirectMode#RELAYED}, {@link DirectMode#CLOSED} (with the reason) and so on.
   */
  default void onDirectState(String link, String peer, DirectMode mode, String detail) {}

  /** A message of direct conversation {@code link}; {@code relayed} if it came through the server. */
  default void onDirectMessage(String link, String from, String text, boolean relayed) {}

  /** An error not tied to a request (for example, the server closing the connection). */
  default void onError(ChatException error) {}
}
