package dev.charla.protocol.udp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One end of a reliable, ordered message stream over UDP: a state machine with no sockets, threads or clock. The
 * driver (a transport, or a test) feeds it datagrams and the time, and transmits what it returns:
 *
 * <pre>{@code
 * conn.send(frameBytes, now);                       // queue a message (false: queue full, try later)
 * conn.receive(buf, off, len, now);                 // a datagram arrived
 * for (byte[] d : conn.pollDatagrams(now)) out(d);  // after any of these calls, and when the timer fires
 * byte[] m; while ((m = conn.pollMessage()) != null) deliver(m);
 * schedule(conn.nextTimeoutNanos());                // then call pollDatagrams(now) again at that time
 * }</pre>
 *
 * <p>Messages arrive exactly once and in order, despite loss, reordering, duplication and delay. Fragments are
 * acknowledged with ranges; lost packets are detected by packet threshold (3) or time threshold (9/8 RTT) and
 * their fragments resent in new packets; a probe timeout with exponential backoff recovers tail losses; bytes in
 * flight, queued messages and reassembly memory are bounded by {@link ReliableConfig}. The rules are in
 * docs/PROTOCOL.md (section "UDP"); this class follows RFC 9002 where it can.
 *
 * <p>Time is any monotonic nanosecond count ({@link System#nanoTime()} will do); a value smaller than one seen
 * before is treated as the earlier value. Malformed datagrams are counted and dropped; {@code receive} does not
 * throw for anything a peer sends.
 *
 * <p>Memory: a server holds one connection per session, and most sessions are idle, so the queues and maps below
 * exist only while they hold something: each is null when empty, created by the first element and dropped when
 * its last element leaves (an invariant: a non-null collection is never empty). An idle connection is this object,
 * its RTT estimator, its received packet numbers and an empty in-flight map, about 0.5 KiB, where preallocated
 * collections cost about twice that; a busy one keeps its collections for as long as it stays busy.
 *
 * <p>Thread rules: not thread-safe. Confine each connection to one thread, such as its channel's event loop; no
 * method blocks.
 */
public final class ReliableConnection {
  /** "No timer set": later than any real time. */
  public static final long NEVER = Long.MAX_VALUE;

  /** Packet threshold (RFC 9002 kPacketThreshold): a packet this far below the largest acked one is lost. */
  static final int PACKET_THRESHOLD = 3;

  /** Probe packets sent when the probe timeout fires (RFC 9002 allows one or two; two survive a single loss). */
  static final int PROBES_PER_TIMEOUT = 2;

  /** Don't start a fragment shorter than this unless it finishes its message: saves headers and reassembly work. */
  static final int MIN_FRAGMENT_BYTES = 64;

  /** Bookkeeping charged to the reassembly budget per buffered message, so many tiny messages are bounded too. */
  static final int REASSEMBLY_ENTRY_OVERHEAD = 64;

  /** Safety stop for one pollDatagrams call; the in-flight window normally stops it long before. */
  private static final int MAX_DATAGRAMS_PER_POLL = 4096;

  /** Where the connection is in its life. Only OPEN sends and receives. */
  public enum State {
    OPEN,
    /** {@link #close} was called; one CLOSE chunk is still sent by the next {@link #pollDatagrams}. */
    CLOSED_LOCALLY,
    /** The peer sent a CLOSE chunk ({@link #peerClose()}). */
    CLOSED_BY_PEER,
    /** Nothing valid arrived from the peer for the idle timeout: presume it dead. */
    TIMED_OUT
  }

  private final long connectionId;
  private final ReliableConfig config;
  private final long maxAckDelayNanos;
  private final long keepaliveNanos;
  private final long idleTimeoutNanos;

  /** Latest time seen; time never runs backwards inside the connection. */
  private long now;

  private State state = State.OPEN;
  private Chunk.Close closeToSend;
  private Chunk.Close peerClose;
  private long lastReceivedNanos;

  // Sending: messages, packets in flight, loss recovery.

  private long nextMessageSeq;
  // Every collection here is null when empty (see "Memory" above).
  /** Messages not yet sent in full once, oldest first; the head may be partly sent. */
  private ArrayDeque<OutgoingMessage> unsent;
  /** Every accepted message not yet fully acknowledged, by sequence number. */
  private Map<Long, OutgoingMessage> unacked;
  /** Byte ranges of lost (or probed) packets to send again; they go before new data. */
  private ArrayDeque<Span> resend;
  /** Sum of the lengths of {@link #unacked}: what {@code send} has accepted and the peer has not confirmed. */
  private long queuedBytes;
  /**
   * Messages from the oldest not fully acknowledged one to the newest whose sending has started, in order: what
   * the peer may have to hold for reassembly. A new message starts only while this span, charged as the peer
   * charges it, fits the peer's reassembly limit; that is the flow control that keeps the peer from ever having to
   * refuse data (it still refuses if the peer's application stops polling, or the other side ignores this).
   */
  private ArrayDeque<OutgoingMessage> started;
  private long startedSpanBytes;
  /** Ack-eliciting packets sent and neither acknowledged nor declared lost, by packet number. */
  private final TreeMap<Long, SentPacket> inFlight = new TreeMap<>();
  private long bytesInFlight;
  private long nextPacketNumber;
  private long largestAcked = -1;
  private final RttEstimator rtt;
  /** Consecutive probe timeouts without an ack; doubles the next timeout. */
  private int ptoCount;
  private int probesToSend;
  private long lastAckElicitingSentNanos;
  /** When the oldest not-yet-lost packet below the largest acked crosses the time threshold, or NEVER. */
  private long lossTimeNanos = NEVER;
  private boolean pingWanted;

  // Receiving: acks owed, reassembly, delivery.

  private final ReceivedPacketNumbers received = new ReceivedPacketNumbers();
  private long largestReceivedAtNanos;
  /** An ack-eliciting packet arrived that no ACK sent since has reported. */
  private boolean ackOwed;
  private int ackElicitingSinceAck;
  private long ackDeadlineNanos = NEVER;
  private long nextDeliverSeq;
  private Map<Long, IncomingMessage> reassembly;
  private long reassemblyBytes;
  private ArrayDeque<byte[]> delivered;
  private long deliveredBytes;

  // Counters (see ConnectionStats).

  private long datagramsSent;
  private long bytesSent;
  private long datagramsReceived;
  private long bytesReceived;
  private long packetsLost;
  private long packetsRetransmitted;
  private long probesSent;
  private long duplicatePackets;
  private long droppedMalformed;
  private long droppedForeign;
  private long droppedOverReassemblyLimit;
  private long messagesAccepted;
  private long messagesDelivered;

  /**
   * Starts an open connection. The transport creates it once the handshake has agreed on the connection id; both
   * ends start with packet number 0 and message number 0.
   */
  public ReliableConnection(long connectionId, ReliableConfig config, long nowNanos) {
    this.connectionId = connectionId;
    this.config = config;
    this.maxAckDelayNanos = config.maxAckDelay().toNanos();
    this.keepaliveNanos = config.keepaliveInterval().toNanos();
    this.idleTimeoutNanos = config.idleTimeout().toNanos();
    this.rtt = new RttEstimator(config.initialRtt().toNanos());
    this.now = nowNanos;
    this.lastReceivedNanos = nowNanos;
    this.lastAckElicitingSentNanos = nowNanos;
  }

  public long connectionId() {
    return connectionId;
  }

  public State state() {
    return state;
  }

  public boolean isOpen() {
    return state == State.OPEN;
  }

  /** The CLOSE chunk the peer sent, if it closed the connection. */
  public Optional<Chunk.Close> peerClose() {
    return Optional.ofNullable(peerClose);
  }

  /**
   * Queues one message (a Charla frame) for reliable, ordered delivery. The connection keeps the array: do not
   * change it afterwards.
   *
   * @return false if the connection is not open or the message does not fit under {@link
   *     ReliableConfig#maxQueuedBytes()} (backpressure: retry once {@link #queuedBytes()} has fallen)
   * @throws IllegalArgumentException if the message is empty or longer than {@link UdpLimits#MAX_MESSAGE_BYTES}
   */
  public boolean send(byte[] message, long nowNanos) {
    if (message.length == 0 || message.length > UdpLimits.MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException(
          "message length " + message.length + " bytes (allowed: 1 to " + UdpLimits.MAX_MESSAGE_BYTES + ")");
    }
    advance(nowNanos);
    if (state != State.OPEN || queuedBytes + message.length > config.maxQueuedBytes()) {
      return false;
    }
    OutgoingMessage m = new OutgoingMessage(nextMessageSeq++, message);
    if (unsent == null) {
      unsent = new ArrayDeque<>();
    }
    unsent.add(m);
    if (unacked == null) {
      unacked = new HashMap<>();
    }
    unacked.put(m.seq, m);
    queuedBytes += message.length;
    messagesAccepted++;
    return true;
  }

  /** Message bytes accepted by {@link #send} and not yet acknowledged by the peer. */
  public long queuedBytes() {
    return queuedBytes;
  }

  /** Takes the next delivered message, in send order, or null if none is ready. */
  public byte[] pollMessage() {
    if (delivered == null) {
      return null;
    }
    byte[] m = delivered.poll();
    if (delivered.isEmpty()) {
      delivered = null;
    }
    deliveredBytes -= m.length;
    messagesDelivered++;
    return m;
  }

  /**
   * Closes the connection at once: unsent and unacknowledged messages are dropped, and one CLOSE chunk goes out
   * with the next {@link #pollDatagrams}. To flush first, wait until {@link #queuedBytes()} is 0.
   */
  public void close(long code, String reason, long nowNanos) {
    advance(nowNanos);
    if (state != State.OPEN) {
      return;
    }
    closeToSend = new Chunk.Close(code, reason);
    end(State.CLOSED_LOCALLY);
  }

  /**
   * Processes one datagram from the peer. Anything malformed, for another connection id, duplicated, or arriving
   * after the connection ended is counted and dropped.
   */
  public void receive(byte[] datagram, int offset, int length, long nowNanos) {
    advance(nowNanos);
    datagramsReceived++;
    bytesReceived += length;
    if (state != State.OPEN) {
      return;
    }
    Packet packet;
    try {
      packet = DatagramCodec.decode(datagram, offset, length);
    } catch (MalformedDatagramException e) {
      droppedMalformed++;
      return;
    }
    if (!(packet instanceof Packet.Data data) || data.connectionId() != connectionId) {
      droppedForeign++;
      return;
    }
    if (!isConsistent(data)) {
      droppedMalformed++;
      return;
    }
    long pn = data.packetNumber();
    boolean ackEliciting = data.ackEliciting();
    if (received.contains(pn)) {
      duplicatePackets++;
      if (ackEliciting) {
        // Our ack for it may have been lost; answer now so the peer stops resending.
        ackOwed = true;
        ackDeadlineNanos = now;
      }
      return;
    }
    lastReceivedNanos = now;
    boolean refused = false;
    for (Chunk chunk : data.chunks()) {
      switch (chunk) {
        case Chunk.Ack ack -> onAck(ack);
        case Chunk.Ping ping -> {}
        case Chunk.Fragment fragment -> refused |= !onFragment(fragment);
        case Chunk.Close close -> {
          peerClose = close;
          end(State.CLOSED_BY_PEER);
          return;
        }
      }
    }
    if (refused) {
      // Not recording the packet number keeps it unacknowledged, so the peer resends what we could not hold.
      // Fragments that were stored are idempotent when they come again.
      droppedOverReassemblyLimit++;
      return;
    }
    boolean inOrder = received.isEmpty() || pn == received.largest() + 1;
    boolean newLargest = received.isEmpty() || pn > received.largest();
    received.add(pn);
    if (newLargest) {
      largestReceivedAtNanos = now;
    }
    if (ackEliciting) {
      ackOwed = true;
      ackElicitingSinceAck++;
      // Out of order means a gap: report it at once so the peer's loss detection can act (RFC 9000 13.2.1).
      if (ackElicitingSinceAck >= config.ackEveryPackets() || !inOrder) {
        ackDeadlineNanos = now;
      } else {
        ackDeadlineNanos = Math.min(ackDeadlineNanos, now + maxAckDelayNanos);
      }
    }
  }

  /**
   * Runs timers that are due, then returns the datagrams to transmit now: acks that are owed, resent and new
   * fragments while the in-flight window allows, probes and keepalive pings, or a final CLOSE. Empty if there is
   * nothing to send.
   */
  public List<byte[]> pollDatagrams(long nowNanos) {
    onTimeout(nowNanos);
    List<byte[]> out = new ArrayList<>();
    if (closeToSend != null) {
      out.add(emit(List.of(closeToSend)));
      closeToSend = null;
      return out;
    }
    while (state == State.OPEN && out.size() < MAX_DATAGRAMS_PER_POLL) {
      boolean probe = probesToSend > 0;
      boolean windowOpen = probe || bytesInFlight + config.maxDatagramBytes() <= config.maxInFlightBytes();
      boolean dataReady = windowOpen && hasDataToSend();
      boolean ackDue = ackOwed && now >= ackDeadlineNanos;
      boolean pingDue = pingWanted || probe;
      if (!dataReady && !ackDue && !pingDue) {
        break;
      }
      long pn = nextPacketNumber;
      int budget = config.maxDatagramBytes() - DatagramCodec.dataHeaderSize(pn);
      List<Chunk> chunks = new ArrayList<>();
      if (ackOwed) {
        Chunk.Ack ack = buildAck();
        chunks.add(ack);
        budget -= DatagramCodec.encodedSize(ack);
      }
      List<Span> spans = new ArrayList<>();
      boolean resent = dataReady && fill(chunks, spans, budget);
      boolean ackEliciting = !spans.isEmpty();
      if (!ackEliciting && pingDue) {
        chunks.add(new Chunk.Ping());
        ackEliciting = true;
      }
      if (chunks.isEmpty()) {
        break; // Data was ready but nothing fit: cannot happen with valid config, but never loop on it.
      }
      byte[] datagram = emit(chunks);
      out.add(datagram);
      if (ackEliciting) {
        inFlight.put(pn, new SentPacket(pn, now, datagram.length, spans));
        bytesInFlight += datagram.length;
        lastAckElicitingSentNanos = now;
        pingWanted = false;
        if (probe) {
          probesToSend--;
          probesSent++;
        }
        if (resent) {
          packetsRetransmitted++;
        }
      }
    }
    return out;
  }

  /**
   * When {@link #pollDatagrams} (or {@link #onTimeout}) should next be called if nothing else happens; {@link
   * #NEVER} once the connection has ended.
   */
  public long nextTimeoutNanos() {
    if (state != State.OPEN) {
      return closeToSend != null ? now : NEVER;
    }
    long t = lastReceivedNanos + idleTimeoutNanos;
    t = Math.min(t, keepaliveDeadline());
    if (ackOwed) {
      t = Math.min(t, ackDeadlineNanos);
    }
    // The loss timer, when set, takes precedence over the probe timer (RFC 9002 6.2.1).
    t = Math.min(t, lossTimeNanos != NEVER ? lossTimeNanos : probeDeadline());
    return t;
  }

  /**
   * Runs the timers that are due: idle timeout, time-threshold loss, probe timeout, keepalive. Idempotent;
   * {@link #pollDatagrams} calls it first, so a driver need not.
   */
  public void onTimeout(long nowNanos) {
    advance(nowNanos);
    if (state != State.OPEN) {
      return;
    }
    if (now - lastReceivedNanos >= idleTimeoutNanos) {
      end(State.TIMED_OUT);
      return;
    }
    if (lossTimeNanos != NEVER) {
      if (now >= lossTimeNanos) {
        detectLosses();
      }
    } else if (probesToSend == 0 && now >= probeDeadline()) {
      // (Probes still unsent mean this timeout already fired; a second call must not back off twice.)
      ptoCount++;
      probesToSend = PROBES_PER_TIMEOUT;
      // Probe with the oldest unacknowledged data: if its packet was lost, this is what the peer is missing.
      addResend(inFlight.firstEntry().getValue().spans);
    }
    if (now >= keepaliveDeadline()) {
      pingWanted = true;
    }
  }

  public ConnectionStats stats() {
    return new ConnectionStats(
        datagramsSent,
        bytesSent,
        datagramsReceived,
        bytesReceived,
        packetsLost,
        packetsRetransmitted,
        probesSent,
        duplicatePackets,
        droppedMalformed,
        droppedForeign,
        droppedOverReassemblyLimit,
        messagesAccepted,
        messagesDelivered,
        rtt.smoothedRtt(),
        rtt.rttVar(),
        rtt.minRtt(),
        bytesInFlight,
        queuedBytes);
  }

  /** Bytes held for reassembly plus delivered messages not yet polled; for tests of the memory bound. */
  long receiveBufferBytes() {
    return reassemblyBytes + deliveredBytes;
  }

  /** How many of the send and receive queues exist (each is null when empty); for tests of the idle footprint. */
  int queuesHeld() {
    int n = 0;
    for (Object q : new Object[] {unsent, unacked, resend, started, reassembly, delivered}) {
      if (q != null) {
        n++;
      }
    }
    return n;
  }

  private void advance(long nowNanos) {
    now = Math.max(now, nowNanos);
  }

  private void end(State why) {
    state = why;
    unsent = null;
    unacked = null;
    resend = null;
    started = null;
    startedSpanBytes = 0;
    inFlight.clear();
    reassembly = null;
    queuedBytes = 0;
    bytesInFlight = 0;
    reassemblyBytes = 0;
    lossTimeNanos = NEVER;
    // Delivered messages stay: the application may still poll what arrived before the end.
  }

  /**
   * Rejects a well-formed packet that cannot be true of this connection: acknowledging a packet number never sent,
   * or a fragment whose message length differs from earlier fragments of the same message.
   */
  private boolean isConsistent(Packet.Data data) {
    for (Chunk chunk : data.chunks()) {
      if (chunk instanceof Chunk.Ack ack && ack.largest() >= nextPacketNumber) {
        return false;
      }
      if (chunk instanceof Chunk.Fragment f) {
        IncomingMessage m = reassembly == null ? null : reassembly.get(f.messageSeq());
        if (m != null && m.data.length != f.totalLength()) {
          return false;
        }
      }
    }
    return true;
  }

  private void onAck(Chunk.Ack ack) {
    boolean newlyAcked = false;
    SentPacket largestNewlyAcked = null;
    for (Chunk.Range range : ack.ranges()) {
      Iterator<SentPacket> it = inFlight.subMap(range.smallest(), true, range.largest(), true).values().iterator();
      while (it.hasNext()) {
        SentPacket p = it.next();
        it.remove();
        bytesInFlight -= p.size;
        for (Span s : p.spans) {
          onSpanAcked(s);
        }
        newlyAcked = true;
        if (p.packetNumber == ack.largest()) {
          largestNewlyAcked = p;
        }
      }
    }
    // Sample only when the largest acknowledged is new: an older packet's ack may have waited behind others.
    if (largestNewlyAcked != null) {
      long reportedDelay = Math.min(ack.ackDelayMicros(), maxAckDelayNanos / 1000) * 1000;
      rtt.update(now - largestNewlyAcked.sentAtNanos, reportedDelay);
    }
    largestAcked = Math.max(largestAcked, ack.largest());
    if (newlyAcked) {
      ptoCount = 0;
    }
    detectLosses();
  }

  private void onSpanAcked(Span s) {
    OutgoingMessage m = unacked == null ? null : unacked.get(s.seq);
    if (m != null && m.ack(s.offset, s.length)) {
      unacked.remove(s.seq);
      if (unacked.isEmpty()) {
        unacked = null;
      }
      queuedBytes -= m.data.length;
      while (started != null && started.peek().isFullyAcked()) {
        startedSpanBytes -= reassemblyCost(started.poll().data.length);
        if (started.isEmpty()) {
          started = null;
        }
      }
    }
  }

  /** What the receiver charges its reassembly budget for a message of this length. */
  private static long reassemblyCost(int length) {
    return (long) length + REASSEMBLY_ENTRY_OVERHEAD;
  }

  /** Whether the next unsent message may start now (see {@link #started}). */
  private boolean mayStart(OutgoingMessage m) {
    return m.sentOffset > 0
        || started == null
        || startedSpanBytes + reassemblyCost(m.data.length) <= config.maxReassemblyBytes();
  }

  /** Declares lost what is far enough below the largest acked packet in number or time; arms the loss timer. */
  private void detectLosses() {
    lossTimeNanos = NEVER;
    if (largestAcked < 0) {
      return;
    }
    long lossDelay = rtt.lossDelay();
    Iterator<SentPacket> it = inFlight.headMap(largestAcked, false).values().iterator();
    while (it.hasNext()) {
      SentPacket p = it.next();
      if (largestAcked - p.packetNumber >= PACKET_THRESHOLD || now - p.sentAtNanos >= lossDelay) {
        it.remove();
        bytesInFlight -= p.size;
        packetsLost++;
        addResend(p.spans);
      } else {
        lossTimeNanos = Math.min(lossTimeNanos, p.sentAtNanos + lossDelay);
      }
    }
  }

  /**
   * A PING is due after a keepalive interval in which this side sent nothing ack-eliciting and received nothing.
   * Counting what was received halves the chatter on a quiet link: the peer's PING (and our ack) already refresh
   * both idle timers and the NAT binding, so the two sides take turns instead of both pinging.
   */
  private long keepaliveDeadline() {
    return Math.max(lastAckElicitingSentNanos, lastReceivedNanos) + keepaliveNanos;
  }

  private long probeDeadline() {
    if (inFlight.isEmpty()) {
      return NEVER;
    }
    return lastAckElicitingSentNanos + rtt.probeTimeout(maxAckDelayNanos, ptoCount);
  }

  /** Stores a fragment; false if the reassembly budget refuses it. */
  private boolean onFragment(Chunk.Fragment f) {
    long seq = f.messageSeq();
    if (seq < nextDeliverSeq) {
      return true; // Already delivered: a copy from a resend. Acknowledge it again, keep nothing.
    }
    IncomingMessage m = reassembly == null ? null : reassembly.get(seq);
    if (m != null && m.data.length != f.totalLength()) {
      return true; // Contradicts an earlier fragment in the same packet (isConsistent saw the others): ignore.
    }
    if (m == null) {
      long cost = reassemblyCost(f.totalLength());
      long limit = config.maxReassemblyBytes();
      // The next message in order is always taken (unless the application has stopped polling), so the window
      // can never jam on a full buffer; the rest must fit. Memory stays below the limit plus one message.
      if (deliveredBytes >= limit || (seq != nextDeliverSeq && reassemblyBytes + deliveredBytes + cost > limit)) {
        return false;
      }
      if (seq == nextDeliverSeq && f.offset() == 0 && f.data().length == f.totalLength()) {
        // The usual case: the next message, whole in one fragment. Deliver the fragment's own copy of the bytes
        // rather than reassemble it (same result, without a buffer, a copy and a map entry).
        deliver(f.data());
      } else {
        m = new IncomingMessage(f.totalLength());
        if (reassembly == null) {
          reassembly = new HashMap<>();
        }
        reassembly.put(seq, m);
        reassemblyBytes += cost;
        m.store(f.offset(), f.data());
      }
    } else {
      m.store(f.offset(), f.data());
    }
    while (reassembly != null && (m = reassembly.get(nextDeliverSeq)) != null && m.isComplete()) {
      reassembly.remove(nextDeliverSeq);
      if (reassembly.isEmpty()) {
        reassembly = null;
      }
      reassemblyBytes -= reassemblyCost(m.data.length);
      deliver(m.data);
    }
    return true;
  }

  /** Message {@link #nextDeliverSeq} is complete: hand it to {@link #pollMessage}. */
  private void deliver(byte[] message) {
    if (delivered == null) {
      delivered = new ArrayDeque<>();
    }
    delivered.add(message);
    deliveredBytes += message.length;
    nextDeliverSeq++;
  }

  private Chunk.Ack buildAck() {
    long delayMicros = Math.max(0, (now - largestReceivedAtNanos) / 1000);
    ackOwed = false;
    ackElicitingSinceAck = 0;
    ackDeadlineNanos = NEVER;
    return new Chunk.Ack(delayMicros, received.ranges());
  }

  private boolean hasDataToSend() {
    while (resend != null && isAcked(resend.peek())) {
      resend.poll();
      if (resend.isEmpty()) {
        resend = null;
      }
    }
    return resend != null || (unsent != null && mayStart(unsent.peek()));
  }

  private void addResend(List<Span> spans) {
    if (spans.isEmpty()) {
      return; // a PING's packet: nothing to resend
    }
    if (resend == null) {
      resend = new ArrayDeque<>();
    }
    resend.addAll(spans);
  }

  private boolean isAcked(Span s) {
    OutgoingMessage m = unacked == null ? null : unacked.get(s.seq);
    return m == null || m.isAcked(s.offset, s.length);
  }

  /**
   * Adds fragments to a packet, resends first, until {@code budget} bytes are used; records what went where.
   *
   * @return whether any resent data went in
   */
  private boolean fill(List<Chunk> chunks, List<Span> spans, int budget) {
    boolean resent = false;
    while (true) {
      boolean fromResend = hasDataToSend() && resend != null;
      OutgoingMessage m;
      int offset;
      int length;
      if (fromResend) {
        Span s = resend.peek();
        m = unacked.get(s.seq);
        offset = s.offset;
        length = s.length;
      } else if (unsent != null && mayStart(unsent.peek())) {
        m = unsent.peek();
        offset = m.sentOffset;
        length = m.data.length - offset;
      } else {
        return resent;
      }
      int header = DatagramCodec.fragmentHeaderSize(m.seq, m.data.length, offset, Math.min(length, budget));
      int take = Math.min(length, budget - header);
      if (take <= 0 || (take < length && take < MIN_FRAGMENT_BYTES)) {
        return resent;
      }
      Chunk.Fragment f = new Chunk.Fragment(m.seq, m.data.length, offset, Arrays.copyOfRange(m.data, offset, offset + take));
      chunks.add(f);
      spans.add(new Span(m.seq, offset, take));
      budget -= DatagramCodec.encodedSize(f);
      if (fromResend) {
        resent = true;
        resend.poll();
        if (take < length) {
          resend.addFirst(new Span(m.seq, offset + take, length - take));
        } else if (resend.isEmpty()) {
          resend = null;
        }
      } else {
        if (m.sentOffset == 0) {
          if (started == null) {
            started = new ArrayDeque<>();
          }
          started.add(m);
          startedSpanBytes += reassemblyCost(m.data.length);
        }
        m.sentOffset += take;
        if (m.sentOffset == m.data.length) {
          unsent.poll();
          if (unsent.isEmpty()) {
            unsent = null;
          }
        }
      }
    }
  }

  private byte[] emit(List<Chunk> chunks) {
    byte[] datagram = DatagramCodec.encode(new Packet.Data(connectionId, nextPacketNumber++, chunks));
    datagramsSent++;
    bytesSent += datagram.length;
    return datagram;
  }

  /** Bytes {@code [offset, offset + length)} of message {@code seq}, as carried by one fragment. */
  private record Span(long seq, int offset, int length) {}

  /** An ack-eliciting packet in flight: what it carried, so loss can resend exactly that. */
  private record SentPacket(long packetNumber, long sentAtNanos, int size, List<Span> spans) {}

  /** A message accepted by send: its bytes, how far it has been sent once, which bytes the peer has confirmed. */
  private static final class OutgoingMessage {
    final long seq;
    final byte[] data;
    int sentOffset;
    private final BitSet acked = new BitSet();

    OutgoingMessage(long seq, byte[] data) {
      this.seq = seq;
      this.data = data;
    }

    /** Marks bytes acknowledged; true once every byte is. */
    boolean ack(int offset, int length) {
      acked.set(offset, offset + length);
      return acked.nextClearBit(0) >= data.length;
    }

    boolean isAcked(int offset, int length) {
      return acked.nextClearBit(offset) >= offset + length;
    }

    boolean isFullyAcked() {
      return acked.nextClearBit(0) >= data.length;
    }
  }

  /** A message being reassembled: its buffer and which bytes have arrived. */
  private static final class IncomingMessage {
    final byte[] data;
    private final BitSet have = new BitSet();
    private int haveBytes;

    IncomingMessage(int length) {
      this.data = new byte[length];
    }

    void store(int offset, byte[] bytes) {
      int end = offset + bytes.length;
      haveBytes += bytes.length - have.get(offset, end).cardinality();
      have.set(offset, end);
      System.arraycopy(bytes, 0, data, offset, bytes.length);
    }

    boolean isComplete() {
      return haveBytes == data.length;
    }
  }
}
