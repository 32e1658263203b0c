package dev.charla.server.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A room and its members who are online. Thread rules: {@link #online} is read by the fan-out thread without
 * locks and modified only under the {@link ChatCore} lock; {@link #topic} is volatile.
 */
final class Room {
  final String name;
  volatile String topic;
  final Set<OnlineUser> online = ConcurrentHashMap.newKeySet();

  Room(String name, String topic) {
    this.name = name;
    this.topic = topic;
  }
}
