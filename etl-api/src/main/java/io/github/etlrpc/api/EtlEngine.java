package io.github.etlrpc.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Accepts batches, groups them into rounds and runs the pipeline on each sealed round. The gRPC
 * service is a thin adapter over this interface, and applications can embed it directly.
 * Thread-safe.
 */
public interface EtlEngine extends AutoCloseable {

  /**
   * Validates and stores a batch, then seals its round if the completion policy decides it is complete. Returns
   * after the batch is committed to the store and never waits for a pipeline run.
   *
   * @throws EtlException INVALID_ARGUMENT for an unknown origin or a bad row (nothing stored),
   *     FAILED_PRECONDITION for a late batch of a sealed keyed round, RESOURCE_EXHAUSTED past a
   *     limit, UNAVAILABLE when the store fails or the engine is shutting down
   */
  SubmitResult submit(Batch batch);

  /** Returns a future that completes when the round reaches CONCLUIDA or ESTACIONADA. */
  CompletableFuture<RoundInfo> settled(String roundId);

  /** Returns one round, or empty for an unknown id. */
  Optional<RoundInfo> round(String roundId);

  /** Returns the rounds in any of {@code states}, oldest first. */
  List<RoundInfo> rounds(Set<RoundState> states);

  /**
   * Delivers the current state of the matching rounds, then every change, to {@code listener}
   * until the returned handle is closed. An empty {@code roundId} matches every round.
   */
  AutoCloseable watch(String roundId, RoundListener listener);

  /**
   * Runs a parked round again with a fresh attempt budget.
   *
   * @throws EtlException NOT_FOUND for an unknown id, FAILED_PRECONDITION unless it is parked
   */
  RoundInfo rerun(String roundId);

  /** Sources and required sources of this engine. */
  SourceCatalog sources();

  /** Whether the engine accepts batches: started, not shutting down, store available. */
  boolean isServing();

  /**
   * Stops accepting batches, waits up to {@code timeout} for pipeline runs in progress, then
   * closes the store. Rounds that did not finish run again on the next start.
   *
   * @return true if every run finished within the timeout
   */
  boolean shutdown(Duration timeout) throws InterruptedException;

  /** Shuts down with a default timeout of 30 seconds. */
  @Override
  void close();
}
