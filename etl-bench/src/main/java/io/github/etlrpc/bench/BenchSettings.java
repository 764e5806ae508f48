package io.github.etlrpc.bench;

/**
 * Run settings shared by every JMH benchmark in this package, kept in one place. Each parameter
 * combination gets one fork, 2 warmup iterations of 2 seconds and 3 measurement iterations of 3
 * seconds, and logs only warnings. With these the whole suite takes about 15 minutes on a 2-core
 * machine. The command line overrides them ({@code -f}, {@code -wi}, {@code -w}, {@code -i},
 * {@code -r}).
 */
final class BenchSettings {
  static final int FORKS = 1;
  static final int WARMUP_ITERATIONS = 2;
  static final int WARMUP_SECONDS = 2;
  static final int MEASUREMENT_ITERATIONS = 3;
  static final int MEASUREMENT_SECONDS = 3;
  /**
   * JVM option of the benchmark forks that limits slf4j-simple to warnings. The engine logs
   * each sealed round and pipeline run at INFO, and with small batches thousands of synchronous
   * console lines per second would be measured along with the code.
   */
  static final String QUIET_LOGGING = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn";
  /** Seed of the generated rows, so every run sends the same bytes. */
  static final long SEED = 20_260_101L;

  private BenchSettings() {}
}
