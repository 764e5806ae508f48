package io.github.etlrpc.core.engine;

import io.github.etlrpc.api.CompletionPolicy.Decision;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * In-memory bookkeeping of a round that has not been sealed yet. Holds counts, never rows. All
 * fields are guarded by the engine's aggregation lock.
 */
final class OpenRound {
  final String roundId;
  final String roundKey;
  final long openedAtMs;
  long lastBatchAtMs;
  final Map<String, Long> rowsBySource = new HashMap<>();
  final Map<String, Integer> batchesBySource = new HashMap<>();
  /** Payload bytes of committed batches. */
  long storedBytes;
  /** Payload bytes of batches reserved for this round whose commit has not finished. */
  long reservedBytes;
  /** Batches reserved for this round whose commit has not finished. */
  int inFlight;
  /** Set once the policy decided; from then on new batches go to another round. */
  @Nullable Decision closingDecision;
  /** Set once the last in-flight batch finished after the decision; the round leaves memory. */
  boolean finalized;
  @Nullable ScheduledFuture<?> deadlineCheck;

  OpenRound(String roundId, String roundKey, long openedAtMs) {
    this.roundId = roundId;
    this.roundKey = roundKey;
    this.openedAtMs = openedAtMs;
    this.lastBatchAtMs = openedAtMs;
  }

  static OpenRound recovered(RoundInfo info) {
    OpenRound round = new OpenRound(info.roundId(), info.roundKey(), info.openedAtMs());
    round.lastBatchAtMs = info.lastBatchAtMs();
    round.rowsBySource.putAll(info.rowsBySource());
    round.batchesBySource.putAll(info.batchesBySource());
    round.storedBytes = info.payloadBytes();
    return round;
  }

  void addCommitted(String source, long rows, long bytes, long nowMs) {
    rowsBySource.merge(source, rows, Long::sum);
    batchesBySource.merge(source, 1, Integer::sum);
    storedBytes += bytes;
    lastBatchAtMs = Math.max(lastBatchAtMs, nowMs);
  }

  boolean isEmpty() {
    return batchesBySource.isEmpty() && inFlight == 0;
  }

  long pendingBytes() {
    return storedBytes + reservedBytes;
  }

  /** Returns the round as ABERTA; its last change is its last batch. */
  RoundInfo snapshot() {
    return new RoundInfo(roundId, roundKey, RoundState.ABERTA, rowsBySource, batchesBySource,
        storedBytes, 0, "", openedAtMs, lastBatchAtMs, lastBatchAtMs);
  }
}
