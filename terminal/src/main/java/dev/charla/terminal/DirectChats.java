package dev.charla.terminal;

import dev.charla.client.DirectMode;
import dev.charla.protocol.Names;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The terminal's direct conversations and the requests made to it, by user: the event thread records them, the
 * reader thread looks them up for {@code /accept-direct}, {@code /dm} and {@code /close-direct}. Concurrent maps,
 * so no lock.
 */
final class DirectChats {
  /** Requests waiting for our answer: user key → link. */
  private final Map<String, String> requests = new ConcurrentHashMap<>();
  /** Conversations asked for or accepted and not closed: user key → link. */
  private final Map<String, String> links = new ConcurrentHashMap<>();

  void requested(String from, String link) {
    requests.put(Names.userKey(from), link);
  }

  /** The request from {@code user}, or the only one waiting when {@code user} is null; removed. Null if none. */
  String takeRequest(String user) {
    if (user != null) {
      return requests.remove(Names.userKey(user));
    }
    if (requests.size() != 1) {
      return null;
    }
    String key = requests.keySet().iterator().next();
    return requests.remove(key);
  }

  void opened(String user, String link) {
    links.put(Names.userKey(user), link);
  }

  String linkWith(String user) {
    return links.get(Names.userKey(user));
  }

  void state(String peer, String link, DirectMode mode) {
    if (mode == DirectMode.CLOSED) {
      links.remove(Names.userKey(peer), link);
      requests.remove(Names.userKey(peer), link);
    } else {
      links.put(Names.userKey(peer), link);
    }
  }

  /** The line shown when a conversation changes mode. */
  static String describe(String peer, DirectMode mode, String detail) {
    return switch (mode) {
      case ASKING -> "asked " + peer + " for a direct conversation; waiting for an answer";
      case CONNECTING -> peer + " accepted: connecting directly (" + detail + ")";
      case DIRECT -> "direct conversation with " + peer + ": DIRECT, the server does not see it (" + detail
          + "); /dm " + peer + " <text>";
      case RELAYED -> "direct conversation with " + peer + ": RELAYED through the server (" + detail + "); /dm "
          + peer + " <text>";
      case CLOSED -> "direct conversation with " + peer + " ended (" + detail + ")";
    };
  }
}
