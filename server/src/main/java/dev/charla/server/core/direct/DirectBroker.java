package dev.charla.server.core.direct;

import dev.charla.protocol.Candidates;
import dev.charla.protocol.ClientFrame;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.Limits;
import dev.charla.protocol.Names;
import dev.charla.protocol.ServerFrame;
import dev.charla.server.core.Session;
import dev.charla.server.core.Ticker;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Brokers direct connections between two sessions (docs/PROTOCOL.md, "Direct connections"): a request to a user,
 * their consent, the exchange of candidate addresses and a one-time secret, and the relay of {@code direct_msg}
 * when the peers cannot reach each other. Nothing is stored; an address is shown to the other side only after the
 * requested user accepted.
 *
 * <p>Thread rules: called from any session's transport thread; all state is guarded by {@code this}. Nothing here
 * blocks: frames are queued with {@link Session#send}.
 */
public final class DirectBroker {
  /** Requests one user may make in a minute ({@code throttled} beyond). */
  public static final int REQUESTS_PER_MINUTE = 6;
  /** Links (pending or open) one session may take part in at once. */
  public static final int MAX_LINKS_PER_SESSION = 8;
  private static final long MINUTE_NANOS = 60_000_000_000L;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** How the broker finds a user's sessions. */
  public interface Users {
    /** The logged-in sessions of the user with this key (lower-case name); empty if offline. */
    List<Session> sessionsOf(String userKey);
  }

  private enum State { PENDING, OPEN }

  private static final class Link {
    final String id;
    final Session a;
    final List<String> aCandidates;
    final List<String> aUdp;
    final String bKey;
    final String bName;
    Session b;
    State state = State.PENDING;

    Link(String id, Session a, List<String> aCandidates, List<String> aUdp, String bKey, String bName) {
      this.id = id;
      this.a = a;
      this.aCandidates = aCandidates;
      this.aUdp = aUdp;
      this.bKey = bKey;
      this.bName = bName;
    }

    Session other(Session s) {
      return s == a ? b : a;
    }
  }

  private final FrameCodec codec;
  private final Users users;
  private final Ticker ticker;
  private final Map<String, Link> links = new HashMap<>();
  /** Request times per requesting user key, for the rate limit. */
  private final Map<String, ArrayDeque<Long>> requestTimes = new HashMap<>();
  private final AtomicLong relayedMessages = new AtomicLong();
  private final AtomicLong brokered = new AtomicLong();

  public DirectBroker(FrameCodec codec, Users users, Ticker ticker) {
    this.codec = codec;
    this.users = users;
    this.ticker = ticker;
  }

  /** Messages relayed so far (for tests and operators): zero while every conversation went direct. */
  public long relayedMessages() {
    return relayedMessages.get();
  }

  /** Links that were accepted and given a secret. */
  public long brokeredLinks() {
    return brokered.get();
  }

  public synchronized void request(Session s, ClientFrame.Direct f) {
    String to = f.to().startsWith("@") ? f.to().substring(1) : f.to();
    if (!Names.isValidUser(to)) {
      error(s, f.id(), ErrorCode.NO_SUCH_USER, "no such user online: " + clip(to));
      return;
    }
    String key = Names.userKey(to);
    if (key.equals(s.userKey())) {
      error(s, f.id(), ErrorCode.FORBIDDEN, "a direct connection needs another user");
      return;
    }
    List<Session> targets = users.sessionsOf(key);
    if (targets.isEmpty()) {
      error(s, f.id(), ErrorCode.NO_SUCH_USER, "no such user online: " + to);
      return;
    }
    if (!takeRequest(s.userKey())) {
      error(s, f.id(), ErrorCode.THROTTLED,
          "too many direct connection requests (limit: " + REQUESTS_PER_MINUTE + " per minute)");
      return;
    }
    if (linksOf(s) >= MAX_LINKS_PER_SESSION) {
      error(s, f.id(), ErrorCode.THROTTLED,
          "too many direct connections open (limit: " + MAX_LINKS_PER_SESSION + " per session)");
      return;
    }
    String id = randomId();
    Link link = new Link(id, s, withObserved(f.candidates(), s), withObserved(f.udp(), s), key,
        targets.get(0).userName());
    links.put(id, link);
    s.send(codec.encode(new ServerFrame.DirectPending(f.id(), id, link.bName)));
    byte[] ask = codec.encode(new ServerFrame.DirectRequest(id, s.userName()));
    for (Session t : targets) {
      t.send(ask);
    }
  }

  public synchronized void accept(Session s, ClientFrame.DirectAccept f) {
    Link link = links.get(f.link());
    if (link == null || link.state != State.PENDING || !link.bKey.equals(s.userKey())) {
      error(s, f.id(), ErrorCode.NO_SUCH_LINK, "no direct connection request " + clip(f.link()) + " for you");
      return;
    }
    if (linksOf(s) >= MAX_LINKS_PER_SESSION) {
      error(s, f.id(), ErrorCode.THROTTLED,
          "too many direct connections open (limit: " + MAX_LINKS_PER_SESSION + " per session)");
      return;
    }
    link.b = s;
    link.state = State.OPEN;
    brokered.incrementAndGet();
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String key = Base64.getEncoder().encodeToString(secret);
    List<String> bCandidates = withObserved(f.candidates(), s);
    List<String> bUdp = withObserved(f.udp(), s);
    link.a.send(codec.encode(
        new ServerFrame.DirectReady(null, link.id, s.userName(), "a", key, bCandidates, bUdp)));
    s.send(codec.encode(
        new ServerFrame.DirectReady(f.id(), link.id, link.a.userName(), "b", key, link.aCandidates, link.aUdp)));
    // The user's other sessions stop asking.
    tellOthers(link, s, "accepted elsewhere");
  }

  public synchronized void decline(Session s, ClientFrame.DirectDecline f) {
    Link link = links.get(f.link());
    if (link == null || link.state != State.PENDING || !link.bKey.equals(s.userKey())) {
      error(s, f.id(), ErrorCode.NO_SUCH_LINK, "no direct connection request " + clip(f.link()) + " for you");
      return;
    }
    links.remove(link.id);
    s.send(codec.encode(new ServerFrame.Ok(f.id())));
    link.a.send(codec.encode(new ServerFrame.DirectDeclined(link.id, link.bName)));
    tellOthers(link, s, "declined elsewhere");
  }

  /** Relays a message to the other side of an open link. Stored nowhere; counted. */
  public synchronized void relay(Session s, ClientFrame.DirectMsg f) {
    Link link = links.get(f.link());
    if (link == null || link.state != State.OPEN || (s != link.a && s != link.b)) {
      error(s, f.id(), ErrorCode.NO_SUCH_LINK, "no open direct connection " + clip(f.link()));
      return;
    }
    if (f.text().length() > Limits.MAX_TEXT_CHARS) {
      error(s, f.id(), ErrorCode.BAD_TEXT,
          "text too long: " + f.text().length() + " chars (limit: " + Limits.MAX_TEXT_CHARS + ")");
      return;
    }
    relayedMessages.incrementAndGet();
    link.other(s).send(codec.encode(new ServerFrame.DirectMsg(link.id, s.userName(), f.text())));
    if (f.id() != null) {
      s.send(codec.encode(new ServerFrame.Ok(f.id())));
    }
  }

  /** Ends a link (either side, or the requester withdrawing a pending request). */
  public synchronized void close(Session s, ClientFrame.DirectClose f) {
    Link link = links.get(f.link());
    if (link == null || (s != link.a && s != link.b)) {
      error(s, f.id(), ErrorCode.NO_SUCH_LINK, "no direct connection " + clip(f.link()));
      return;
    }
    end(link, s, "closed by " + s.userName());
    if (f.id() != null) {
      s.send(codec.encode(new ServerFrame.Ok(f.id())));
    }
  }

  /** The session is gone: its links end and the other sides are told. */
  public synchronized void onClosed(Session s) {
    for (Link link : new ArrayList<>(links.values())) {
      if (link.a == s || link.b == s) {
        end(link, s, s.userName() + " went offline");
      }
    }
  }

  private void end(Link link, Session by, String reason) {
    links.remove(link.id);
    byte[] closed = codec.encode(new ServerFrame.DirectClosed(link.id, reason));
    if (link.state == State.OPEN) {
      Session other = link.other(by);
      if (other != null) {
        other.send(closed);
      }
    } else if (by == link.a) {
      // A withdrawn request: the asked user's sessions stop asking.
      for (Session t : users.sessionsOf(link.bKey)) {
        t.send(closed);
      }
    } else {
      link.a.send(closed);
    }
  }

  private void tellOthers(Link link, Session answered, String reason) {
    byte[] closed = codec.encode(new ServerFrame.DirectClosed(link.id, reason));
    for (Session t : users.sessionsOf(link.bKey)) {
      if (t != answered) {
        t.send(closed);
      }
    }
  }

  /**
   * The reported candidates, then the address the server sees with each reported port (deduplicated). The server
   * observes only the session's IP (its connection's port says nothing about the peer sockets), so for TCP and UDP
   * alike the public candidate is that IP with the port the client bound: right behind a NAT that keeps port
   * numbers (most simple ones do when the port is free), and harmless otherwise.
   */
  private static List<String> withObserved(List<String> reported, Session s) {
    Set<String> all = new LinkedHashSet<>(reported);
    for (String c : reported) {
      var parsed = Candidates.parse(c);
      var observed = Candidates.parse(
          (s.remoteIp().contains(":") ? "[" + s.remoteIp() + "]" : s.remoteIp()) + ":" + parsed.getPort());
      if (observed != null) {
        all.add(Candidates.format(observed.getAddress(), observed.getPort()));
      }
    }
    return List.copyOf(all);
  }

  private boolean takeRequest(String userKey) {
    long now = ticker.nanoTime();
    if (requestTimes.size() > 100_000) {
      requestTimes.clear();
    }
    ArrayDeque<Long> times = requestTimes.computeIfAbsent(userKey, k -> new ArrayDeque<>());
    while (!times.isEmpty() && now - times.peekFirst() >= MINUTE_NANOS) {
      times.pollFirst();
    }
    if (times.size() >= REQUESTS_PER_MINUTE) {
      return false;
    }
    times.addLast(now);
    return true;
  }

  private int linksOf(Session s) {
    int n = 0;
    for (Link l : links.values()) {
      if (l.a == s || l.b == s) {
        n++;
      }
    }
    return n;
  }

  private void error(Session s, String id, ErrorCode code, String message) {
    s.send(codec.encode(new ServerFrame.Error(id, code, message)));
  }

  private static String randomId() {
    byte[] b = new byte[9];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String clip(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
