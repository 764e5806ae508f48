package io.github.etlrpc.examples;

import java.util.Arrays;

/**
 * Latencies and row counts of completed calls. Throughput is rows divided by the summed call
 * time, so for one sequential client it is the rate its calls achieved; callers that want a rate
 * over wall-clock time divide {@link #rows()} by their own elapsed time. Thread-safe.
 */
public final class LatencyStats {
  private long[] latenciesNanos = new long[64];
  private int count;
  private long totalNanos;
  private long rows;

  /** Records one call that took {@code latencyNanos} and carried {@code rowCount} rows. */
  public synchronized void record(long latencyNanos, long rowCount) {
    if (latencyNanos < 0 || rowCount < 0) {
      throw new IllegalArgumentException(
          "Latency " + latencyNanos + " ns and rows " + rowCount + " must not be negative");
    }
    if (count == latenciesNanos.length) {
      latenciesNanos = Arrays.copyOf(latenciesNanos, count * 2);
    }
    latenciesNanos[count++] = latencyNanos;
    totalNanos += latencyNanos;
    rows += rowCount;
  }

  /** Adds every call recorded in {@code other} to this instance. */
  public void addAll(LatencyStats other) {
    long[] otherLatencies;
    long otherRows;
    synchronized (other) {
      otherLatencies = Arrays.copyOf(other.latenciesNanos, other.count);
      otherRows = other.rows;
    }
    synchronized (this) {
      for (long latency : otherLatencies) {
        record(latency, 0);
      }
      rows += otherRows;
    }
  }

  /** Number of recorded calls. */
  public synchronized int count() {
    return count;
  }

  /** Rows of all recorded calls. */
  public synchronized long rows() {
    return rows;
  }

  /** Summed latency of all recorded calls, in milliseconds. */
  public synchronized double totalMillis() {
    return totalNanos / 1e6;
  }

  /** Mean latency in milliseconds, or 0 without calls. */
  public synchronized double meanMillis() {
    return count == 0 ? 0 : totalNanos / 1e6 / count;
  }

  /** Median latency in milliseconds, or 0 without calls. */
  public double medianMillis() {
    return percentileMillis(50);
  }

  /** Maximum latency in milliseconds, or 0 without calls. */
  public double maxMillis() {
    return percentileMillis(100);
  }

  /**
   * Returns the latency in milliseconds at {@code percentile} (0 to 100), interpolating linearly
   * between the two nearest calls, or 0 without calls.
   *
   * @throws IllegalArgumentException if {@code percentile} is outside 0..100
   */
  public double percentileMillis(double percentile) {
    if (!(percentile >= 0 && percentile <= 100)) {
      throw new IllegalArgumentException("Percentile is " + percentile + "; use 0 to 100");
    }
    long[] sorted;
    synchronized (this) {
      if (count == 0) {
        return 0;
      }
      sorted = Arrays.copyOf(latenciesNanos, count);
    }
    Arrays.sort(sorted);
    double position = percentile / 100 * (sorted.length - 1);
    int lower = (int) Math.floor(position);
    int upper = (int) Math.ceil(position);
    double fraction = position - lower;
    return (sorted[lower] + (sorted[upper] - sorted[lower]) * fraction) / 1e6;
  }

  /** Rows per second of summed call time, or 0 without calls. */
  public synchronized double rowsPerSecond() {
    return totalNanos == 0 ? 0 : rows * 1e9 / totalNanos;
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT,
        "calls=%d mean=%.1fms median=%.1fms max=%.1fms rows=%d rows/s=%.0f",
        count(), meanMillis(), medianMillis(), maxMillis(), rows(), rowsPerSecond());
  }
}
