package io.github.etlrpc.examples;

import java.time.Duration;

/**
 * Range checks of option values that name the flag, so that a wrong value is reported as the
 * user typed it and not as the builder property it ends up in. Each check throws
 * IllegalArgumentException, which {@link EtlCli} prints as one {@code error:} line.
 */
final class OptionChecks {
  private OptionChecks() {}

  static void atLeast(long value, long min, String flag) {
    if (value < min) {
      throw new IllegalArgumentException(flag + " is " + value + "; use " + min + " or more");
    }
  }

  static void inRange(long value, long min, long max, String flag) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          flag + " is " + value + "; use a value from " + min + " to " + max);
    }
  }

  static void port(int port, String flag) {
    inRange(port, 0, 65_535, flag);
  }

  static void positive(Duration value, String flag) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          flag + " is " + value + "; use a positive duration such as 30s or 5m");
    }
  }

  static void notNegative(Duration value, String flag) {
    if (value.isNegative()) {
      throw new IllegalArgumentException(
          flag + " is " + value + "; use 0s or a positive duration such as 30s");
    }
  }
}
