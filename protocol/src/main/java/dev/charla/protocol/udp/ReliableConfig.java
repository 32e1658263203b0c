package dev.charla.protocol.udp;

import java.time.Duration;

/**
 * Tuning of one {@link ReliableConnection}. {@link #defaults()} suits a chat server on the internet; every value
 * is explained where it is defined there, and the constructor rejects combinations that cannot work.
 *
 * @param maxDatagramBytes largest datagram this side sends; at most {@link UdpLimits#MAX_DATAGRAM_BYTES}, which is
 *     also what it accepts regardless of this value
 * @param initialRtt RTT assumed before the first sample
 * @param maxAckDelay longest this side holds an ack back to coalesce it with another; the peer adds its own value
 *     of this to its probe timeout, so both sides should use the same
 * @param ackEveryPackets ack at once after this many ack-eliciting packets, without waiting for the delay
 * @param maxInFlightBytes datagram bytes sent and not yet acknowledged or declared lost; more waits in the queue
 * @param maxQueuedBytes message bytes accepted by {@code send} and not yet acknowledged; beyond it {@code send}
 *     returns false (backpressure). At least one largest message
 * @param maxReassemblyBytes message bytes (plus 64 per message) the receiver holds for messages it cannot deliver
 *     yet plus delivered messages not yet polled; fragments beyond it are dropped unacknowledged, and the peer
 *     retransmits. The sender also keeps the messages it has in progress within this many bytes, so that in
 *     normal operation nothing is refused: both ends must use the same value
 * @param keepaliveInterval send a PING after this long without sending anything ack-eliciting or receiving
 *     anything
 * @param idleTimeout declare the peer dead after this long without a valid datagram from it
 */
public record ReliableConfig(
    int maxDatagramBytes,
    Duration initialRtt,
    Duration maxAckDelay,
    int ackEveryPackets,
    int maxInFlightBytes,
    int maxQueuedBytes,
    int maxReassemblyBytes,
    Duration keepaliveInterval,
    Duration idleTimeout) {

  /** Smallest datagram worth sending: room for a full ACK plus some data. */
  public static final int MIN_DATAGRAM_BYTES = 600;

  public ReliableConfig {
    if (maxDatagramBytes < MIN_DATAGRAM_BYTES || maxDatagramBytes > UdpLimits.MAX_DATAGRAM_BYTES) {
      throw new IllegalArgumentException("maxDatagramBytes " + maxDatagramBytes + " (allowed: "
          + MIN_DATAGRAM_BYTES + " to " + UdpLimits.MAX_DATAGRAM_BYTES + ")");
    }
    positive(initialRtt, "initialRtt");
    if (maxAckDelay.isNegative()) {
      throw new IllegalArgumentException("maxAckDelay must not be negative: " + maxAckDelay);
    }
    if (ackEveryPackets < 1) {
      throw new IllegalArgumentException("ackEveryPackets must be at least 1: " + ackEveryPackets);
    }
    if (maxInFlightBytes < maxDatagramBytes) {
      throw new IllegalArgumentException(
          "maxInFlightBytes " + maxInFlightBytes + " must hold one datagram (" + maxDatagramBytes + ")");
    }
    if (maxQueuedBytes < UdpLimits.MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException(
          "maxQueuedBytes " + maxQueuedBytes + " must hold one largest message (" + UdpLimits.MAX_MESSAGE_BYTES + ")");
    }
    if (maxReassemblyBytes < UdpLimits.MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException("maxReassemblyBytes " + maxReassemblyBytes
          + " must hold one largest message (" + UdpLimits.MAX_MESSAGE_BYTES + ")");
    }
    positive(keepaliveInterval, "keepaliveInterval");
    positive(idleTimeout, "idleTimeout");
    if (idleTimeout.compareTo(keepaliveInterval.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("idleTimeout " + idleTimeout
          + " must be at least twice keepaliveInterval " + keepaliveInterval + ", or one lost PING kills the link");
    }
  }

  /** The defaults, chosen as follows. */
  public static ReliableConfig defaults() {
    return new ReliableConfig(
        // The protocol maximum: fits every IPv6 path without IP fragmentation.
        UdpLimits.MAX_DATAGRAM_BYTES,
        // RFC 9002 assumes 333 ms for the open internet; a chat server is usually nearer, and one sample replaces
        // this anyway. Too low only costs one spurious retransmission on a slow first exchange.
        Duration.ofMillis(100),
        // QUIC's default is 25 ms; 20 ms keeps the added latency of a coalesced ack below what people notice.
        Duration.ofMillis(20),
        // Ack every second packet, as TCP and QUIC do: half the ack traffic, loss still noticed within one RTT.
        2,
        // 128 KiB in flight: about 1 Gbit/s at 1 ms RTT or 10 Mbit/s at 100 ms; far above chat rates, and with
        // maxQueuedBytes it bounds what one session can pin in server memory.
        128 * 1024,
        // 1 MiB of unacknowledged messages per session before send() pushes back: 16 largest frames.
        1024 * 1024,
        // 256 KiB: two windows of out-of-order data (so loss does not stall the window) and some slack.
        256 * 1024,
        // NAT bindings for UDP commonly expire after 30 s or more; pinging after 10 s quiet keeps them open.
        Duration.ofSeconds(10),
        // Four keepalive intervals: three lost PINGs in a row (and their probes) are tolerated.
        Duration.ofSeconds(45));
  }

  /** The same config with another keepalive interval and idle timeout (idle at least twice keepalive). */
  public ReliableConfig withKeepaliveAndIdleTimeout(Duration keepalive, Duration idle) {
    return new ReliableConfig(maxDatagramBytes, initialRtt, maxAckDelay, ackEveryPackets, maxInFlightBytes,
        maxQueuedBytes, maxReassemblyBytes, keepalive, idle);
  }

  public ReliableConfig withMaxQueuedBytes(int bytes) {
    return new ReliableConfig(maxDatagramBytes, initialRtt, maxAckDelay, ackEveryPackets, maxInFlightBytes,
        bytes, maxReassemblyBytes, keepaliveInterval, idleTimeout);
  }

  public ReliableConfig withMaxInFlightBytes(int bytes) {
    return new ReliableConfig(maxDatagramBytes, initialRtt, maxAckDelay, ackEveryPackets, bytes,
        maxQueuedBytes, maxReassemblyBytes, keepaliveInterval, idleTimeout);
  }

  public ReliableConfig withMaxReassemblyBytes(int bytes) {
    return new ReliableConfig(maxDatagramBytes, initialRtt, maxAckDelay, ackEveryPackets, maxInFlightBytes,
        maxQueuedBytes, bytes, keepaliveInterval, idleTimeout);
  }

  private static void positive(Duration d, String name) {
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }
}
