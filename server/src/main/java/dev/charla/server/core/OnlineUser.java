package dev.charla.server.core;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A user with at least one session online. Membership of rooms is per user: all sessions of a user are in the
 * same rooms. Registered users' memberships are also stored; guests' live only here.
 *
 * <p>Thread rules: {@link #sessions} and {@link #rooms} are concurrent collections read by the fan-out thread
 * without locks; they are only modified under the {@link ChatCore} lock.
 */
final class OnlineUser {
  final String key;
  final String displayName;
  final boolean guest;
  /** Account id for registered users; -1 for guests. */
  final long accountId;
  final List<Session> sessions = new CopyOnWriteArrayList<>();
  /** Sized for a few rooms (most users are in one or two): the default table of 16 would cost 64 bytes more per user. */
  final Set<String> rooms = ConcurrentHashMap.newKeySet(2);

  OnlineUser(String key, String displayName, boolean guest, long accountId) {
    this.key = key;
    this.displayName = displayName;
    this.guest = guest;
    this.accountId = accountId;
  }

  void deliver(byte[] frame) {
    for (Session s : sessions) {
      s.deliverLive(frame);
    }
  }

  /**
   * Queues a frame to every session and lists each once (see {@link Session#list}) in {@code flushList}: the
   * batch's sessions to flush at once ({@code now}) or its deferred ones. Only the thread fanning out a batch calls
   * this.
   */
  void write(byte[] frame, List<Session> flushList, boolean now) {
    for (Session s : sessions) {
      s.writeLive(frame);
      s.list(flushList, now);
    }
  }
}
