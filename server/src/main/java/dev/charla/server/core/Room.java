package dev.charla.server.core;

import dev.charla.protocol.ServerFrame;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A room and its members who are online. Thread rules: {@link #online} is read without locks and changed only
 * through {@link #add} and {@link #remove}, under the {@link Directory} lock and this room's monitor; the
 * fan-out thread reads {@link #members()} for every message; {@link #topic} is volatile.
 */
final class Room {
  final String name;
  volatile String topic;
  /** Seq of the latest message fanned out; written only by the thread fanning out (see MessageLog). */
  volatile long lastSeq;
  final Set<OnlineUser> online = ConcurrentHashMap.newKeySet();
  /**
   * The same members as an array, never changed once built: iterating it for every message is several times
   * cheaper than walking a concurrent hash set. A join or leave only drops it (null), and the next fan-out builds
   * it again: built on every join instead, 10 000 logins into #lobby copied 50 million references (O(n²)
   * garbage that made G1 grow its heap). Guarded by this room's monitor for writes; read without a lock.
   */
  private volatile OnlineUser[] members;

  /** Under the Directory lock. */
  boolean add(OnlineUser u) {
    synchronized (this) {
      boolean added = online.add(u);
      if (added) {
        members = null;
      }
      return added;
    }
  }

  /** Under the Directory lock. */
  boolean remove(OnlineUser u) {
    synchronized (this) {
      boolean removed = online.remove(u);
      if (removed) {
        members = null;
      }
      return removed;
    }
  }

  /** The members online now, as an array not to be modified; any thread. */
  OnlineUser[] members() {
    OnlineUser[] m = members;
    if (m == null) {
      synchronized (this) {
        m = members;
        if (m == null) {
          m = online.toArray(OnlineUser[]::new);
          members = m;
        }
      }
    }
    return m;
  }

  ServerFrame.RoomInfo info() {
    return new ServerFrame.RoomInfo(name, topic, online.size(), lastSeq);
  }

  Room(String name, String topic) {
    this.name = name;
    this.topic = topic;
  }
}
