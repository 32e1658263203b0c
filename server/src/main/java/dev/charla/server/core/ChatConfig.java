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
 * @param failedLoginsPerAccountPerMinute wrong-password attempts per account name per minute
 * @param loginTimeout time a connection may stay without logging in
 * @param idleTimeout time without any frame from a client before the server closes the connection
 * @param tokenLifetime how long a resume token stays valid
 * @param maxOutboundBytes bytes queued for one session before it is disconnected as a slow consumer
 * @param addressVisibility who sees sessions' IP and port in presence
 * @param recentOnJoin messages of history sent with a join reply
 * @param hashThreads concurrent password hashes (Argon2id needs 19 MiB and ~50 ms each)
 * @param hashQueue hashes waiting beyond which logins are refused with {@code throttled}
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
    int hashQueue) {

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
        Duration.ofDays(30), 4L << 20, AddressVisibility.EVERYONE, 20, 2, 64);
  }

  /** A copy with flood and throttle limits lifted: for benchmarks on loopback, never for public servers. */
  public ChatConfig unlimited() {
    return new ChatConfig(
        1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, maxSessions, 1_000_000, 1_000_000, 1_000_000,
        loginTimeout, idleTimeout, tokenLifetime, 64L << 20, addressVisibility, recentOnJoin, hashThreads,
        hashQueue);
  }

  public ChatConfig withLoginTimeout(Duration d) {
    return new ChatConfig(
        messagesPerSecond, messageBurst, framesPerSecond, frameBurst, maxConnectionsPerIp, maxSessions,
        loginAttemptsPerMinute, registrationsPerHour, failedLoginsPerAccountPerMinute, d, idleTimeout,
        tokenLifetime, maxOutboundBytes, addressVisibility, recentOnJoin, hashThreads, hashQueue);
  }

  public ChatConfig withMessageRate(int perSecond, int burst) {
    return new ChatConfig(
        perSecond, burst, framesPerSecond, frameBurst, maxConnectionsPerIp, maxSessions, loginAttemptsPerMinute,
        registrationsPerHour, failedLoginsPerAccountPerMinute, loginTimeout, idleTimeout, tokenLifetime,
        maxOutboundBytes, addressVisibility, recentOnJoin, hashThreads, hashQueue);
  }

  public ChatConfig withMaxConnectionsPerIp(int n) {
    return new ChatConfig(
        messagesPerSecond, messageBurst, framesPerSecond, frameBurst, n, maxSessions, loginAttemptsPerMinute,
        registrationsPerHour, failedLoginsPerAccountPerMinute, loginTimeout, idleTimeout, tokenLifetime,
        maxOutboundBytes, addressVisibility, recentOnJoin, hashThreads, hashQueue);
  }

  public ChatConfig withLoginAttemptsPerMinute(int n) {
    return new ChatConfig(
        messagesPerSecond, messageBurst, framesPerSecond, frameBurst, maxConnectionsPerIp, maxSessions, n,
        registrationsPerHour, failedLoginsPerAccountPerMinute, loginTimeout, idleTimeout, tokenLifetime,
        maxOutboundBytes, addressVisibility, recentOnJoin, hashThreads, hashQueue);
  }

  public ChatConfig withMaxOutboundBytes(long n) {
    return new ChatConfig(
        messagesPerSecond, messageBurst, framesPerSecond, frameBurst, maxConnectionsPerIp, maxSessions,
        loginAttemptsPerMinute, registrationsPerHour, failedLoginsPerAccountPerMinute, loginTimeout, idleTimeout,
        tokenLifetime, n, addressVisibility, recentOnJoin, hashThreads, hashQueue);
  }

  public ChatConfig withAddressVisibility(AddressVisibility v) {
    return new ChatConfig(
        messagesPerSecond, messageBurst, framesPerSecond, frameBurst, maxConnectionsPerIp, maxSessions,
        loginAttemptsPerMinute, registrationsPerHour, failedLoginsPerAccountPerMinute, loginTimeout, idleTimeout,
        tokenLifetime, maxOutboundBytes, v, recentOnJoin, hashThreads, hashQueue);
  }
}
