package dev.charla.server.core;

import dev.charla.protocol.ServerFrame;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A room and its members who are online. Thread rules: {@link #online} and {@link #members} are read without
 * locks (the fan-out thread reads {@link #members} for every message) and changed only through {@link #add} and
 * {@link #remove}, under the {@link Directory} lock; {@link #topic} is volatile.
 */
final class Room {
  final String name;
  volatile String topic;
  /** Seq of the latest message fanned out; written only by the fan-out thread. */
  volatile long lastSeq;
  final Set<OnlineUser> online = ConcurrentHashMap.newKeySet();
  /**
   * The same members as an array, replaced (never changed) on each join or leave: iterating it for every message
   * is several times cheaper than walking a concurrent hash set, and membership changes are rare by comparison.
   */
  volatile OnlineUser[] members = new OnlineUser[0];

  /** Under the Directory lock. */
  boolean add(OnlineUser u) {
    boolean added = online.add(u);
    if (added) {
      members = online.toArray(OnlineUser[]::new);
    }
    return added;
  }

  /** Under the Directory lock. */
  boolean remove(OnlineUser u) {
    boolean removed = online.remove(u);
    if (removed) {
      members = online.toArray(OnlineUser[]::new);
    }
    return removed;
  }

  ServerFrame.RoomInfo info() {
    return new ServerFrame.RoomInfo(name, topic, online.size(), lastSeq);
  }

  Room(String name, String topic) {
    this.name = name;
    this.topic = topic;
  }
}
