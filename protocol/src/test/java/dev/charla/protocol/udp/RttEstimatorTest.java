package dev.charla.protocol.udp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RttEstimatorTest {
  private static final long MS = 1_000_000;

  @Test
  void beforeAnySampleTheInitialRttIsAssumed() {
    RttEstimator rtt = new RttEstimator(100 * MS);
    assertThat(rtt.smoothedRtt()).isEqualTo(100 * MS);
    assertThat(rtt.rttVar()).isEqualTo(50 * MS);
    // PTO = 100 + 4 * 50 + max ack delay 20
    assertThat(rtt.probeTimeout(20 * MS, 0)).isEqualTo(320 * MS);
  }

  @Test
  void firstSampleSetsSrttToTheSampleAndRttvarToHalfOfIt() {
    // RFC 6298 2.2: SRTT <- R, RTTVAR <- R/2, RTO <- SRTT + max(G, K*RTTVAR) with K = 4.
    RttEstimator rtt = new RttEstimator(333 * MS);
    rtt.update(200 * MS, 0);
    assertThat(rtt.smoothedRtt()).isEqualTo(200 * MS);
    assertThat(rtt.rttVar()).isEqualTo(100 * MS);
    assertThat(rtt.minRtt()).isEqualTo(200 * MS);
    assertThat(rtt.probeTimeout(0, 0)).isEqualTo(600 * MS);
  }

  @Test
  void laterSamplesAreSmoothedWithOneEighthAndOneQuarter() {
    // RFC 6298 2.3: RTTVAR <- 3/4 RTTVAR + 1/4 |SRTT - R'|, then SRTT <- 7/8 SRTT + 1/8 R'.
    RttEstimator rtt = new RttEstimator(333 * MS);
    rtt.update(100 * MS, 0);
    rtt.update(200 * MS, 0);
    assertThat(rtt.rttVar()).isEqualTo(62_500_000); // 3/4 * 50 + 1/4 * 100
    assertThat(rtt.smoothedRtt()).isEqualTo(112_500_000); // 7/8 * 100 + 1/8 * 200
    assertThat(rtt.probeTimeout(0, 0)).isEqualTo(362_500_000); // 112.5 + 4 * 62.5
  }

  @Test
  void aSteadyPathConvergesAndTheVarianceFloorsAtTheGranularity() {
    RttEstimator rtt = new RttEstimator(100 * MS);
    for (int i = 0; i < 200; i++) {
      rtt.update(30 * MS, 0);
    }
    assertThat(rtt.smoothedRtt()).isEqualTo(30 * MS);
    assertThat(rtt.rttVar()).isLessThan(RttEstimator.GRANULARITY_NANOS / 4);
    assertThat(rtt.probeTimeout(0, 0)).isEqualTo(30 * MS + RttEstimator.GRANULARITY_NANOS);
  }

  @Test
  void theReportedAckDelayIsSubtractedOnlyIfThatLeavesAtLeastMinRtt() {
    // RFC 9002 5.3.
    RttEstimator rtt = new RttEstimator(100 * MS);
    rtt.update(50 * MS, 0); // min_rtt 50
    rtt.update(80 * MS, 20 * MS); // 80 >= 50 + 20: adjusted to 60
    assertThat(rtt.smoothedRtt()).isEqualTo((7 * 50 * MS + 60 * MS) / 8);

    RttEstimator other = new RttEstimator(100 * MS);
    other.update(50 * MS, 0);
    other.update(60 * MS, 20 * MS); // 60 < 50 + 20: the delay claim is not believed
    assertThat(other.smoothedRtt()).isEqualTo((7 * 50 * MS + 60 * MS) / 8);
  }

  @Test
  void probeTimeoutDoublesPerConsecutiveTimeoutUpToACap() {
    RttEstimator rtt = new RttEstimator(100 * MS);
    long base = rtt.probeTimeout(20 * MS, 0);
    assertThat(rtt.probeTimeout(20 * MS, 1)).isEqualTo(2 * base);
    assertThat(rtt.probeTimeout(20 * MS, 3)).isEqualTo(8 * base);
    assertThat(rtt.probeTimeout(20 * MS, 50)).isEqualTo(base << RttEstimator.MAX_BACKOFF_EXPONENT);
  }

  @Test
  void lossDelayIsNineEighthsOfTheLargerOfSmoothedAndLatest() {
    RttEstimator rtt = new RttEstimator(100 * MS);
    rtt.update(80 * MS, 0);
    assertThat(rtt.lossDelay()).isEqualTo(90 * MS);
    rtt.update(160 * MS, 0); // srtt 90, latest 160
    assertThat(rtt.lossDelay()).isEqualTo(180 * MS);
  }
}
