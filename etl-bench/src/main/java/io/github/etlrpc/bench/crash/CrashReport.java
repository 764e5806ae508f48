package io.github.etlrpc.bench.crash;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Counts and findings of one harness run, ending in one verdict line. The run passes when no
 * failure was recorded; every non-zero failure count comes with at least one failure line.
 * Filled by the harness and {@link CrashVerifier} on one thread; not thread-safe.
 */
final class CrashReport {
  private final int iterations;
  private final long seed;
  private final List<String> failures = new ArrayList<>();
  private final List<KillRecord> kills = new ArrayList<>();
  private long ackedBatches;
  private long ackedRows;
  private long unackedBatches;
  private long duplicateSends;
  private long retriedSends;
  private int rounds;
  private int completions;
  private long rerunsAfterKill;
  private long lost;
  private long misplaced;
  private long doubleCompletions;
  private long rerunInputChanged;
  private long corruptRows;
  private long unsettled;
  private long storeMismatches;
  private Duration wallTime = Duration.ZERO;

  CrashReport(int iterations, long seed) {
    this.iterations = iterations;
    this.seed = seed;
  }

  boolean passed() {
    return failures.isEmpty();
  }

  /** Failure findings, in the order they were found. */
  List<String> failures() {
    return List.copyOf(failures);
  }

  List<KillRecord> kills() {
    return List.copyOf(kills);
  }

  long lost() {
    return lost;
  }

  long misplaced() {
    return misplaced;
  }

  long doubleCompletions() {
    return doubleCompletions;
  }

  long ackedRows() {
    return ackedRows;
  }

  int rounds() {
    return rounds;
  }

  /** Returns the one-line verdict, starting with {@code crash-harness: PASS} or {@code FAIL}. */
  String verdictLine() {
    Map<KillMode, Long> byMode = new EnumMap<>(KillMode.class);
    for (KillRecord kill : kills) {
      byMode.merge(kill.mode(), 1L, Long::sum);
    }
    String modes = byMode.entrySet().stream()
        .map(entry -> entry.getKey().name().toLowerCase(java.util.Locale.ROOT) + ":"
            + entry.getValue())
        .collect(Collectors.joining(","));
    long duringPipeline = kills.stream().filter(KillRecord::duringPipeline).count();
    return "crash-harness: " + (passed() ? "PASS" : "FAIL")
        + " iterations=" + iterations
        + " kills=" + kills.size()
        + " kills_by_mode=" + (modes.isEmpty() ? "none" : modes)
        + " kills_during_pipeline=" + duringPipeline
        + " acked_batches=" + ackedBatches
        + " acked_rows=" + ackedRows
        + " unacked_batches=" + unackedBatches
        + " rounds=" + rounds
        + " completions=" + completions
        + " duplicate_sends=" + duplicateSends
        + " retried_sends=" + retriedSends
        + " reruns_after_kill=" + rerunsAfterKill
        + " lost=" + lost
        + " misplaced=" + misplaced
        + " double_completions=" + doubleCompletions
        + " rerun_input_changed=" + rerunInputChanged
        + " corrupt_rows=" + corruptRows
        + " unsettled=" + unsettled
        + " store_mismatches=" + storeMismatches
        + " failures=" + failures.size()
        + " seed=" + seed
        + " seconds=" + wallTime.toSeconds();
  }

  void failure(String text) {
    failures.add(text);
  }

  void kill(KillRecord kill) {
    kills.add(kill);
  }

  void acknowledgedBatch(int rows, boolean duplicate) {
    ackedBatches++;
    ackedRows += rows;
    if (duplicate) {
      duplicateSends++;
    }
  }

  void unacknowledgedBatch() {
    unackedBatches++;
  }

  /** Counts sends acknowledged with {@code duplicado=true} outside {@link #acknowledgedBatch}. */
  void duplicateSends(long count) {
    duplicateSends += count;
  }

  void retriedSends(long count) {
    retriedSends += count;
  }

  void rounds(int count) {
    rounds = count;
  }

  void completions(int count) {
    completions = count;
  }

  void rerunAfterKill() {
    rerunsAfterKill++;
  }

  void lost(long rows) {
    lost += rows;
  }

  void misplaced(long markers) {
    misplaced = markers;
  }

  void doubleCompletion() {
    doubleCompletions++;
  }

  void rerunInputChanged(long count) {
    rerunInputChanged += count;
  }

  void corruptRows(long rows) {
    corruptRows += rows;
  }

  void unsettled() {
    unsettled++;
  }

  void storeMismatch() {
    storeMismatches++;
  }

  void wallTime(Duration time) {
    wallTime = time;
  }
}
