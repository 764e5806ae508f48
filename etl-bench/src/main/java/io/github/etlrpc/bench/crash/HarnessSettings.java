package io.github.etlrpc.bench.crash;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Settings of one crash harness run.
 *
 * @param iterations kills of the server, each followed by a restart
 * @param seed seed of kill moments, batch sizes and pauses; the server's own timing still varies
 * @param clients concurrent simulated sources
 * @param workDirectory folder for the server's work directory, the ledger and logs; null for a
 *     new temporary folder, deleted after a passing run
 * @param maxTime limit of the whole run; past it the harness stops and fails
 * @param minBatchesPerSource batches each source must send before a round is complete, which
 *     sets how many rounds, and so pipeline runs, the load produces
 * @param maxPauseMs longest pause of a client between two sends, in milliseconds
 * @param roundTimeout time after a round's last batch at which the server seals it with the
 *     sources it has. This flushes the last round and rounds left open across a kill.
 * @param store round store of the server; {@link Store#IN_MEMORY} is a control run that must fail
 */
record HarnessSettings(
    int iterations,
    long seed,
    int clients,
    @Nullable Path workDirectory,
    Duration maxTime,
    int minBatchesPerSource,
    int maxPauseMs,
    Duration roundTimeout,
    Store store) {

  /** Round store the server runs with. */
  enum Store {
    /** The durable SQLite store, whose guarantees the harness checks. */
    SQLITE,
    /**
     * The in-memory store, which loses every unfinished round on a kill. A run with it must fail,
     * which shows that the checks detect loss.
     */
    IN_MEMORY
  }

  static final int DEFAULT_CLIENTS = 4;
  static final int DEFAULT_MIN_BATCHES_PER_SOURCE = 8;
  static final int DEFAULT_MAX_PAUSE_MS = 100;
  static final Duration DEFAULT_ROUND_TIMEOUT = Duration.ofSeconds(2);
  static final Duration DEFAULT_MAX_TIME = Duration.ofMinutes(20);

  HarnessSettings {
    requirePositive(iterations, "iterations");
    requirePositive(clients, "clients");
    requirePositive(minBatchesPerSource, "minBatchesPerSource");
    if (maxPauseMs < 0) {
      throw new IllegalArgumentException("maxPauseMs is " + maxPauseMs + "; use 0 or more");
    }
    if (maxTime.isNegative() || maxTime.isZero()) {
      throw new IllegalArgumentException("maxTime is " + maxTime + "; use a positive duration");
    }
    if (roundTimeout.toMillis() < 1) {
      throw new IllegalArgumentException(
          "roundTimeout is " + roundTimeout + "; use at least 1 ms");
    }
  }

  /** Returns the defaults with the given number of iterations and seed. */
  static HarnessSettings defaults(int iterations, long seed) {
    return new HarnessSettings(iterations, seed, DEFAULT_CLIENTS, null, DEFAULT_MAX_TIME,
        DEFAULT_MIN_BATCHES_PER_SOURCE, DEFAULT_MAX_PAUSE_MS, DEFAULT_ROUND_TIMEOUT, Store.SQLITE);
  }

  HarnessSettings withWorkDirectory(@Nullable Path directory) {
    return new HarnessSettings(iterations, seed, clients, directory, maxTime,
        minBatchesPerSource, maxPauseMs, roundTimeout, store);
  }

  HarnessSettings withMaxTime(Duration time) {
    return new HarnessSettings(iterations, seed, clients, workDirectory, time,
        minBatchesPerSource, maxPauseMs, roundTimeout, store);
  }

  HarnessSettings withStore(Store serverStore) {
    return new HarnessSettings(iterations, seed, clients, workDirectory, maxTime,
        minBatchesPerSource, maxPauseMs, roundTimeout, serverStore);
  }

  private static void requirePositive(int value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " is " + value + "; use 1 or more");
    }
  }
}
