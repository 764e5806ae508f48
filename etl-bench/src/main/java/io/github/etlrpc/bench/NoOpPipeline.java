package io.github.etlrpc.bench;

import io.github.etlrpc.api.PipelineInvoker;
import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.PipelineRun;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pipeline that succeeds at once, so a benchmark measures ingestion and the engine's round
 * handling instead of downstream work. With hand-off files on, the engine still writes the JSON
 * files of every sealed round before calling it, which is the cost the durable hand-off path adds.
 * Thread-safe.
 */
public final class NoOpPipeline implements PipelineInvoker {
  private final boolean handoffFiles;
  private final AtomicLong runs = new AtomicLong();

  private NoOpPipeline(boolean handoffFiles) {
    this.handoffFiles = handoffFiles;
  }

  /** Returns a pipeline for which the engine writes no hand-off files. */
  public static NoOpPipeline withoutHandoffFiles() {
    return new NoOpPipeline(false);
  }

  /** Returns a pipeline for which the engine writes the JSON hand-off files of each round. */
  public static NoOpPipeline withHandoffFiles() {
    return new NoOpPipeline(true);
  }

  @Override
  public PipelineResult run(PipelineRun run) {
    runs.incrementAndGet();
    return PipelineResult.succeeded(0);
  }

  @Override
  public boolean usesHandoffFiles() {
    return handoffFiles;
  }

  /** Number of runs so far. */
  public long runs() {
    return runs.get();
  }
}
