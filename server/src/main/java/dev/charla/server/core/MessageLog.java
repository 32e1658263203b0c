package dev.charla.server.core;

import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.Names;
import dev.charla.protocol.ServerFrame;
import dev.charla.server.store.Account;
import dev.charla.server.store.AppendResult;
import dev.charla.server.store.ChatStore;
import dev.charla.server.store.NewMessage;
import dev.charla.server.store.StoredMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery pipeline: sequences, stores and fans out messages, in two stages with one thread each.
 *
 * <ol>
 *   <li>The <b>writer</b> ({@code charla-writer}) takes every send queued since its last turn (group commit),
 *       resolves targets, drops retried sends by client message id, assigns each conversation's next seq, and
 *       appends the whole batch in one transaction. Being the only writer makes it the sequencer: seq order is
 *       commit order.
 *   <li>The <b>fan-out</b> of a committed batch, in commit order: for each message, acknowledge it to its sender
 *       ({@code stored}) and queue the encoded {@code msg} (encoded once) to every online session that should see
 *       it. Nobody sees a message before it is durable. A big batch goes to the fan-out thread
 *       ({@code charla-fanout}), so that the next batch's fsync overlaps its fan-out; a small one (a few private
 *       messages, a small room) is fanned out by the writer itself when the fan-out thread is idle.
 * </ol>
 *
 * Between batches, after the fan-out, the writer gives the store its upkeep ({@link ChatStore#upkeep}: the SQLite
 * store's checkpoints), so that it delays no committed message.
 *
 * Why the writer fans out small batches itself: a hand-off to another thread is a wake-up, and on a busy machine
 * a woken thread can wait milliseconds for a core (measured on this project's 2-core machine with two busy
 * processes: an fsync that takes 55 µs returned after 2 ms or more one time in ten). Each message already crosses
 * five of them (client → event loop → writer → fsync → fan-out → event loop → client); at 10 000 private messages
 * a second the one to the fan-out thread is pure cost. Neither thread ever runs on an event loop, and neither
 * blocks on a socket: {@link SessionLink#deliver} only queues.
 */
final class MessageLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MessageLog.class);
  private static final int MAX_BATCH = 2_048;
  private static final int MAX_QUEUED = 100_000;
  /** How many stored messages' cmids the writer remembers; see {@link CmidWindow}. */
  private static final int CMID_WINDOW = 100_000;
  /**
   * The most session writes (about: members of the batch's rooms, three per private message) a batch may need for
   * the writer to fan it out itself; a bigger one goes to the fan-out thread, so its fsync-free work overlaps the
   * next commit.
   */
  static final int INLINE_FANOUT_MAX_WRITES = 256;

  /**
   * A send accepted by the core, waiting for the writer. {@code acceptedNanos} ({@link System#nanoTime}) is for
   * diagnostics only ({@link WriterBatchEvent}): nothing the server decides depends on it.
   */
  record SendRequest(Session origin, OnlineUser sender, String requestId, String to, String text, String cmid,
      String via, long acceptedNanos) {}

  /** What the writer hands the fan-out thread for one request. */
  private record Outcome(SendRequest request, StoredMessage stored, boolean duplicate, String recipientKey,
      boolean pending, ServerFrame.Error error) {}

  private final ChatStore store;
  private final Directory directory;
  /** Batches at least this big defer what senders get for their own private messages; see {@link #fanOutBatch}. */
  private final int ackCoalesceMinBatch;
  private final FrameCodec codec;
  private final Ticker ticker;
  private final BlockingQueue<SendRequest> sends = new ArrayBlockingQueue<>(MAX_QUEUED);
  private final BlockingQueue<List<Outcome>> committed = new LinkedBlockingQueue<>();
  private final Thread writer;
  private final Thread fanout;
  private volatile boolean running = true;
  /**
   * Batches handed to the fan-out thread and not yet fanned out. Only the writer increments it and only the
   * fan-out thread decrements it (after a batch's last flush), so when the writer reads zero every earlier batch
   * is out and it may fan out the next one itself without reordering anything; the counter's write and read
   * order the two threads' use of the fan-out state ({@link Room#lastSeq}, {@link Session#flushListed}).
   */
  private final AtomicInteger fanoutBacklog = new AtomicInteger();

  // ---- writer thread only ----
  /** The sessions the writer's inline fan-out touched, flushed at the end of the batch. */
  private final List<Session> writerTouched = new ArrayList<>();
  /** The sessions the writer's inline fan-out gave only their own messages back, flushed later. */
  private final List<Session> writerDeferred = new ArrayList<>();
  private final Map<String, Long> lastSeq = new HashMap<>();
  private final Map<String, Account> offlineAccounts =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Account> eldest) {
          return size() > 10_000;
        }
      };
  private final CmidWindow recentCmids = new CmidWindow(CMID_WINDOW);

  MessageLog(ChatStore store, Directory directory, FrameCodec codec, Ticker ticker, int ackCoalesceMinBatch) {
    this.ackCoalesceMinBatch = ackCoalesceMinBatch;
    this.store = store;
    this.directory = directory;
    this.codec = codec;
    this.ticker = ticker;
    this.writer = new Thread(this::writeLoop, "charla-writer");
    this.fanout = new Thread(this::fanoutLoop, "charla-fanout");
  }

  void start() {
    writer.start();
    fanout.start();
  }

  /** Queues a send; never blocks. Returns false if the server is saturated (the caller reports it). */
  boolean submit(SendRequest request) {
    return running && sends.offer(request);
  }

  /** Stops accepting sends, commits and fans out everything already accepted, then returns. */
  @Override
  public void close() {
    running = false;
    try {
      writer.join(TimeUnit.SECONDS.toMillis(30));
      fanout.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- writer ----

  private void writeLoop() {
    List<SendRequest> batch = new ArrayList<>(MAX_BATCH);
    while (running || !sends.isEmpty()) {
      try {
        SendRequest first = sends.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          store.upkeep(true);
          continue;
        }
        WriterBatchEvent event = new WriterBatchEvent();
        event.begin();
        batch.add(first);
        sends.drainTo(batch, MAX_BATCH - 1);
        long taken = System.nanoTime();
        List<Outcome> outcomes = commit(batch);
        long stored = System.nanoTime();
        event.inline = fanoutBacklog.get() == 0 && writesNeeded(outcomes) <= INLINE_FANOUT_MAX_WRITES;
        if (event.inline) {
          fanOutBatch(outcomes, writerTouched, writerDeferred);
        } else {
          fanoutBacklog.incrementAndGet();
          committed.add(outcomes);
        }
        if (event.shouldCommit()) {
          event.sends = batch.size();
          event.oldestWait = taken - first.acceptedNanos();
          event.store = stored - taken;
          event.fanout = System.nanoTime() - stored;
          event.commit();
        }
        // After the fan-out: the store's upkeep (a checkpoint, about 1 ms, up to 10 on a busy disk) must not hold
        // back the messages just committed.
        store.upkeep(sends.isEmpty());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        log.error("writer failed on a batch of {}", batch.size(), e);
      } finally {
        batch.clear();
      }
    }
    committed.add(List.of()); // end marker for the fan-out thread
  }

  private List<Outcome> commit(List<SendRequest> batch) {
    List<Outcome> outcomes = new ArrayList<>(batch.size());
    List<NewMessage> toStore = new ArrayList<>(batch.size());
    List<Integer> storedIndex = new ArrayList<>(batch.size());
    long now = ticker.nowMillis();
    for (SendRequest r : batch) {
      if (r.cmid() != null && recentCmids.mightContain(r.sender().key, r.cmid())) {
        Optional<StoredMessage> earlier = store.findByCmid(r.sender().key, r.cmid());
        if (earlier.isPresent()) {
          outcomes.add(new Outcome(r, earlier.get(), true, null, false, null));
          continue;
        }
      }
      String conv;
      String recipient;
      String recipientKey = null;
      List<Long> pendingFor = List.of();
      if (r.to().startsWith("#")) {
        Room room = directory.room(r.to());
        if (room == null) {
          outcomes.add(error(r, ErrorCode.NO_SUCH_ROOM, "no such room: " + r.to()));
          continue;
        }
        if (!r.sender().rooms.contains(room.name)) {
          outcomes.add(error(r, ErrorCode.NOT_MEMBER, "join " + room.name + " before sending to it"));
          continue;
        }
        conv = room.name;
        recipient = room.name;
      } else {
        String name = r.to().startsWith("@") ? r.to().substring(1) : r.to();
        if (!Names.isValidUser(name)) {
          outcomes.add(error(r, ErrorCode.NO_SUCH_USER, "no such user: " + r.to()));
          continue;
        }
        recipientKey = Names.userKey(name);
        OnlineUser online = directory.users.get(recipientKey);
        if (online != null) {
          recipient = online.displayName; // the hot path: no store lookup for someone online
        } else {
          Optional<Account> account = account(recipientKey);
          if (account.isEmpty()) {
            outcomes.add(error(r, ErrorCode.NO_SUCH_USER, "no such user online or registered: " + name));
            continue;
          }
          recipient = account.get().displayName();
          pendingFor = List.of(account.get().id());
        }
        conv = Names.directConversation(r.sender().key, recipientKey);
      }
      long seq = nextSeq(conv);
      toStore.add(
          new NewMessage(conv, seq, r.sender().key, r.sender().displayName, recipient, now, r.text(), r.via(),
              r.cmid(), pendingFor));
      storedIndex.add(outcomes.size());
      outcomes.add(new Outcome(r, null, false, recipientKey, !pendingFor.isEmpty(), null));
    }
    if (toStore.isEmpty()) {
      return outcomes;
    }
    List<AppendResult> results;
    try {
      results = store.append(toStore);
    } catch (RuntimeException e) {
      log.error("could not store a batch of {} messages", toStore.size(), e);
      for (NewMessage m : toStore) {
        lastSeq.remove(m.conv()); // re-read from the store next time
      }
      for (int i : storedIndex) {
        outcomes.set(i, error(outcomes.get(i).request(), ErrorCode.INTERNAL, "message not stored; retry"));
      }
      return outcomes;
    }
    for (int k = 0; k < results.size(); k++) {
      AppendResult res = results.get(k);
      int i = storedIndex.get(k);
      Outcome o = outcomes.get(i);
      if (o.request().cmid() != null) {
        recentCmids.add(o.request().sender().key, o.request().cmid());
      }
      outcomes.set(i, new Outcome(o.request(), res.message(), res.duplicate(), o.recipientKey(), o.pending(), null));
    }
    return outcomes;
  }

  private Outcome error(SendRequest r, ErrorCode code, String message) {
    return new Outcome(r, null, false, null, false, new ServerFrame.Error(r.requestId(), code, message));
  }

  private long nextSeq(String conv) {
    long next = lastSeq.computeIfAbsent(conv, store::lastSeq) + 1;
    lastSeq.put(conv, next);
    return next;
  }

  /** A registered recipient who is offline; a store read, cached (accounts are never deleted or renamed). */
  private Optional<Account> account(String userKey) {
    Account cached = offlineAccounts.get(userKey);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<Account> found = store.findAccount(userKey);
    found.ifPresent(a -> offlineAccounts.put(userKey, a));
    return found;
  }

  // ---- fan-out ----

  /**
   * The fan-out thread: fans out the batches the writer hands it (see {@link #fanOutBatch}).
   *
   * <p>Flushing does not write: it asks the session's transport to drain it on its event loop (see
   * {@code LoopDrainer}), and a session already waiting for its drain is not asked twice. So batching is
   * self-clocking. On a quiet server a message goes out as soon as it is committed; when the event loops are busy
   * (each write() costs several microseconds, and a 1000-member room is 1000 of them), frames pile up in the
   * sessions' queues while a loop works through its pass, and the next pass puts all of them into one write per
   * session. No timer and no fixed budget: the write rate follows what the loops can do, and latency stays the
   * time of one pass. (A fixed budget of flushes per second, tried first, added its pacing delay to every
   * message even when nothing was queued.)
   */
  private void fanoutLoop() {
    List<Session> touched = new ArrayList<>();
    List<Session> deferred = new ArrayList<>();
    while (true) {
      List<Outcome> batch;
      try {
        batch = committed.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (batch.isEmpty()) {
        return; // the writer's end marker: everything accepted has been fanned out
      }
      fanOutBatch(batch, touched, deferred);
      fanoutBacklog.decrementAndGet();
    }
  }

  /** How many session writes a batch's fan-out needs, roughly; see {@link #INLINE_FANOUT_MAX_WRITES}. */
  private int writesNeeded(List<Outcome> batch) {
    int writes = 0;
    for (Outcome o : batch) {
      StoredMessage m = o.stored();
      if (m == null || o.duplicate()) {
        writes += 1;
      } else if (m.conv().startsWith("#")) {
        Room room = directory.rooms.get(m.conv());
        writes += 1 + (room == null ? 0 : room.online.size());
      } else {
        writes += 3;
      }
      if (writes > INLINE_FANOUT_MAX_WRITES) {
        break;
      }
    }
    return writes;
  }

  /**
   * Fans out one committed batch, in order, then flushes every session it touched, once. Runs on the fan-out
   * thread, or on the writer when the fan-out thread has nothing left to do.
   *
   * <p>Acknowledgement coalescing: in a batch of at least {@code ackCoalesceMinBatch} sends (a busy server), what a
   * sender gets only because of its own private message, its {@code stored} and the copy to its own sessions, is
   * queued but not flushed: it goes out with the next frame flushed to that session (typically the reply) or after
   * the transport's coalescing delay ({@link SessionLink#flushLater}). In a conversation that is one write and one
   * read per message instead of two each; the recipient's copy is never deferred. A quiet server's batches are
   * small, and it acknowledges at once.
   */
  private void fanOutBatch(List<Outcome> batch, List<Session> touched, List<Session> deferred) {
    List<Session> own = batch.size() >= ackCoalesceMinBatch ? deferred : touched;
    for (Outcome o : batch) {
      try {
        fanOut(o, touched, own);
      } catch (RuntimeException e) {
        log.error("fan-out failed", e);
      }
    }
    // Deferred first: a session in both lists is flushed now anyway, with its deferred frames.
    for (Session s : deferred) {
      s.flushDeferred = false;
      if (!s.flushListed) {
        try {
          s.link.flushLater();
        } catch (RuntimeException e) {
          log.error("flush failed", e);
        }
      }
    }
    deferred.clear();
    for (Session s : touched) {
      s.flushListed = false;
      try {
        s.link.flush();
      } catch (RuntimeException e) {
        log.error("flush failed", e); // one broken link must not stop the others, nor this thread
      }
    }
    touched.clear();
  }

  /**
   * Queues one outcome's frames. {@code own} is where the sender's sessions are listed for what they get back for
   * their own private message: {@code touched} (flushed at once) or the batch's deferred list.
   */
  private void fanOut(Outcome o, List<Session> touched, List<Session> own) {
    SendRequest r = o.request();
    if (o.error() != null) {
      r.origin().listForFlush(touched);
      r.origin().link.write(codec.encode(o.error()));
      return;
    }
    StoredMessage m = o.stored();
    boolean room = m.conv().startsWith("#");
    // A retry answered from the cmid window is answered at once: its sender has been waiting for it.
    List<Session> originList = room || o.duplicate() ? touched : own;
    r.origin().list(originList, originList == touched);
    r.origin().link.write(
        codec.encode(new ServerFrame.Stored(r.requestId(), m.sid(), m.conv(), m.seq(), m.tsMillis(), m.cmid())));
    if (o.duplicate()) {
      return; // delivered when it was first stored
    }
    ServerFrame.Msg msg = toMsg(m);
    byte[] bytes = codec.encode(msg);
    if (room) {
      Room target = directory.rooms.get(m.conv());
      if (target != null) {
        target.lastSeq = m.seq();
        for (OnlineUser u : target.members()) {
          u.write(bytes, touched, true);
        }
      }
      return;
    }
    OnlineUser sender = directory.users.get(m.senderKey());
    if (sender != null) {
      sender.write(bytes, own, own == touched);
    }
    if (o.recipientKey() != null && !o.recipientKey().equals(m.senderKey())) {
      OnlineUser recipient = directory.users.get(o.recipientKey());
      if (recipient != null) {
        // Stored as pending but the recipient came online meanwhile: deliver now, flagged so it gets acknowledged.
        recipient.write(o.pending() ? codec.encode(msg.withPending()) : bytes, touched, true);
      }
    }
  }

  static ServerFrame.Msg toMsg(StoredMessage m) {
    return new ServerFrame.Msg(
        m.sid(), m.conv(), m.seq(), m.senderName(), m.recipient(), m.tsMillis(), m.text(), m.via(), m.cmid(), null);
  }
}
