package io.github.etlrpc.bench.crash;

import java.util.EnumMap;
import java.util.Map;

/**
 * One successful run of the recording pipeline: the round it ran for and the markers of every
 * row in its hand-off files.
 *
 * <p>Times are {@link System#nanoTime()} readings. On Linux, HotSpot reads them from
 * {@code CLOCK_MONOTONIC}, which every process on the machine shares, so they compare with the
 * harness's kill times.
 *
 * @param roundId round id from {@code ETL_ROUND_ID}
 * @param attempt attempt number from {@code ETL_ATTEMPT}, or -1 when the variable was missing
 * @param pid process id of the pipeline run
 * @param startedNanos when the pipeline process started its work
 * @param writtenNanos when the ledger file was written, just before its atomic rename
 * @param corruptRows rows whose fields do not match their marker, or that lack a key
 * @param corruptExample description of the first corrupt row, empty when there is none
 * @param markers markers per source, in file order
 */
record LedgerEntry(
    String roundId,
    int attempt,
    long pid,
    long startedNanos,
    long writtenNanos,
    long corruptRows,
    String corruptExample,
    Map<MarkerSource, int[]> markers) {

  LedgerEntry {
    markers = new EnumMap<>(markers);
  }

  /** Returns the markers of {@code source}, empty when the run saw none. */
  int[] markersOf(MarkerSource source) {
    return markers.getOrDefault(source, new int[0]);
  }

  /** Rows of all sources. */
  long totalRows() {
    long total = 0;
    for (int[] values : markers.values()) {
      total += values.length;
    }
    return total;
  }
}
