package dev.charla.protocol.udp;

/**
 * A snapshot of one {@link ReliableConnection}'s counters, for metrics and tests. Counts are since the connection
 * was created; times are in nanoseconds.
 *
 * @param datagramsSent datagrams returned by {@code pollDatagrams}
 * @param bytesSent their total size
 * @param datagramsReceived datagrams passed to {@code receive}, valid or not
 * @param bytesReceived their total size
 * @param packetsLost sent packets declared lost (by packet or time threshold)
 * @param packetsRetransmitted sent packets that carried at least one resent fragment
 * @param probesSent packets sent because the probe timeout fired
 * @param duplicatePackets packets received again (or too old to track), ignored
 * @param droppedMalformed datagrams that failed to decode, were oversize, or acknowledged unsent packets
 * @param droppedForeign well-formed datagrams for another connection id, or handshake packets
 * @param droppedOverReassemblyLimit packets left unacknowledged because their fragments would exceed the
 *     reassembly limit
 * @param messagesAccepted messages accepted by {@code send}
 * @param messagesDelivered messages handed out by {@code pollMessage}
 * @param smoothedRttNanos current smoothed RTT (the initial RTT until the first sample)
 * @param rttVarNanos current RTT variation
 * @param minRttNanos smallest RTT sample, 0 before the first
 * @param bytesInFlight datagram bytes sent, unacknowledged and not declared lost
 * @param queuedBytes message bytes accepted and not yet acknowledged
 */
public record ConnectionStats(
    long datagramsSent,
    long bytesSent,
    long datagramsReceived,
    long bytesReceived,
    long packetsLost,
    long packetsRetransmitted,
    long probesSent,
    long duplicatePackets,
    long droppedMalformed,
    long droppedForeign,
    long droppedOverReassemblyLimit,
    long messagesAccepted,
    long messagesDelivered,
    long smoothedRttNanos,
    long rttVarNanos,
    long minRttNanos,
    long bytesInFlight,
    long queuedBytes) {}
