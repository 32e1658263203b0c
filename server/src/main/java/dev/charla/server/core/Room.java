package dev.charla.server.core;

import dev.charla.protocol.ServerFrame;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A room and its members who are online. Thread rules: {@link #online} is read by the fan-out thread without
 * locks and modified only under the {@link ChatCore} lock; {@link #topic} is volatile.
 */
final class Room {
  final String name;
  volatile String topic;
  /** Seq of the latest message fanned out; written only by the fan-out thread. */
  volatile long lastSeq;
  final Set<OnlineUser> online = ConcurrentHashMap.newKeySet();

  ServerFrame.RoomInfo info() {
    return new ServerFrame.RoomInfo(name, topic, online.size(), lastSeq);
  }

  Room(String name, String topic) {
    this.name = name;
    this.topic = topic;
  }
}
