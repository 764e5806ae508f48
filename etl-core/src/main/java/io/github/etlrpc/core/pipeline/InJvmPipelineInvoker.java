package io.github.etlrpc.core.pipeline;

import io.github.etlrpc.api.PipelineInvoker;
import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.PipelineRun;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link RoundProcessor} on the engine's pipeline thread. The engine writes no hand-off
 * files for it. A normal return is {@code succeeded(0)}; an exception is a failed result with
 * exit code -1 and the exception's class and message. Thread-safe if the processor is.
 */
public final class InJvmPipelineInvoker implements PipelineInvoker {
  private static final Logger log = LoggerFactory.getLogger(InJvmPipelineInvoker.class);

  private final RoundProcessor processor;

  private InJvmPipelineInvoker(RoundProcessor processor) {
    this.processor = processor;
  }

  /** Returns an invoker that calls {@code processor} once per attempt. */
  public static InJvmPipelineInvoker of(RoundProcessor processor) {
    return new InJvmPipelineInvoker(Objects.requireNonNull(processor, "processor"));
  }

  /**
   * Calls the processor and reports its outcome.
   *
   * @throws InterruptedException if the processor throws it, so that a shutdown stops the run
   *     instead of counting as a failed attempt
   */
  @Override
  public PipelineResult run(PipelineRun run) throws InterruptedException {
    log.info("Round {} attempt {}: starting in-JVM pipeline with rows per source {}",
        run.roundId(), run.attempt(), run.rowsBySource());
    long startNanos = System.nanoTime();
    try {
      processor.process(run);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      log.warn("Round {} attempt {}: in-JVM pipeline failed after {} ms", run.roundId(),
          run.attempt(), elapsedMs(startNanos), e);
      return PipelineResult.failed(-1, e.toString());
    }
    log.info("Round {} attempt {}: in-JVM pipeline finished in {} ms", run.roundId(),
        run.attempt(), elapsedMs(startNanos));
    return PipelineResult.succeeded(0);
  }

  /** Returns false: the processor reads rows from the store. */
  @Override
  public boolean usesHandoffFiles() {
    return false;
  }

  @Override
  public String toString() {
    return "InJvmPipelineInvoker{" + processor + "}";
  }

  private static long elapsedMs(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
