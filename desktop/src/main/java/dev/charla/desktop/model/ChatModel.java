package dev.charla.desktop.model;

import dev.charla.client.ConnectionState;
import dev.charla.client.DirectMode;
import dev.charla.client.TransferProgress;
import dev.charla.client.Transport;
import dev.charla.protocol.Names;
import dev.charla.protocol.ServerFrame.FileInfo;
import dev.charla.protocol.ServerFrame.FileList;
import dev.charla.protocol.ServerFrame.Msg;
import dev.charla.protocol.ServerFrame.RoomInfo;
import dev.charla.protocol.ServerFrame.SessionInfo;
import dev.charla.protocol.ServerFrame.Stored;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * What the windows show, without Swing: who you are, the connection, the rooms, the people online, the open
 * conversations with their lines, unread counts and message states, direct conversations and how they travel, the
 * questions waiting for the user (direct requests, file offers), file transfers and the server's file area. Views
 * listen for {@link Change}s and read the model back; {@code ChatSession} feeds it from the client library.
 *
 * <p>Threads: confined to the UI thread (the client library delivers its events there); not thread-safe.
 */
public final class ChatModel {

  /** What changed; views re-read the part of the model it names. */
  public enum Change {
    IDENTITY,
    CONNECTION,
    ROOMS,
    PEOPLE,
    OPENED,
    CLOSED,
    ENTRIES,
    UNREAD,
    ACTIVE,
    TOPIC,
    TRANSPORT,
    STATUS,
    /** Direct requests or file offers waiting for an answer came or went. */
    PROMPTS,
    /** A direct conversation changed mode ({@code conv} names it). */
    DIRECT,
    TRANSFERS,
    /** The file area listing or its status line changed. */
    FILES
  }

  /** Told about every change; {@code conv} is the conversation concerned, or null. */
  public interface Listener {
    void changed(Change change, String conv);
  }

  private final LongSupplier clock;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Conversation> conversations = new LinkedHashMap<>();
  private SessionInfo me;
  private ConnectionState connection = ConnectionState.CONNECTING;
  private String connectionDetail = "";
  private List<RoomInfo> rooms = List.of();
  private List<Person> people = List.of();
  private String active;
  private long nextLocalId = 1;
  private Transport transport = Transport.TCP;
  private boolean switchingTransport;
  private Status status;
  private final List<DirectRequest> directRequests = new ArrayList<>();
  private final Map<String, FileInfo> offers = new LinkedHashMap<>();
  /** Offers answered here: the server offers them again at each login until the answer reaches it. */
  private final Set<String> answeredOffers = new HashSet<>();
  private final Map<Long, Transfer> transfers = new LinkedHashMap<>();
  private FileList files;
  private Status filesStatus;

  /** Someone asks you for a direct conversation. */
  public record DirectRequest(String link, String from) {}

  /** A line for the status bar: a message key of the UI's bundle and its arguments. */
  public record Status(String key, List<Object> args) {
    public Status {
      args = List.copyOf(args);
    }
  }

  /** @param clock milliseconds since the epoch, for the time of local lines (notices, messages being sent) */
  public ChatModel(LongSupplier clock) {
    this.clock = clock;
  }

  public ChatModel() {
    this(System::currentTimeMillis);
  }

  public void addListener(Listener l) {
    listeners.add(l);
  }

  public void removeListener(Listener l) {
    listeners.remove(l);
  }

  private void fire(Change c, String conv) {
    for (Listener l : listeners) {
      l.changed(c, conv);
    }
  }

  // ---- identity and connection ----

  public SessionInfo me() {
    return me;
  }

  public String myName() {
    return me == null ? null : me.name();
  }

  public void identity(SessionInfo you) {
    this.me = you;
    fire(Change.IDENTITY, null);
  }

  public ConnectionState connection() {
    return connection;
  }

  public String connectionDetail() {
    return connectionDetail;
  }

  public void connection(ConnectionState state, String detail) {
    this.connection = state;
    this.connectionDetail = detail == null ? "" : detail;
    fire(Change.CONNECTION, null);
  }

  /** Whether to show the "connection lost" banner: while the library reconnects, or once it has given up. */
  public boolean connectionLost() {
    return connection == ConnectionState.RECONNECTING || connection == ConnectionState.CLOSED;
  }

  /** The transport of the session (what new messages are sent over). */
  public Transport transport() {
    return transport;
  }

  /** Whether the client is reconnecting with another transport. */
  public boolean switchingTransport() {
    return switchingTransport;
  }

  public void transport(Transport t, boolean switching) {
    this.transport = t;
    this.switchingTransport = switching;
    fire(Change.TRANSPORT, null);
  }

  public Status status() {
    return status;
  }

  /** Shows {@code key} (with {@code args}) in the status bar; null clears it. */
  public void status(String key, Object... args) {
    this.status = key == null ? null : new Status(key, List.of(args));
    fire(Change.STATUS, null);
  }

  // ---- rooms and people ----

  public List<RoomInfo> rooms() {
    return rooms;
  }

  public void rooms(List<RoomInfo> list) {
    List<RoomInfo> sorted = new ArrayList<>(list);
    sorted.sort(Comparator.comparing(RoomInfo::name));
    this.rooms = List.copyOf(sorted);
    fire(Change.ROOMS, null);
  }

  public List<Person> people() {
    return people;
  }

  /** Groups sessions by user, people sorted by name (case-insensitive), sessions by login time. */
  public void people(List<SessionInfo> sessions) {
    Map<String, List<SessionInfo>> byUser = new LinkedHashMap<>();
    Map<String, SessionInfo> first = new LinkedHashMap<>();
    for (SessionInfo s : sessions) {
      String key = Names.userKey(s.name());
      byUser.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
      first.putIfAbsent(key, s);
    }
    List<Person> list = new ArrayList<>();
    for (Map.Entry<String, List<SessionInfo>> e : byUser.entrySet()) {
      List<SessionInfo> ss = new ArrayList<>(e.getValue());
      ss.sort(Comparator.comparingLong(SessionInfo::since));
      SessionInfo f = first.get(e.getKey());
      list.add(new Person(f.name(), f.guest(), ss));
    }
    list.sort(Comparator.comparing(p -> Names.userKey(p.name())));
    if (!list.equals(people)) {
      this.people = List.copyOf(list);
      fire(Change.PEOPLE, null);
    }
  }

  // ---- conversations ----

  public List<Conversation> conversations() {
    return List.copyOf(conversations.values());
  }

  public Conversation conversation(String id) {
    return conversations.get(id);
  }

  /** The conversation id for a private chat with {@code peer}. */
  public String directId(String peer) {
    return Names.directConversation(Objects.requireNonNull(myName(), "not logged in"), peer);
  }

  /** Opens (or returns) a room's conversation. */
  public Conversation openRoom(String room) {
    return open(Names.roomKey(room), null);
  }

  /** Opens (or returns) the private conversation with {@code peer}. */
  public Conversation openDirect(String peer) {
    return open(directId(peer), peer);
  }

  private Conversation open(String id, String peer) {
    Conversation c = conversations.get(id);
    if (c == null) {
      c = new Conversation(id, peer);
      conversations.put(id, c);
      fire(Change.OPENED, id);
    }
    return c;
  }

  public void close(String id) {
    if (conversations.remove(id) != null) {
      if (id.equals(active)) {
        active = null;
      }
      fire(Change.CLOSED, id);
    }
  }

  /** The conversation the user is looking at; its unread count stays 0. */
  public String active() {
    return active;
  }

  public void active(String id) {
    this.active = id;
    Conversation c = id == null ? null : conversations.get(id);
    if (c != null && c.unread() > 0) {
      c.unread(0);
      fire(Change.UNREAD, id);
    }
    fire(Change.ACTIVE, id);
  }

  public void topic(String room, String topic) {
    Conversation c = conversations.get(Names.roomKey(room));
    if (c != null) {
      c.topic(topic);
      fire(Change.TOPIC, c.id());
    }
  }

  /**
   * A message pushed by the server. Opens its conversation if needed (a private message from someone new), merges
   * the echo of a message this window sent, ignores one already shown, and counts it as unread unless it is yours
   * or its conversation is the active one.
   *
   * @return the conversation, and whether the message was new (not a duplicate or an echo)
   */
  public Received receive(Msg m) {
    Conversation c = conversationFor(m);
    if (c.seen(m.sid())) {
      int i = c.indexOfSid(m.sid());
      Entry e = c.entries().get(i);
      if (e.via() == null || !e.via().equals(m.via())) {
        c.replace(i, e.withVia(m.via()));
        fire(Change.ENTRIES, c.id());
      }
      return new Received(c, false);
    }
    boolean own = isMe(m.from());
    if (own) {
      int i = c.indexOfSending(m.text());
      if (i >= 0) { // the echo came before the stored reply
        c.replace(i, c.entries().get(i).stored(m.sid(), m.seq(), m.ts()).withVia(m.via()));
        fire(Change.ENTRIES, c.id());
        return new Received(c, false);
      }
    }
    c.append(fromMsg(m));
    fire(Change.ENTRIES, c.id());
    if (!own && !c.id().equals(active)) {
      c.unread(c.unread() + 1);
      fire(Change.UNREAD, c.id());
    }
    return new Received(c, !own);
  }

  /** The outcome of {@link #receive}: where the message went and whether it is news to the user. */
  public record Received(Conversation conversation, boolean news) {}

  private Conversation conversationFor(Msg m) {
    if (m.conv().startsWith("#")) {
      return open(m.conv(), null);
    }
    String me = Names.userKey(myName());
    String peerKey = Names.otherParticipant(m.conv(), me);
    Conversation c = conversations.get(m.conv());
    String spelling = Names.userKey(m.from()).equals(peerKey) ? m.from() : peerKey;
    if (c == null) {
      return open(m.conv(), spelling);
    }
    if (Names.userKey(m.from()).equals(peerKey) && !m.from().equals(c.peer())) {
      c.peer(m.from()); // learn how they spell their name
    }
    return c;
  }

  /**
   * A page of history, oldest first: put before what is shown. {@code more} says whether older messages remain.
   *
   * @return how many lines were added
   */
  public int older(String conv, List<Msg> page, boolean more) {
    Conversation c = conversations.get(conv);
    if (c == null) {
      return 0;
    }
    List<Entry> entries = new ArrayList<>();
    for (Msg m : page) {
      entries.add(fromMsg(m));
    }
    int added = c.prepend(entries);
    c.hasOlder(more && !page.isEmpty());
    c.loadingOlder(false);
    fire(Change.ENTRIES, conv);
    return added;
  }

  /**
   * The newest messages of a conversation, fetched after a reconnect: any not shown yet are put in place by their
   * sequence number and count as unread like live ones. Covers conversations the client library does not catch up
   * by itself (it only knows those where it has delivered a message).
   *
   * @return how many were new
   */
  public int caughtUp(String conv, List<Msg> newest) {
    Conversation c = conversations.get(conv);
    if (c == null) {
      return 0;
    }
    int added = 0;
    for (Msg m : newest) {
      if (c.seen(m.sid())) {
        continue;
      }
      boolean own = isMe(m.from());
      if (own && c.indexOfSending(m.text()) >= 0) {
        continue; // ours, still waiting for its stored reply, which will mark it
      }
      c.insertBySeq(fromMsg(m));
      added++;
      if (!own && !c.id().equals(active)) {
        c.unread(c.unread() + 1);
      }
    }
    if (added > 0) {
      fire(Change.ENTRIES, conv);
      fire(Change.UNREAD, conv);
    }
    return added;
  }

  /** Marks that older history is being fetched; false if it already is or there is none. */
  public boolean startLoadingOlder(String conv) {
    Conversation c = conversations.get(conv);
    if (c == null || c.loadingOlder() || !c.hasOlder()) {
      return false;
    }
    c.loadingOlder(true);
    return true;
  }

  public void loadingOlderFailed(String conv) {
    Conversation c = conversations.get(conv);
    if (c != null) {
      c.loadingOlder(false);
    }
  }

  /** A message you are sending: shown at once as {@link MessageState#SENDING}. Returns its local id. */
  public long outgoing(String conv, String text, String via) {
    Conversation c = Objects.requireNonNull(conversations.get(conv), conv);
    long id = nextLocalId++;
    c.append(new Entry(Entry.Kind.MESSAGE, id, 0, 0, myName(), clock.getAsLong(), text, via, true,
        MessageState.SENDING));
    fire(Change.ENTRIES, conv);
    return id;
  }

  /** The server stored a message sent from here. */
  public void stored(String conv, long localId, Stored s) {
    Conversation c = conversations.get(conv);
    if (c == null) {
      return;
    }
    int i = c.indexOfLocal(localId);
    if (i < 0) {
      return;
    }
    Entry e = c.entries().get(i);
    if (e.state() == MessageState.SENDING) {
      c.replace(i, e.stored(s.sid(), s.seq(), s.ts()));
      fire(Change.ENTRIES, conv);
    }
  }

  /** The server refused a message sent from here, or the session ended first. */
  public void failed(String conv, long localId) {
    Conversation c = conversations.get(conv);
    if (c == null) {
      return;
    }
    int i = c.indexOfLocal(localId);
    if (i >= 0 && c.entries().get(i).state() == MessageState.SENDING) {
      c.replace(i, c.entries().get(i).failed());
      fire(Change.ENTRIES, conv);
    }
  }

  /**
   * Someone joined, left, came online or went offline ({@code event} as on the wire); shown in the room if it is
   * open. Unknown events are ignored.
   */
  public void roomEvent(String room, String user, String event) {
    Entry.Kind kind =
        switch (event) {
          case "join" -> Entry.Kind.JOINED;
          case "leave" -> Entry.Kind.LEFT;
          case "online" -> Entry.Kind.ONLINE;
          case "offline" -> Entry.Kind.OFFLINE;
          default -> null;
        };
    Conversation c = room == null ? null : conversations.get(Names.roomKey(room));
    if (kind == null || c == null) {
      return;
    }
    c.append(new Entry(kind, nextLocalId++, 0, 0, user, clock.getAsLong(), null, null, isMe(user),
        MessageState.STORED));
    fire(Change.ENTRIES, c.id());
  }

  // ---- direct conversations ----

  /** The conversation id of direct conversation {@code link}. */
  public static String linkConversation(String link) {
    return "direct:" + link;
  }

  public List<DirectRequest> directRequests() {
    return List.copyOf(directRequests);
  }

  /** {@code from} asks for a direct conversation; shown until answered or withdrawn. */
  public void directRequested(String link, String from) {
    if (directRequests.stream().noneMatch(r -> r.link().equals(link))) {
      directRequests.add(new DirectRequest(link, from));
      fire(Change.PROMPTS, null);
    }
  }

  /** A request was answered here, withdrawn, or answered from another of your sessions. */
  public void directRequestGone(String link) {
    if (directRequests.removeIf(r -> r.link().equals(link))) {
      fire(Change.PROMPTS, null);
    }
  }

  /** The open (not ended) direct conversation with {@code peer}, or null. */
  public Conversation directLinkWith(String peer) {
    for (Conversation c : conversations.values()) {
      if (c.isDirectLink() && c.mode() != DirectMode.CLOSED && Names.userKey(c.peer()).equals(Names.userKey(peer))) {
        return c;
      }
    }
    return null;
  }

  /**
   * Direct conversation {@code link} with {@code peer} now travels as {@code mode}: opens its tab if it has none
   * (your request was passed on, or you accepted one), records the mode and adds a line saying so. A request that
   * ends before it became a conversation only leaves the list of requests.
   */
  public void directState(String link, String peer, DirectMode mode, String detail) {
    String id = linkConversation(link);
    Conversation c = conversations.get(id);
    if (c == null && mode == DirectMode.CLOSED) {
      directRequestGone(link);
      return;
    }
    boolean opened = false;
    if (c == null) {
      c = new Conversation(id, peer, link);
      conversations.put(id, c);
      opened = true;
    }
    if (c.mode() == mode
        && (mode != DirectMode.DIRECT || Objects.equals(c.modeDetail(), detail == null ? "" : detail))) {
      return; // the same news twice (the request's reply and the library's event both say "asking")
    }
    if (c.mode() == DirectMode.CLOSED) {
      return; // ended stays ended; a late event of the old link changes nothing
    }
    c.mode(mode, detail);
    c.append(new Entry(Entry.Kind.DIRECT_MODE, nextLocalId++, 0, 0, peer, clock.getAsLong(), mode.name(), detail,
        false, MessageState.STORED));
    if (opened) {
      fire(Change.OPENED, id); // only now: views read its mode at once
    }
    fire(Change.DIRECT, id);
    fire(Change.ENTRIES, id);
  }

  /** A message of a direct conversation, sent over the direct connection or relayed by the server. */
  public void directMessage(String link, String from, String text, boolean relayed) {
    Conversation c = conversations.get(linkConversation(link));
    if (c == null) {
      return;
    }
    c.append(new Entry(Entry.Kind.MESSAGE, nextLocalId++, 0, 0, from, clock.getAsLong(), text,
        relayed ? "relayed" : "direct", isMe(from), MessageState.STORED));
    fire(Change.ENTRIES, c.id());
    if (!isMe(from) && !c.id().equals(active)) {
      c.unread(c.unread() + 1);
      fire(Change.UNREAD, c.id());
    }
  }

  /**
   * A message you are sending in a direct conversation; {@link #stored}-like completion by {@link #sent} or
   * {@link #failed}. Returns its local id.
   */
  public long outgoingDirect(String conv, String text) {
    Conversation c = Objects.requireNonNull(conversations.get(conv), conv);
    String via = c.mode() == DirectMode.DIRECT ? "direct" : "relayed";
    return outgoing(conv, text, via);
  }

  /** A direct message left this client (over the peer connection, or to the server for relaying). */
  public void sent(String conv, long localId) {
    Conversation c = conversations.get(conv);
    int i = c == null ? -1 : c.indexOfLocal(localId);
    if (i >= 0 && c.entries().get(i).state() == MessageState.SENDING) {
      Entry e = c.entries().get(i);
      c.replace(i, new Entry(e.kind(), e.localId(), 0, 0, e.from(), e.ts(), e.text(), e.via(), true,
          MessageState.STORED));
      fire(Change.ENTRIES, conv);
    }
  }

  // ---- file offers ----

  /** Offers made to you and not answered yet, in arrival order. */
  public List<FileInfo> offers() {
    return List.copyOf(offers.values());
  }

  /** A file offered to you; the same offer again (the server repeats them at each login) is ignored. */
  public void offered(FileInfo f) {
    if (!answeredOffers.contains(f.id()) && offers.putIfAbsent(f.id(), f) == null) {
      fire(Change.PROMPTS, null);
    }
  }

  /** You accepted or declined an offer: it leaves the list for good. Returns it, or null if it was not there. */
  public FileInfo offerAnswered(String fileId) {
    answeredOffers.add(fileId);
    FileInfo f = offers.remove(fileId);
    if (f != null) {
      fire(Change.PROMPTS, null);
    }
    return f;
  }

  /** Answering failed (it may be asked again). */
  public void offerUnanswered(FileInfo f) {
    answeredOffers.remove(f.id());
    offered(f);
  }

  // ---- transfers ----

  public List<Transfer> transfers() {
    return List.copyOf(transfers.values());
  }

  public Transfer transfer(long id) {
    return transfers.get(id);
  }

  /** A transfer starts; returns its id. {@code total} is -1 when unknown. */
  public long transferStarted(Transfer.Kind kind, String name, String peer, long total) {
    long id = nextLocalId++;
    transfers.put(id, new Transfer(id, kind, name, peer, 0, total, 0, -1, Transfer.State.RUNNING, null));
    fire(Change.TRANSFERS, null);
    return id;
  }

  public void transferProgress(long id, TransferProgress p) {
    Transfer t = transfers.get(id);
    if (t != null && !t.finished()) {
      transfers.put(id, t.progress(p.done(), p.total(), p.bytesPerSecond(), p.etaMillis()));
      fire(Change.TRANSFERS, null);
    }
  }

  /** The transfer completed and was verified; {@code detail} is where it was saved (downloads), or null. */
  public void transferDone(long id, String detail) {
    end(id, Transfer.State.DONE, detail);
  }

  public void transferFailed(long id, String reason) {
    end(id, Transfer.State.FAILED, reason);
  }

  private void end(long id, Transfer.State state, String detail) {
    Transfer t = transfers.get(id);
    if (t != null && !t.finished()) {
      transfers.put(id, t.ended(state, detail));
      fire(Change.TRANSFERS, null);
    }
  }

  /** Forgets transfers that have ended. */
  public void clearFinishedTransfers() {
    if (transfers.values().removeIf(Transfer::finished)) {
      fire(Change.TRANSFERS, null);
    }
  }

  // ---- the server's file area ----

  /** The last listing of the file area, or null before the first. */
  public FileList files() {
    return files;
  }

  public void files(FileList list) {
    this.files = list;
    fire(Change.FILES, null);
  }

  /** A line for the file area window (what happened, or the server's refusal); null if none. */
  public Status filesStatus() {
    return filesStatus;
  }

  public void filesStatus(String key, Object... args) {
    this.filesStatus = key == null ? null : new Status(key, List.of(args));
    fire(Change.FILES, null);
  }

  private boolean isMe(String name) {
    return myName() != null && name != null && Names.userKey(name).equals(Names.userKey(myName()));
  }

  private Entry fromMsg(Msg m) {
    return new Entry(Entry.Kind.MESSAGE, nextLocalId++, m.sid(), m.seq(), m.from(), m.ts(), m.text(), m.via(),
        isMe(m.from()), MessageState.STORED);
  }
}
