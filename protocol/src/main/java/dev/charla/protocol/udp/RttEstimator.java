package dev.charla.protocol.udp;

/**
 * Round-trip time estimate and the probe timeout derived from it, as in RFC 9002 section 5 (which refines RFC 6298:
 * the same smoothing, plus subtracting the peer's reported ack delay). All values in nanoseconds.
 *
 * <p>Not thread-safe; owned by one {@link ReliableConnection}.
 */
final class RttEstimator {
  /** Timer granularity (RFC 9002 kGranularity): the smallest variance term, so a steady RTT still gets slack. */
  static final long GRANULARITY_NANOS = 1_000_000;

  /** Backoff stops doubling after this many consecutive probe timeouts; the idle timeout ends hopeless cases. */
  static final int MAX_BACKOFF_EXPONENT = 6;

  private final long initialRttNanos;
  private boolean hasSample;
  private long latestRtt;
  private long smoothedRtt;
  private long rttVar;
  private long minRtt;

  RttEstimator(long initialRttNanos) {
    this.initialRttNanos = initialRttNanos;
    this.smoothedRtt = initialRttNanos;
    this.rttVar = initialRttNanos / 2;
    this.latestRtt = initialRttNanos;
    this.minRtt = initialRttNanos;
  }

  /**
   * Folds in one sample.
   *
   * @param sampleNanos time from sending the newly acknowledged largest packet to receiving its ack
   * @param ackDelayNanos the delay the peer reported, already capped at its max ack delay
   */
  void update(long sampleNanos, long ackDelayNanos) {
    latestRtt = Math.max(sampleNanos, 1);
    if (!hasSample) {
      hasSample = true;
      minRtt = latestRtt;
      smoothedRtt = latestRtt;
      rttVar = latestRtt / 2;
      return;
    }
    minRtt = Math.min(minRtt, latestRtt);
    // Subtract the peer's ack delay only if that leaves at least min_rtt: a delay report cannot make the path
    // look faster than it has ever been.
    long adjusted = latestRtt >= minRtt + ackDelayNanos ? latestRtt - ackDelayNanos : latestRtt;
    rttVar = (3 * rttVar + Math.abs(smoothedRtt - adjusted)) / 4;
    smoothedRtt = (7 * smoothedRtt + adjusted) / 8;
  }

  boolean hasSample() {
    return hasSample;
  }

  long smoothedRtt() {
    return smoothedRtt;
  }

  long rttVar() {
    return rttVar;
  }

  long minRtt() {
    return hasSample ? minRtt : 0;
  }

  long latestRtt() {
    return latestRtt;
  }

  long initialRtt() {
    return initialRttNanos;
  }

  /**
   * How long after sending an ack-eliciting packet to give up waiting for its ack and probe: smoothed RTT plus four
   * deviations plus the peer's permitted ack delay, doubled per consecutive timeout.
   */
  long probeTimeout(long maxAckDelayNanos, int consecutiveTimeouts) {
    long base = smoothedRtt + Math.max(4 * rttVar, GRANULARITY_NANOS) + maxAckDelayNanos;
    return base << Math.min(consecutiveTimeouts, MAX_BACKOFF_EXPONENT);
  }

  /**
   * How long after a later packet was acknowledged an unacknowledged packet is declared lost: 9/8 of the larger of
   * the smoothed and latest RTT, so mild reordering does not cause spurious retransmission.
   */
  long lossDelay() {
    return Math.max(Math.max(smoothedRtt, latestRtt) * 9 / 8, GRANULARITY_NANOS);
  }
}
