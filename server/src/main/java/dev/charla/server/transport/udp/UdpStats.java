package dev.charla.server.transport.udp;

/**
 * Counters of the UDP endpoint: what was dropped and why. Read by tests and logged at shutdown.
 *
 * @param datagramsReceived every datagram that reached the endpoint
 * @param droppedMalformed undecodable, truncated or oversize datagrams
 * @param droppedUnknownConnection DATA for a connection id the server does not know (or no longer knows)
 * @param droppedRateLimited datagrams over a source address's rate limit
 * @param droppedUnpaddedHello HELLOs shorter than the full datagram size (would allow amplification)
 * @param cookiesSent COOKIE replies
 * @param challengesSent CHALLENGEs to a new address of a known connection
 * @param migrations connections moved to a new address after a correct RESPONSE
 * @param resetsSent CLOSEs sent in answer to DATA for an unknown connection (so the client reconnects at once)
 * @param connections connections open now
 */
public record UdpStats(
    long datagramsReceived,
    long droppedMalformed,
    long droppedUnknownConnection,
    long droppedRateLimited,
    long droppedUnpaddedHello,
    long cookiesSent,
    long challengesSent,
    long migrations,
    long resetsSent,
    int connections) {}
