package io.github.etlrpc.core.pipeline;

import io.github.etlrpc.api.PipelineRun;

/**
 * Pipeline code that runs inside the JVM, wrapped by {@link InJvmPipelineInvoker}. It reads rows
 * through {@link PipelineRun#forEachRow} instead of hand-off files.
 */
@FunctionalInterface
public interface RoundProcessor {
  /**
   * Processes one round. Returning normally means success. Any exception fails the attempt,
   * which the engine retries up to its attempt limit.
   */
  void process(PipelineRun run) throws Exception;
}
