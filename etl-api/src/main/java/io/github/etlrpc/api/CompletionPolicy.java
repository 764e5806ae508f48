package io.github.etlrpc.api;

import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Decides when an open round is complete. The engine evaluates it after every accepted batch
 * and, for policies with a deadline, again at {@link #deadlineMs}. Implementations are stateless
 * and thread-safe, and they get only the round snapshot.
 */
public interface CompletionPolicy {

  /** Decision on an open round. */
  enum Decision {
    /** Keep collecting batches. */
    WAIT,
    /** Seal the round with the batches it has and hand it to the pipeline. */
    SEAL,
    /** Give up on the round and park it as expired, without running the pipeline. */
    PARK
  }

  /** Clock a timeout counts from. */
  enum TimeoutStart {
    /** The round's first accepted batch. */
    FIRST_BATCH,
    /** The round's most recent accepted batch, so each batch restarts the count. */
    LAST_BATCH
  }

  /** Action on a round whose timeout passes before it completes. */
  enum OnTimeout {
    /** Seal with the sources present; missing sources get empty hand-off files. */
    SEAL_PARTIAL,
    /** Park the round in ESTACIONADA with an expiry error. */
    PARK
  }

  /** Decides on {@code round} at {@code nowMs}. */
  Decision evaluate(RoundInfo round, SourceCatalog sources, long nowMs);

  /**
   * Returns the epoch millis at which {@link #evaluate} may return another decision without a
   * new batch, or {@link Long#MAX_VALUE} when only a new batch can change it.
   */
  default long deadlineMs(RoundInfo round) {
    return Long.MAX_VALUE;
  }

  /** Returns the default policy: every required source has at least one batch. */
  static CompletionPolicy allRequiredSources() {
    return CompletionPolicies.minBatches(Map.of());
  }

  /**
   * Returns a policy that waits until every required source has at least the given number of
   * batches; sources missing from the map need one, as with {@link #allRequiredSources()}.
   *
   * @throws IllegalArgumentException if a count is below 1
   */
  static CompletionPolicy minBatches(Map<String, Integer> batchesPerSource) {
    return CompletionPolicies.minBatches(batchesPerSource);
  }

  /** Returns a policy that seals a round as soon as {@code complete} returns true for it. */
  static CompletionPolicy when(Predicate<RoundInfo> complete) {
    return CompletionPolicies.when(complete);
  }

  /**
   * Returns this policy with a timeout: once {@code timeout} has passed since {@code start} and
   * this policy still waits, the round is sealed partially or parked, as {@code onTimeout}
   * selects.
   *
   * @throws IllegalArgumentException if the timeout is not positive
   */
  default CompletionPolicy withTimeout(Duration timeout, TimeoutStart start, OnTimeout onTimeout) {
    return CompletionPolicies.withTimeout(this, timeout, start, onTimeout);
  }
}
