package dev.charla.server.core;

import dev.charla.protocol.Names;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is online and which rooms exist. Shared by the request handlers ({@link ChatCore}) and the delivery
 * pipeline ({@link MessageLog}).
 *
 * <p>Thread rules: the maps are concurrent and read without locks (the fan-out thread reads them on every
 * message); every structural change (a user coming online or going offline, joining or leaving a room) is made
 * while holding {@code this}, so that changes compose atomically.
 */
final class Directory {
  /** Online users by user key. */
  final ConcurrentHashMap<String, OnlineUser> users = new ConcurrentHashMap<>();
  /** All rooms by room key (loaded at start, created on first join). */
  final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();

  Room room(String name) {
    return rooms.get(Names.roomKey(name));
  }
}
