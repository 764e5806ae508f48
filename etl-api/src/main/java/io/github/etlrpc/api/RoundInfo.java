package io.github.etlrpc.api;

import java.util.Map;

/**
 * Snapshot of one round.
 *
 * @param roundId unique id of the round; the pipeline sees it as {@code ETL_ROUND_ID}
 * @param roundKey correlation key, empty for the shared default round
 * @param state state when the snapshot was taken
 * @param rowsBySource accepted rows per normalized source name
 * @param batchesBySource accepted batches per normalized source name
 * @param payloadBytes stored payload bytes of all batches
 * @param attempts pipeline runs started so far
 * @param error last pipeline or expiry error, empty when none
 * @param openedAtMs epoch millis of the first accepted batch
 * @param lastBatchAtMs epoch millis of the last accepted batch
 * @param updatedAtMs epoch millis of the last change of state or counts
 */
public record RoundInfo(
    String roundId,
    String roundKey,
    RoundState state,
    Map<String, Long> rowsBySource,
    Map<String, Integer> batchesBySource,
    long payloadBytes,
    int attempts,
    String error,
    long openedAtMs,
    long lastBatchAtMs,
    long updatedAtMs) {

  public RoundInfo {
    rowsBySource = Map.copyOf(rowsBySource);
    batchesBySource = Map.copyOf(batchesBySource);
  }

  /** Rows of all sources together. */
  public long totalRows() {
    long total = 0;
    for (long rows : rowsBySource.values()) {
      total += rows;
    }
    return total;
  }

  /** Returns a copy in another state, with the given error and update time. */
  public RoundInfo withState(RoundState newState, String newError, long nowMs) {
    return new RoundInfo(roundId, roundKey, newState, rowsBySource, batchesBySource, payloadBytes,
        attempts, newError, openedAtMs, lastBatchAtMs, nowMs);
  }
}
