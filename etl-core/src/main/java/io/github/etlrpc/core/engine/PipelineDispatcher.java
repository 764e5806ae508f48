package io.github.etlrpc.core.engine;

import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.RoundStore;
import io.github.etlrpc.core.HandoffRetention;
import io.github.etlrpc.core.handoff.JsonHandoffWriter;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs sealed rounds through the pipeline on a fixed pool of its own, separate from the threads
 * that accept batches. Each run first claims the round in the store, which moves it to
 * EXECUTANDO and counts the attempt.
 *
 * <p>NOTE: a claim also succeeds on a round already in EXECUTANDO, because that is how a run cut
 * off by a crash is taken over after restart. Engines sharing one store could therefore run the
 * same round at once. Before several nodes can share a store, the claim needs a lease with an
 * owner.
 */
final class PipelineDispatcher {
  private static final Logger log = LoggerFactory.getLogger(PipelineDispatcher.class);

  private final EngineSettings settings;
  private final RoundStore store;
  private final EngineMetrics metrics;
  private final Consumer<RoundInfo> onChange;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;
  private final AtomicInteger queued = new AtomicInteger();
  /**
   * Attempts per round that do not count towards {@code maxAttempts}: those before an operator
   * re-run, and one cut off by a crash. Kept in memory only.
   */
  private final Map<String, Integer> attemptBase = new ConcurrentHashMap<>();

  PipelineDispatcher(EngineSettings settings, EngineMetrics metrics, Consumer<RoundInfo> onChange,
      ScheduledExecutorService scheduler) {
    this.settings = settings;
    this.store = settings.store();
    this.metrics = metrics;
    this.onChange = onChange;
    this.scheduler = scheduler;
    AtomicInteger threadNumber = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(settings.pipelineConcurrency(),
        settings.pipelineConcurrency(), 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
        task -> {
          Thread thread = new Thread(task, "etl-pipeline-" + threadNumber.incrementAndGet());
          thread.setDaemon(false);
          return thread;
        });
  }

  /** Sealed rounds waiting for a pipeline thread. */
  int queued() {
    return queued.get();
  }

  /** Queues a sealed, failed or interrupted round for a pipeline run. */
  void dispatch(String roundId, RoundState fromState) {
    queued.incrementAndGet();
    try {
      workers.execute(() -> run(roundId, fromState));
    } catch (RejectedExecutionException e) {
      queued.decrementAndGet();
      log.info("Round {} not dispatched because the engine is shutting down; it runs on the next"
          + " start", roundId);
    }
  }

  /** Gives a round a fresh budget of attempts, as after an operator re-run. */
  void resetAttempts(String roundId, int attemptsSoFar) {
    attemptBase.put(roundId, attemptsSoFar);
  }

  /** Stops counting a round's last attempt, which a crash cut off, towards its budget. */
  void discountInterruptedAttempt(String roundId) {
    attemptBase.merge(roundId, 1, Integer::sum);
  }

  private void run(String roundId, RoundState fromState) {
    queued.decrementAndGet();
    Optional<RoundInfo> claimed;
    try {
      claimed = store.claim(roundId, settings.clock().millis());
    } catch (RuntimeException e) {
      log.error("Cannot claim round {} for its pipeline run; it stays {} until the next start",
          roundId, fromState, e);
      return;
    }
    if (claimed.isEmpty()) {
      log.debug("Round {} is no longer claimable; another run or node has it", roundId);
      return;
    }
    RoundInfo round = claimed.get();
    metrics.transition(fromState, RoundState.EXECUTANDO);
    onChange.accept(round);
    int attempt = round.attempts();
    int counted = attempt - attemptBase.getOrDefault(roundId, 0);
    Path directory = settings.workDirectory().resolve("rounds").resolve(roundId);
    List<String> sources = handoffSources();
    log.info("Pipeline started for round {} (key '{}', attempt {}, {} of {} allowed), rows per"
        + " source {}", roundId, round.roundKey(), attempt, counted, settings.maxAttempts(),
        round.rowsBySource());
    long startNanos = System.nanoTime();
    PipelineResult result;
    try {
      Files.createDirectories(directory);
      Map<String, Path> files = settings.pipeline().usesHandoffFiles()
          ? JsonHandoffWriter.writeRound(store, roundId, directory, sources, settings.sources())
          : Map.of();
      result = settings.pipeline().run(new EngineRun(roundId, round.roundKey(), attempt,
          sources, round.rowsBySource(), directory, files, store));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("Pipeline run of round {} interrupted by shutdown; it stays EXECUTANDO and runs"
          + " again on the next start", roundId);
      return;
    } catch (Exception e) {
      log.warn("Pipeline run of round {} attempt {} failed", roundId, attempt, e);
      result = PipelineResult.failed(-1, e.toString());
    }
    Duration runTime = Duration.ofNanos(System.nanoTime() - startNanos);
    try {
      finish(round, attempt, counted, result, runTime, directory);
    } catch (RuntimeException e) {
      log.error("Cannot record the outcome of round {} attempt {}; it runs again on the next"
          + " start", roundId, attempt, e);
    }
  }

  private void finish(RoundInfo round, int attempt, int counted, PipelineResult result,
      Duration runTime, Path directory) {
    String roundId = round.roundId();
    long nowMs = settings.clock().millis();
    Duration roundTime = Duration.ofMillis(Math.max(0, nowMs - round.openedAtMs()));
    metrics.pipelineFinished(result.outcome().name(), runTime, roundTime);
    if (result.isSuccess()) {
      store.transition(roundId, EnumSet.of(RoundState.EXECUTANDO), RoundState.CONCLUIDA, "", nowMs);
      metrics.transition(RoundState.EXECUTANDO, RoundState.CONCLUIDA);
      attemptBase.remove(roundId);
      log.info("Pipeline finished for round {}: exit code {}, {} ms, rows per source {}",
          roundId, result.exitCode(), runTime.toMillis(), round.rowsBySource());
      store.purgePayloads(roundId);
      if (settings.handoffRetention() == HandoffRetention.DELETE_ON_SUCCESS) {
        deleteHandoffFiles(roundId, directory);
      }
      onChange.accept(round.withState(RoundState.CONCLUIDA, "", nowMs));
      return;
    }
    metrics.pipelineFailed();
    String error = "attempt " + attempt + ": " + result.outcome() + " " + result.message();
    if (counted < settings.maxAttempts()) {
      store.transition(roundId, EnumSet.of(RoundState.EXECUTANDO), RoundState.FALHOU, error, nowMs);
      metrics.transition(RoundState.EXECUTANDO, RoundState.FALHOU);
      Duration backoff = backoff(counted);
      log.warn("Pipeline failed for round {} ({}), exit code {}, {} ms; retry in {} ms",
          roundId, error, result.exitCode(), runTime.toMillis(), backoff.toMillis());
      onChange.accept(round.withState(RoundState.FALHOU, error, nowMs));
      metrics.pipelineRetried();
      try {
        scheduler.schedule(() -> dispatch(roundId, RoundState.FALHOU), backoff.toMillis(),
            TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        log.info("Retry of round {} not scheduled because the engine is shutting down; it runs"
            + " on the next start", roundId);
      }
      return;
    }
    store.transition(roundId, EnumSet.of(RoundState.EXECUTANDO), RoundState.ESTACIONADA, error,
        nowMs);
    metrics.transition(RoundState.EXECUTANDO, RoundState.ESTACIONADA);
    attemptBase.remove(roundId);
    log.error("Pipeline failed for round {} ({}), exit code {}; {} attempts used, round parked"
        + " with its hand-off files in {}", roundId, error, result.exitCode(),
        settings.maxAttempts(), directory);
    onChange.accept(round.withState(RoundState.ESTACIONADA, error, nowMs));
  }

  /** Backoff after the given failed attempt: initial, doubling, capped at the maximum. */
  Duration backoff(int failedAttempt) {
    Duration delay = settings.initialBackoff();
    for (int i = 1; i < failedAttempt && delay.compareTo(settings.maxBackoff()) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : delay;
  }

  /**
   * Required sources first, then every other known source, in catalog order. Every known source
   * gets a hand-off file, empty when it sent nothing, so a command written for all sources keeps
   * working when fewer are required.
   */
  private List<String> handoffSources() {
    List<String> sources = new ArrayList<>(settings.sources().requiredSources());
    for (String source : settings.sources().rowTypes().keySet()) {
      if (!sources.contains(source)) {
        sources.add(source);
      }
    }
    return sources;
  }

  private static void deleteHandoffFiles(String roundId, Path directory) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.json")) {
      for (Path file : files) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      log.warn("Cannot delete hand-off files of round {} in {}", roundId, directory, e);
    }
  }

  /** Stops taking runs and waits for those in progress; returns false on timeout. */
  boolean shutdown(Duration timeout) throws InterruptedException {
    workers.shutdown();
    if (workers.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return true;
    }
    log.warn("Pipeline runs still going after {} ms; interrupting them, their rounds run again on"
        + " the next start", timeout.toMillis());
    workers.shutdownNow();
    workers.awaitTermination(10, TimeUnit.SECONDS);
    return false;
  }
}
