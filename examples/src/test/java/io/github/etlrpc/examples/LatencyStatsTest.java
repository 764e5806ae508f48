package io.github.etlrpc.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {
  private static final long MS = 1_000_000;

  @Test
  void stats_emptyReportsZeros() {
    LatencyStats stats = new LatencyStats();

    assertThat(stats.count()).isZero();
    assertThat(stats.meanMillis()).isZero();
    assertThat(stats.medianMillis()).isZero();
    assertThat(stats.maxMillis()).isZero();
    assertThat(stats.rowsPerSecond()).isZero();
  }

  @Test
  void stats_meanMedianMaxOfOddCount() {
    LatencyStats stats = new LatencyStats();
    stats.record(30 * MS, 300);
    stats.record(10 * MS, 100);
    stats.record(110 * MS, 600);

    assertThat(stats.count()).isEqualTo(3);
    assertThat(stats.meanMillis()).isCloseTo(50.0, within(1e-9));
    assertThat(stats.medianMillis()).isCloseTo(30.0, within(1e-9));
    assertThat(stats.maxMillis()).isCloseTo(110.0, within(1e-9));
    assertThat(stats.rows()).isEqualTo(1000);
    // 1000 rows over 150 ms of call time.
    assertThat(stats.rowsPerSecond()).isCloseTo(1000 / 0.150, within(1e-6));
  }

  @Test
  void stats_medianOfEvenCountInterpolates() {
    LatencyStats stats = new LatencyStats();
    for (long latency : new long[] {4, 1, 3, 2}) {
      stats.record(latency * MS, 1);
    }

    assertThat(stats.medianMillis()).isCloseTo(2.5, within(1e-9));
    assertThat(stats.percentileMillis(0)).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void stats_growsPastInitialCapacity() {
    LatencyStats stats = new LatencyStats();
    for (int i = 1; i <= 1_001; i++) {
      stats.record(i * MS, 1);
    }

    assertThat(stats.count()).isEqualTo(1_001);
    assertThat(stats.medianMillis()).isCloseTo(501.0, within(1e-9));
    assertThat(stats.maxMillis()).isCloseTo(1_001.0, within(1e-9));
  }

  @Test
  void addAll_combinesCallsAndRows() {
    LatencyStats first = new LatencyStats();
    first.record(10 * MS, 5);
    LatencyStats second = new LatencyStats();
    second.record(30 * MS, 7);
    second.record(20 * MS, 8);

    LatencyStats total = new LatencyStats();
    total.addAll(first);
    total.addAll(second);

    assertThat(total.count()).isEqualTo(3);
    assertThat(total.rows()).isEqualTo(20);
    assertThat(total.medianMillis()).isCloseTo(20.0, within(1e-9));
    assertThat(total.totalMillis()).isCloseTo(60.0, within(1e-9));
  }

  @Test
  void record_negativeLatencyIsRejected() {
    LatencyStats stats = new LatencyStats();

    assertThatThrownBy(() -> stats.record(-1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1 ns");
  }

  @Test
  void percentile_outsideRangeIsRejected() {
    LatencyStats stats = new LatencyStats();

    assertThatThrownBy(() -> stats.percentileMillis(101))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("101");
  }
}
