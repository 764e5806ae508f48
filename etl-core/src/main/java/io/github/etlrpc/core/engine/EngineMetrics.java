package io.github.etlrpc.core.engine;

import io.github.etlrpc.api.RoundState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters of one engine, all named {@code etl.*}. Without a registry the meters are
 * registered in an empty composite registry, which records nothing.
 */
final class EngineMetrics {
  private final MeterRegistry registry;
  private final Map<RoundState, AtomicLong> roundsByState = new EnumMap<>(RoundState.class);
  private final Timer storeCommit;
  private final Counter pipelineFailures;
  private final Counter pipelineRetries;

  EngineMetrics(@Nullable MeterRegistry registry) {
    this.registry = registry == null ? new CompositeMeterRegistry() : registry;
    for (RoundState state : RoundState.values()) {
      AtomicLong count = new AtomicLong();
      roundsByState.put(state, count);
      Gauge.builder("etl.rounds", count, AtomicLong::get)
          .description("Rounds known to this engine, by state")
          .tag("state", state.name())
          .register(this.registry);
    }
    storeCommit = Timer.builder("etl.store.commit")
        .description("Time to commit one batch to the store")
        .register(this.registry);
    pipelineFailures = Counter.builder("etl.pipeline.failures")
        .description("Pipeline attempts that failed or timed out")
        .register(this.registry);
    pipelineRetries = Counter.builder("etl.pipeline.retries")
        .description("Pipeline attempts scheduled again after a failure")
        .register(this.registry);
  }

  void registerGauges(Supplier<Number> openRounds, Supplier<Number> pendingBytes) {
    Gauge.builder("etl.rounds.open", openRounds)
        .description("Rounds collecting batches in memory")
        .register(registry);
    Gauge.builder("etl.pending.bytes", pendingBytes)
        .description("Payload bytes of open rounds")
        .baseUnit("bytes")
        .register(registry);
  }

  void accepted(String source, long rows) {
    registry.counter("etl.batches.accepted", "source", source).increment();
    registry.counter("etl.rows.accepted", "source", source).increment(rows);
  }

  /** Counts a rejected batch; {@code source} is "unknown" when the origin did not resolve. */
  void rejected(String source, String reason) {
    registry.counter("etl.batches.rejected", "source", source, "reason", reason).increment();
  }

  void storeCommit(long nanos) {
    storeCommit.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  void stateCount(RoundState state, long delta) {
    roundsByState.get(state).addAndGet(delta);
  }

  void transition(@Nullable RoundState from, RoundState to) {
    if (from != null) {
      stateCount(from, -1);
    }
    stateCount(to, 1);
  }

  void pipelineFinished(String outcome, Duration runTime, Duration roundTime) {
    Timer.builder("etl.pipeline.duration")
        .description("Wall time of one pipeline attempt, including the hand-off files")
        .tag("outcome", outcome)
        .register(registry)
        .record(runTime);
    Timer.builder("etl.round.duration")
        .description("Time from a round's first batch to the end of a pipeline attempt")
        .tag("outcome", outcome)
        .register(registry)
        .record(roundTime);
  }

  void pipelineFailed() {
    pipelineFailures.increment();
  }

  void pipelineRetried() {
    pipelineRetries.increment();
  }
}
