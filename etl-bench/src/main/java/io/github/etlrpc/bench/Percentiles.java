package io.github.etlrpc.bench;

import java.util.Arrays;

/** Order statistics of small samples, interpolated linearly as {@code LatencyStats} does. */
final class Percentiles {
  private Percentiles() {}

  /**
   * Returns the value at {@code percentile} (0 to 100) of {@code values}, interpolating between
   * the two nearest values, or NaN when {@code values} is empty. NaN entries are ignored.
   */
  static double of(double[] values, double percentile) {
    double[] sorted = Arrays.stream(values).filter(value -> !Double.isNaN(value)).sorted()
        .toArray();
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double position = percentile / 100 * (sorted.length - 1);
    int lower = (int) Math.floor(position);
    int upper = (int) Math.ceil(position);
    return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
  }

  /** Returns the median of {@code values}, or NaN when there is none. */
  static double median(double[] values) {
    return of(values, 50);
  }
}
