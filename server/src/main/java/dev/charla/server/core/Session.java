package dev.charla.server.core;

import java.util.ArrayList;
import java.util.List;

/**
 * One client connection as the core sees it: its link, login state and limits.
 *
 * <p>Thread rules: frames of one session are handled by one thread at a time (its transport's event loop), which
 * owns {@link #frameBucket} and {@link #sendBucket}. Fields written after asynchronous steps (login) are
 * volatile. {@link #deliverLive} may be called from any thread.
 */
public final class Session {
  enum State {
    NEW,
    GREETED,
    LOGGING_IN,
    LOGGED_IN,
    CLOSED
  }

  final long id;
  final SessionLink link;
  final long connectedAtMillis;
  volatile State state = State.NEW;
  volatile String clientLabel = "";
  volatile OnlineUser user;
  volatile long loggedInAtMillis;
  /** SHA-256 of this session's resume token, for revocation at logout. */
  volatile byte[] tokenHash;
  final TokenBucket frameBucket;
  final TokenBucket sendBucket;
  /**
   * Set while this session is in the list of sessions a fan-out pass will flush, so it is listed once. Belongs to
   * the thread fanning out a batch: the writer or the fan-out thread, never both at once (see
   * {@code MessageLog.fanoutBacklog}).
   */
  boolean flushListed;
  /** Like {@link #flushListed}, for the pass's list of sessions flushed later (see {@code MessageLog.fanOutBatch}). */
  boolean flushDeferred;

  /** Adds this session to a fan-out pass's flush list, unless it is there already (see {@link #flushListed}). */
  void listForFlush(List<Session> touched) {
    if (!flushListed) {
      flushListed = true;
      touched.add(this);
    }
  }

  /** {@link #listForFlush} ({@code now}) or the same for the pass's deferred list. */
  void list(List<Session> flushList, boolean now) {
    if (now) {
      listForFlush(flushList);
    } else if (!flushDeferred) {
      flushDeferred = true;
      flushList.add(this);
    }
  }

  /**
   * While non-null, live messages are held here instead of being sent: set at login until offline messages have
   * been queued, so that they always arrive before newer live ones. Guarded by {@code this}; goes from non-null
   * to null once.
   */
  private volatile List<byte[]> held;

  Session(long id, SessionLink link, long nowMillis, ChatConfig config, long nowNanos) {
    this.id = id;
    this.link = link;
    this.connectedAtMillis = nowMillis;
    this.frameBucket = new TokenBucket(config.frameBurst(), config.framesPerSecond(), nowNanos);
    this.sendBucket = new TokenBucket(config.messageBurst(), config.messagesPerSecond(), nowNanos);
  }

  public boolean isLoggedIn() {
    return state == State.LOGGED_IN;
  }

  /** A human description for logs: {@code name ip:port transport}. */
  public String describe() {
    OnlineUser u = user;
    return (u == null ? "-" : u.displayName) + " " + link.remoteIp() + ":" + link.remotePort() + " " + link.transport();
  }

  /** The logged-in user's key (lower-case name), or null before login. For parts of the core outside this package. */
  public String userKey() {
    OnlineUser u = user;
    return u == null ? null : u.key;
  }

  /** The logged-in user's name as they spell it, or null before login. */
  public String userName() {
    OnlineUser u = user;
    return u == null ? null : u.displayName;
  }

  /** The client's address as this server sees it (for direct-connection candidates). */
  public String remoteIp() {
    return link.remoteIp();
  }

  public boolean isGuest() {
    OnlineUser u = user;
    return u != null && u.guest;
  }

  public boolean isClosed() {
    return state == State.CLOSED;
  }

  /** Queues an encoded frame for this session (any thread, never blocks). */
  public void send(byte[] frame) {
    link.deliver(frame);
  }

  void reply(byte[] frame) {
    link.deliver(frame);
  }

  void deliverLive(byte[] frame) {
    writeLive(frame);
    link.flush();
  }

  /** Queues a live frame without flushing (see {@link SessionLink#write}); the caller flushes. */
  void writeLive(byte[] frame) {
    if (held == null) {
      link.write(frame);
      return;
    }
    synchronized (this) {
      if (held != null) {
        held.add(frame);
        return;
      }
    }
    link.write(frame);
  }

  void holdLive() {
    synchronized (this) {
      held = new ArrayList<>();
    }
  }

  void releaseLive() {
    synchronized (this) {
      List<byte[]> h = held;
      if (h != null) {
        h.forEach(link::write);
        link.flush();
      }
      held = null; // only now: a sender that sees null must find the held frames already queued
    }
  }
}
