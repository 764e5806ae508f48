package io.github.etlrpc.bench.crash;

import java.util.List;

/**
 * One SIGKILL of the server.
 *
 * @param iteration iteration number, from 1
 * @param mode moment the kill was aimed at
 * @param serverPid pid of the killed server
 * @param beginNanos {@link System#nanoTime()} just before SIGKILL went to the server
 * @param endNanos {@link System#nanoTime()} once the server and its pipeline processes were gone
 * @param epochMillis wall-clock time of the kill, for reading the server logs
 * @param runningPipelineRounds rounds whose recording pipeline process was alive at the kill
 * @param killedPipelinePids pipeline processes killed with the server
 * @param ackedBatchesBefore batches acknowledged by then, over all clients
 * @param note how the moment was found, such as a timeout waiting for a pipeline process
 */
record KillRecord(
    int iteration,
    KillMode mode,
    long serverPid,
    long beginNanos,
    long endNanos,
    long epochMillis,
    List<String> runningPipelineRounds,
    List<Long> killedPipelinePids,
    long ackedBatchesBefore,
    String note) {

  KillRecord {
    runningPipelineRounds = List.copyOf(runningPipelineRounds);
    killedPipelinePids = List.copyOf(killedPipelinePids);
  }

  /** Returns whether a recording pipeline process was running when the kill came. */
  boolean duringPipeline() {
    return !killedPipelinePids.isEmpty();
  }
}
