package io.github.etlrpc.grpc;

import io.github.etlrpc.api.PipelineInvoker;
import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.PipelineRun;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * In-JVM pipeline that counts, per round, the rows it reads from the engine. A test can hold
 * every run at a gate until it opens it.
 */
final class RecordingPipeline implements PipelineInvoker {
  final Map<String, Map<String, Long>> rowsByRound = new ConcurrentHashMap<>();
  final CountDownLatch firstRunStarted = new CountDownLatch(1);
  private final CountDownLatch gate;

  private RecordingPipeline(CountDownLatch gate) {
    this.gate = gate;
  }

  /** Returns a pipeline that runs every round at once. */
  static RecordingPipeline open() {
    return new RecordingPipeline(new CountDownLatch(0));
  }

  /** Returns a pipeline whose runs wait until {@link #openGate()}. */
  static RecordingPipeline gated() {
    return new RecordingPipeline(new CountDownLatch(1));
  }

  void openGate() {
    gate.countDown();
  }

  @Override
  public PipelineResult run(PipelineRun run) throws Exception {
    firstRunStarted.countDown();
    if (!gate.await(60, TimeUnit.SECONDS)) {
      return PipelineResult.failed(-1, "test gate stayed closed for 60 s");
    }
    Map<String, Long> counts = new HashMap<>();
    for (String source : run.sources()) {
      long[] rows = {0};
      run.forEachRow(source, row -> rows[0]++);
      counts.put(source, rows[0]);
    }
    rowsByRound.put(run.roundId(), counts);
    return PipelineResult.succeeded(0);
  }

  @Override
  public boolean usesHandoffFiles() {
    return false;
  }
}
