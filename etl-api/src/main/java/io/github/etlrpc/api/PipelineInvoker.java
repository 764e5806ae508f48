package io.github.etlrpc.api;

/**
 * Runs the downstream pipeline for one sealed round. The engine calls it on its own pipeline
 * threads, possibly for several rounds at once, so implementations are thread-safe.
 *
 * <p>A run that returns a failed result or throws is retried with backoff up to the engine's
 * attempt limit; after that the round is parked. A round whose run was cut off by a crash runs
 * again after restart with the same round id, so a pipeline that must have effects once keys
 * them on {@link PipelineRun#roundId()}.
 */
public interface PipelineInvoker {

  /** Runs the pipeline for {@code run} and reports its outcome. */
  PipelineResult run(PipelineRun run) throws Exception;

  /**
   * Returns whether the engine writes the JSON hand-off files before calling {@link #run}. In-JVM
   * pipelines that read rows through {@link PipelineRun#forEachRow} return false.
   */
  default boolean usesHandoffFiles() {
    return true;
  }
}
