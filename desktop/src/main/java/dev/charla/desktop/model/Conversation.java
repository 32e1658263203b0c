package dev.charla.desktop.model;

import dev.charla.client.DirectMode;
import dev.charla.protocol.Names;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A room, a private conversation or a direct conversation as the window shows it: its lines in display order, the
 * unread count and how far back its history has been loaded; for a direct conversation, how it travels now.
 * Mutated only through {@link ChatModel}, on the UI thread.
 */
public final class Conversation {
  private final String id;
  private String peer;
  private final List<Entry> entries = new ArrayList<>();
  private final Set<Long> sids = new HashSet<>();
  private int unread;
  private boolean hasOlder = true;
  private boolean loadingOlder;
  private String topic;
  private final String link;
  private DirectMode mode;
  private String modeDetail = "";

  Conversation(String id, String peer) {
    this(id, peer, null);
  }

  Conversation(String id, String peer, String link) {
    this.id = id;
    this.peer = peer;
    this.link = link;
    if (link != null) {
      this.hasOlder = false; // the server keeps nothing of a direct conversation
    }
  }

  /** The conversation id: {@code #room}, {@code @a,b}, or {@code direct:<link>} for a direct conversation. */
  public String id() {
    return id;
  }

  public boolean isRoom() {
    return id.startsWith("#");
  }

  /** For a private conversation, the other person's name as they spell it; null for a room. */
  public String peer() {
    return peer;
  }

  /** The link id of a direct conversation (client to client, or relayed; never stored), else null. */
  public String link() {
    return link;
  }

  public boolean isDirectLink() {
    return link != null;
  }

  /** How a direct conversation travels now; null for other conversations (and before the model sets the first). */
  public DirectMode mode() {
    return mode;
  }

  /** For {@link DirectMode#DIRECT} the peer's {@code ip:port}; for {@link DirectMode#CLOSED} the reason. */
  public String modeDetail() {
    return modeDetail;
  }

  /** What a tab shows: {@code #room}, {@code @name}, or {@code ⇄ name} for a direct conversation. */
  public String title() {
    return isRoom() ? id : isDirectLink() ? "⇄ " + peer : "@" + peer;
  }

  /** Where to send: the room, or {@code @peer}. */
  public String target() {
    return isRoom() ? id : "@" + Names.userKey(peer);
  }

  public List<Entry> entries() {
    return Collections.unmodifiableList(entries);
  }

  public int unread() {
    return unread;
  }

  /** Whether the server may hold older messages than the first one shown. */
  public boolean hasOlder() {
    return hasOlder;
  }

  public boolean loadingOlder() {
    return loadingOlder;
  }

  public String topic() {
    return topic;
  }

  /** The sequence number of the oldest stored message shown, or null if none is. */
  public Long oldestSeq() {
    Long oldest = null;
    for (Entry e : entries) {
      if (e.isMessage() && e.seq() > 0 && (oldest == null || e.seq() < oldest)) {
        oldest = e.seq();
      }
    }
    return oldest;
  }

  // ---- package-private mutators, called by ChatModel ----

  void peer(String spelling) {
    this.peer = spelling;
  }

  void mode(DirectMode m, String detail) {
    this.mode = m;
    this.modeDetail = detail == null ? "" : detail;
  }

  void topic(String t) {
    this.topic = t;
  }

  boolean seen(long sid) {
    return sid != 0 && sids.contains(sid);
  }

  void append(Entry e) {
    entries.add(e);
    if (e.sid() != 0) {
      sids.add(e.sid());
    }
  }

  /** Inserts a message among the others by its sequence number (after any line with a lower or no number). */
  void insertBySeq(Entry e) {
    int at = entries.size();
    for (int i = entries.size() - 1; i >= 0; i--) {
      Entry x = entries.get(i);
      if (x.isMessage() && x.seq() > e.seq()) {
        at = i;
      } else if (x.isMessage() && x.seq() > 0 && x.seq() < e.seq()) {
        break;
      }
    }
    entries.add(at, e);
    if (e.sid() != 0) {
      sids.add(e.sid());
    }
  }

  /** Puts older messages (oldest first) before everything shown, skipping any already shown. */
  int prepend(List<Entry> older) {
    List<Entry> fresh = new ArrayList<>();
    for (Entry e : older) {
      if (!seen(e.sid())) {
        fresh.add(e);
        sids.add(e.sid());
      }
    }
    entries.addAll(0, fresh);
    return fresh.size();
  }

  int indexOfLocal(long localId) {
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).localId() == localId) {
        return i;
      }
    }
    return -1;
  }

  int indexOfSid(long sid) {
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).sid() == sid) {
        return i;
      }
    }
    return -1;
  }

  /** The first own message still sending with this text: the echo of a send whose reply has not come yet. */
  int indexOfSending(String text) {
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      if (e.state() == MessageState.SENDING && e.text().equals(text)) {
        return i;
      }
    }
    return -1;
  }

  void replace(int index, Entry e) {
    entries.set(index, e);
    if (e.sid() != 0) {
      sids.add(e.sid());
    }
  }

  void unread(int n) {
    this.unread = n;
  }

  void hasOlder(boolean more) {
    this.hasOlder = more;
  }

  void loadingOlder(boolean loading) {
    this.loadingOlder = loading;
  }
}
