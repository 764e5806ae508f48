package io.github.etlrpc.api;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/** Implementations behind the factories of {@link CompletionPolicy}. */
final class CompletionPolicies {
  private CompletionPolicies() {}

  static CompletionPolicy minBatches(Map<String, Integer> batchesPerSource) {
    Map<String, Integer> minimums = new java.util.HashMap<>();
    batchesPerSource.forEach((source, count) -> {
      if (count < 1) {
        throw new IllegalArgumentException(
            "Minimum batches for source '" + source + "' is " + count + "; use 1 or more");
      }
      minimums.put(SourceCatalog.normalize(source), count);
    });
    Map<String, Integer> frozen = Map.copyOf(minimums);
    return new CompletionPolicy() {
      @Override
      public Decision evaluate(RoundInfo round, SourceCatalog sources, long nowMs) {
        for (String source : sources.requiredSources()) {
          int needed = frozen.getOrDefault(source, 1);
          if (round.batchesBySource().getOrDefault(source, 0) < needed) {
            return Decision.WAIT;
          }
        }
        return Decision.SEAL;
      }

      @Override
      public String toString() {
        return frozen.isEmpty() ? "allRequiredSources" : "minBatches" + frozen;
      }
    };
  }

  static CompletionPolicy when(Predicate<RoundInfo> complete) {
    Objects.requireNonNull(complete, "complete");
    return (round, sources, nowMs) ->
        complete.test(round) ? CompletionPolicy.Decision.SEAL : CompletionPolicy.Decision.WAIT;
  }

  static CompletionPolicy withTimeout(CompletionPolicy inner, Duration timeout,
      CompletionPolicy.TimeoutStart start, CompletionPolicy.OnTimeout onTimeout) {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(onTimeout, "onTimeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("Round timeout is " + timeout + "; use a positive value");
    }
    long timeoutMs = timeout.toMillis();
    return new CompletionPolicy() {
      @Override
      public Decision evaluate(RoundInfo round, SourceCatalog sources, long nowMs) {
        Decision decision = inner.evaluate(round, sources, nowMs);
        if (decision != Decision.WAIT || nowMs < deadlineMs(round)) {
          return decision;
        }
        return onTimeout == CompletionPolicy.OnTimeout.SEAL_PARTIAL
            ? Decision.SEAL
            : Decision.PARK;
      }

      @Override
      public long deadlineMs(RoundInfo round) {
        long from = start == CompletionPolicy.TimeoutStart.FIRST_BATCH
            ? round.openedAtMs()
            : round.lastBatchAtMs();
        return Math.min(inner.deadlineMs(round), from + timeoutMs);
      }

      @Override
      public String toString() {
        return inner + " with timeout " + timeout + " from " + start + " then " + onTimeout;
      }
    };
  }
}
