package dev.charla.server.core;

import java.time.Duration;

/**
 * The server's policy knobs. Every limit here is documented in docs/PROTOCOL.md ("Limits") and in the server's
 * {@code --help}; the defaults are the values a public server should run with.
 *
 * @param messagesPerSecond sustained rate of {@code send} frames per session (flood control)
 * @param messageBurst how many sends a session may make at once before the rate applies
 * @param framesPerSecond sustained rate of all frames per session
 * @param frameBurst burst of all frames per session
 * @param maxConnectionsPerIp simultaneous connections from one IP address
 * @param maxSessions sessions on the whole server
 * @param loginAttemptsPerMinute login/guest/resume attempts per IP per minute
 * @param registrationsPerHour account registrations per IP per hour
 * @param failedLoginsPerAccountPerMinute failed logins per account name per minute, from any address; once spent,
 *     further logins to that name are refused with {@code throttled} until a token is back
 * @param loginTimeout time a connection may stay without logging in
 * @param idleTimeout time without any frame from a client before the server closes the connection
 * @param tokenLifetime how long a resume token stays valid
 * @param maxOutboundBytes bytes queued for one session before it is disconnected as a slow consumer
 * @param addressVisibility who sees sessions' IP and port in presence
 * @param recentOnJoin messages of history sent with a join reply
 * @param hashThreads concurrent password hashes (Argon2id needs 19 MiB and ~50 ms each)
 * @param hashQueue hashes waiting beyond which logins are refused with {@code throttled}
 * @param presenceNoticeMaxMembers rooms with more members online than this get no {@code online}/{@code offline}
 *     notices (explicit join and leave are always announced): in a big room they are noise, and announcing
 *     every login to every member costs the square of the room's size
 * @param maxFileBytes largest file a user may upload or offer
 * @param fileQuotaBytes bytes each registered user may keep on the server (files, offers, uploads in progress)
 * @param uploadExpiry how long an unfinished upload may go without a chunk before its bytes are deleted and its
 *     quota freed
 * @param offerExpiry how long a file offer may stay neither accepted (fetched) nor declined before it is withdrawn
 *     and its bytes deleted; each fetch by the recipient restarts it
 * @param fileSweepInterval how often the file area looks for expired uploads and offers (also once at startup);
 *     expiry happens at most this late
 * @param ackCoalesceMinBatch committed batches of at least this many sends count as load: in them, what a sender
 *     gets only because of its own private message ({@code stored}, and the copy to its own sessions) is not
 *     flushed at once but rides with the next frame to that session, or goes out after {@code ackCoalesceDelay}
 * @param ackCoalesceDelay how long such a frame may wait for company (an upper bound; zero sends at once)
 */
public record ChatConfig(
    int messagesPerSecond,
    int messageBurst,
    int framesPerSecond,
    int frameBurst,
    int maxConnectionsPerIp,
    int maxSessions,
    int loginAttemptsPerMinute,
    int registrationsPerHour,
    int failedLoginsPerAccountPerMinute,
    Duration loginTimeout,
    Duration idleTimeout,
    Duration tokenLifetime,
    long maxOutboundBytes,
    AddressVisibility addressVisibility,
    int recentOnJoin,
    int hashThreads,
    int hashQueue,
    int presenceNoticeMaxMembers,
    long maxFileBytes,
    long fileQuotaBytes,
    Duration uploadExpiry,
    Duration offerExpiry,
    Duration fileSweepInterval,
    int ackCoalesceMinBatch,
    Duration ackCoalesceDelay) {

  public ChatConfig {
    if (ackCoalesceDelay == null || ackCoalesceDelay.isNegative() || ackCoalesceMinBatch < 1) {
      throw new IllegalArgumentException(
          "ack coalescing needs a batch size >= 1 and a delay >= 0: " + ackCoalesceMinBatch + ", " + ackCoalesceDelay);
    }
    for (Duration d : new Duration[] {uploadExpiry, offerExpiry, fileSweepInterval}) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("file expiry and sweep durations must be positive: " + d);
      }
    }
  }

  /** Who may see each session's IP address and port in presence. */
  public enum AddressVisibility {
    /** Everyone sees everyone's address, as the original system did. The default. */
    EVERYONE,
    /** Each user sees only their own sessions' addresses. */
    SELF
  }

  public static ChatConfig defaults() {
    return new ChatConfig(
        10, 30, 50, 100, 16, 50_000, 30, 10, 10, Duration.ofSeconds(30), Duration.ofSeconds(90),
        Duration.ofDays(30), 4L << 20, AddressVisibility.EVERYONE, 20, 2, 64, 100,
        2L << 30, 5L << 30, Duration.ofHours(24), Duration.ofDays(7), Duration.ofMinutes(10),
        16, Duration.ofMillis(20));
  }

  /** A copy with flood and throttle limits lifted: for benchmarks on loopback, never for public servers. */
  public ChatConfig unlimited() {
    return toBuilder()
        .messagesPerSecond(1_000_000).messageBurst(1_000_000).framesPerSecond(1_000_000).frameBurst(1_000_000)
        .maxConnectionsPerIp(1_000_000).loginAttemptsPerMinute(1_000_000).registrationsPerHour(1_000_000)
        .failedLoginsPerAccountPerMinute(1_000_000).maxOutboundBytes(64L << 20).hashQueue(100_000)
        .build();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Changes some settings of a config; {@code ChatConfig.defaults().toBuilder().loginTimeout(...).build()}. */
  public static final class Builder {
    private int messagesPerSecond;
    private int messageBurst;
    private int framesPerSecond;
    private int frameBurst;
    private int maxConnectionsPerIp;
    private int maxSessions;
    private int loginAttemptsPerMinute;
    private int registrationsPerHour;
    private int failedLoginsPerAccountPerMinute;
    private Duration loginTimeout;
    private Duration idleTimeout;
    private Duration tokenLifetime;
    private long maxOutboundBytes;
    private AddressVisibility addressVisibility;
    private int recentOnJoin;
    private int hashThreads;
    private int hashQueue;
    private int presenceNoticeMaxMembers;
    private long maxFileBytes;
    private long fileQuotaBytes;
    private Duration uploadExpiry;
    private Duration offerExpiry;
    private Duration fileSweepInterval;
    private int ackCoalesceMinBatch;
    private Duration ackCoalesceDelay;

    private Builder(ChatConfig c) {
      messagesPerSecond = c.messagesPerSecond;
      messageBurst = c.messageBurst;
      framesPerSecond = c.framesPerSecond;
      frameBurst = c.frameBurst;
      maxConnectionsPerIp = c.maxConnectionsPerIp;
      maxSessions = c.maxSessions;
      loginAttemptsPerMinute = c.loginAttemptsPerMinute;
      registrationsPerHour = c.registrationsPerHour;
      failedLoginsPerAccountPerMinute = c.failedLoginsPerAccountPerMinute;
      loginTimeout = c.loginTimeout;
      idleTimeout = c.idleTimeout;
      tokenLifetime = c.tokenLifetime;
      maxOutboundBytes = c.maxOutboundBytes;
      addressVisibility = c.addressVisibility;
      recentOnJoin = c.recentOnJoin;
      hashThreads = c.hashThreads;
      hashQueue = c.hashQueue;
      presenceNoticeMaxMembers = c.presenceNoticeMaxMembers;
      maxFileBytes = c.maxFileBytes;
      fileQuotaBytes = c.fileQuotaBytes;
      uploadExpiry = c.uploadExpiry;
      offerExpiry = c.offerExpiry;
      fileSweepInterval = c.fileSweepInterval;
      ackCoalesceMinBatch = c.ackCoalesceMinBatch;
      ackCoalesceDelay = c.ackCoalesceDelay;
    }

    public Builder messagesPerSecond(int v) { messagesPerSecond = v; return this; }
    public Builder messageBurst(int v) { messageBurst = v; return this; }
    public Builder framesPerSecond(int v) { framesPerSecond = v; return this; }
    public Builder frameBurst(int v) { frameBurst = v; return this; }
    public Builder maxConnectionsPerIp(int v) { maxConnectionsPerIp = v; return this; }
    public Builder maxSessions(int v) { maxSessions = v; return this; }
    public Builder loginAttemptsPerMinute(int v) { loginAttemptsPerMinute = v; return this; }
    public Builder registrationsPerHour(int v) { registrationsPerHour = v; return this; }
    public Builder failedLoginsPerAccountPerMinute(int v) { failedLoginsPerAccountPerMinute = v; return this; }
    public Builder loginTimeout(Duration v) { loginTimeout = v; return this; }
    public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
    public Builder tokenLifetime(Duration v) { tokenLifetime = v; return this; }
    public Builder maxOutboundBytes(long v) { maxOutboundBytes = v; return this; }
    public Builder addressVisibility(AddressVisibility v) { addressVisibility = v; return this; }
    public Builder recentOnJoin(int v) { recentOnJoin = v; return this; }
    public Builder hashThreads(int v) { hashThreads = v; return this; }
    public Builder hashQueue(int v) { hashQueue = v; return this; }
    public Builder presenceNoticeMaxMembers(int v) { presenceNoticeMaxMembers = v; return this; }
    public Builder maxFileBytes(long v) { maxFileBytes = v; return this; }
    public Builder fileQuotaBytes(long v) { fileQuotaBytes = v; return this; }
    public Builder uploadExpiry(Duration v) { uploadExpiry = v; return this; }
    public Builder offerExpiry(Duration v) { offerExpiry = v; return this; }
    public Builder fileSweepInterval(Duration v) { fileSweepInterval = v; return this; }
    public Builder ackCoalesceMinBatch(int v) { ackCoalesceMinBatch = v; return this; }
    public Builder ackCoalesceDelay(Duration v) { ackCoalesceDelay = v; return this; }

    public ChatConfig build() {
      return new ChatConfig(messagesPerSecond, messageBurst, framesPerSecond, frameBurst, maxConnectionsPerIp,
          maxSessions, loginAttemptsPerMinute, registrationsPerHour, failedLoginsPerAccountPerMinute, loginTimeout,
          idleTimeout, tokenLifetime, maxOutboundBytes, addressVisibility, recentOnJoin, hashThreads, hashQueue,
          presenceNoticeMaxMembers, maxFileBytes, fileQuotaBytes, uploadExpiry, offerExpiry, fileSweepInterval,
          ackCoalesceMinBatch, ackCoalesceDelay);
    }
  }
}
