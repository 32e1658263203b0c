package dev.charla.terminal;

import dev.charla.protocol.Names;
import dev.charla.protocol.ServerFrame;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The oldest message shown so far in each conversation, so that each {@code /history} continues further back.
 * Keyed by what the user types ({@code #room} or {@code @user}, user names by their key), not by the server's
 * conversation id. Written from the event thread (live messages) and the reader thread (replies); a concurrent
 * map with {@code merge(min)} keeps both right in any order.
 */
final class OldestSeen {
  private final Map<String, Long> oldest = new ConcurrentHashMap<>();

  void record(ServerFrame.Msg m, String me) {
    oldest.merge(key(targetOf(m, me)), m.seq(), Math::min);
  }

  void recordAll(Collection<ServerFrame.Msg> messages, String me) {
    for (ServerFrame.Msg m : messages) {
      record(m, me);
    }
  }

  /** The oldest seq shown in {@code conv} ({@code #room} or {@code @user}), or null if none was. */
  Long oldest(String conv) {
    return oldest.get(key(conv));
  }

  /** The conversation a message belongs to, as the user names it: {@code #room} or {@code @other}. */
  static String targetOf(ServerFrame.Msg m, String me) {
    if (!ChatFormatter.isPrivate(m)) {
      return m.to();
    }
    boolean mine = me != null && Names.userKey(m.from()).equals(Names.userKey(me));
    return "@" + (mine ? m.to() : m.from());
  }

  private static String key(String conv) {
    return conv.toLowerCase(java.util.Locale.ROOT);
  }
}
