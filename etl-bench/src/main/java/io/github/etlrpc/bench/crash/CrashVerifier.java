package io.github.etlrpc.bench.crash;

import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Checks what the clients had acknowledged against what the recording pipeline saw, and against
 * the round store after the final shutdown:
 *
 * <ul>
 *   <li>lost: an acknowledged row whose marker is in no completed round;
 *   <li>misplaced: a marker in two rounds, twice in one round's input, in the file of another
 *       source, in a round other than the {@code rodada_id} of its acknowledgement, or never sent;
 *   <li>double completion: two successful pipeline runs of one round with no kill between the
 *       first run's ledger write and the start of the second;
 *   <li>a re-run whose input differs from the first run's, a corrupt row, a round the store does
 *       not hold as CONCLUIDA, or row counts that differ between the store and the ledger.
 * </ul>
 *
 * Not thread-safe; use one instance per check.
 */
final class CrashVerifier {
  private static final int MAX_DETAILS_PER_KIND = 10;

  private final List<SentBatch> batches;
  private final List<LedgerEntry> ledger;
  private final List<KillRecord> kills;
  private final int markerLimit;
  private final CrashReport report;

  private final Map<String, Integer> detailsByKind = new HashMap<>();
  private final Map<String, List<LedgerEntry>> completionsByRound = new LinkedHashMap<>();
  private final List<String> roundIds = new ArrayList<>();
  private final int[] batchOfMarker;
  private final int[] roundOfMarker;
  private final BitSet misplacedMarkers = new BitSet();
  private long unknownMarkers;

  /**
   * @param batches every batch the clients sent, acknowledged or not
   * @param ledger every ledger entry, ordered by write time
   * @param kills every kill, in order
   * @param markerLimit one past the highest marker handed out
   */
  CrashVerifier(List<SentBatch> batches, List<LedgerEntry> ledger, List<KillRecord> kills,
      int markerLimit, CrashReport report) {
    this.batches = batches;
    this.ledger = ledger;
    this.kills = kills;
    this.markerLimit = markerLimit;
    this.report = report;
    this.batchOfMarker = new int[markerLimit];
    this.roundOfMarker = new int[markerLimit];
  }

  /**
   * Runs every check and adds counts and failure details to the report.
   *
   * @param storeRounds every round in the store after the final shutdown, or null when the store
   *     could not be read, which the report records as a failure
   */
  void verify(@Nullable List<RoundInfo> storeRounds) {
    Arrays.fill(batchOfMarker, -1);
    Arrays.fill(roundOfMarker, -1);
    for (int i = 0; i < batches.size(); i++) {
      SentBatch batch = batches.get(i);
      Arrays.fill(batchOfMarker, batch.firstMarker(), batch.endMarker(), i);
    }
    for (LedgerEntry entry : ledger) {
      completionsByRound.computeIfAbsent(entry.roundId(), id -> new ArrayList<>()).add(entry);
      if (entry.corruptRows() > 0) {
        report.corruptRows(entry.corruptRows());
        detail("corrupt", "round " + entry.roundId() + " attempt " + entry.attempt() + " read "
            + entry.corruptRows() + " corrupt rows, first: " + entry.corruptExample());
      }
    }
    report.completions(ledger.size());
    report.rounds(completionsByRound.size());

    for (Map.Entry<String, List<LedgerEntry>> round : completionsByRound.entrySet()) {
      int roundIndex = roundIds.size();
      roundIds.add(round.getKey());
      placeMarkers(roundIndex, round.getValue().get(0));
      compareReruns(round.getValue());
      checkRepeatedCompletions(round.getValue());
    }
    checkAcknowledgedBatches();
    report.misplaced(misplacedMarkers.cardinality() + unknownMarkers);
    if (storeRounds == null) {
      report.failure("the round store could not be read after the final shutdown");
    } else {
      checkStore(storeRounds);
    }
  }

  /** Records where each marker of a round's first completion landed. */
  private void placeMarkers(int roundIndex, LedgerEntry entry) {
    String roundId = entry.roundId();
    for (MarkerSource source : MarkerSource.values()) {
      for (int marker : entry.markersOf(source)) {
        if (marker < 1 || marker >= markerLimit || batchOfMarker[marker] < 0) {
          unknownMarkers++;
          detail("unknown", "marker " + marker + " in the " + source.source() + " file of round "
              + roundId + " was never sent");
          continue;
        }
        SentBatch batch = batches.get(batchOfMarker[marker]);
        if (batch.source() != source) {
          misplacedMarkers.set(marker);
          detail("source", "marker " + marker + " of " + batch.source().source() + " send "
              + batch.sendId() + " is in the " + source.source() + " file of round " + roundId);
        }
        int earlier = roundOfMarker[marker];
        if (earlier == roundIndex) {
          misplacedMarkers.set(marker);
          detail("twice", "marker " + marker + " of send " + batch.sendId()
              + " appears twice in the input of round " + roundId);
        } else if (earlier >= 0) {
          misplacedMarkers.set(marker);
          detail("two-rounds", "marker " + marker + " of send " + batch.sendId()
              + " is in round " + roundIds.get(earlier) + " and in round " + roundId);
        } else {
          roundOfMarker[marker] = roundIndex;
        }
      }
    }
  }

  /** Counts re-runs whose input differs from the input of the round's first run. */
  private void compareReruns(List<LedgerEntry> completions) {
    LedgerEntry first = completions.get(0);
    for (LedgerEntry later : completions.subList(1, completions.size())) {
      for (MarkerSource source : MarkerSource.values()) {
        int[] expected = first.markersOf(source).clone();
        int[] actual = later.markersOf(source).clone();
        Arrays.sort(expected);
        Arrays.sort(actual);
        if (!Arrays.equals(expected, actual)) {
          report.rerunInputChanged(1);
          detail("rerun-input", "round " + first.roundId() + " attempt " + later.attempt()
              + " read " + actual.length + " " + source.source() + " rows where attempt "
              + first.attempt() + " read " + expected.length + " (or other markers)");
        }
      }
    }
  }

  /**
   * Counts each further completion of a round as a re-run after a kill, or as a double
   * completion. A round may complete twice only when a kill came after the first run wrote its
   * ledger file and before the second run started. The kill takes pipeline processes down by
   * its end time, so a first run that wrote its ledger during the kill still counts as before
   * it. A re-run is expected then because the server may have died before it recorded the first
   * success.
   */
  private void checkRepeatedCompletions(List<LedgerEntry> completions) {
    for (int i = 1; i < completions.size(); i++) {
      LedgerEntry first = completions.get(i - 1);
      LedgerEntry second = completions.get(i);
      KillRecord between = null;
      for (KillRecord kill : kills) {
        if (first.writtenNanos() <= kill.endNanos() && kill.beginNanos() <= second.startedNanos()) {
          between = kill;
          break;
        }
      }
      if (between != null) {
        report.rerunAfterKill();
      } else {
        report.doubleCompletion();
        detail("double", "round " + first.roundId() + " completed twice without a kill between:"
            + " attempt " + first.attempt() + " wrote its ledger at " + first.writtenNanos()
            + " ns, attempt " + second.attempt() + " started at " + second.startedNanos() + " ns");
      }
    }
  }

  /**
   * Counts acknowledged rows that are in no completed round, or in another round than their
   * acknowledgement named.
   */
  private void checkAcknowledgedBatches() {
    for (SentBatch batch : batches) {
      if (!batch.acknowledged()) {
        report.unacknowledgedBatch();
        continue;
      }
      report.acknowledgedBatch(batch.rows(), batch.duplicate());
      long missing = 0;
      long elsewhere = 0;
      String otherRound = "";
      for (int marker = batch.firstMarker(); marker < batch.endMarker(); marker++) {
        int round = roundOfMarker[marker];
        if (round < 0) {
          missing++;
        } else if (!roundIds.get(round).equals(batch.roundId())) {
          elsewhere++;
          otherRound = roundIds.get(round);
          misplacedMarkers.set(marker);
        }
      }
      if (missing > 0) {
        report.lost(missing);
        detail("lost", missing + " of " + batch.rows() + " rows of " + batch.source().source()
            + " send " + batch.sendId() + ", acknowledged in round " + batch.roundId()
            + " after " + batch.sends() + " sends, are in no completed round");
      }
      if (elsewhere > 0) {
        detail("wrong-round", elsewhere + " rows of send " + batch.sendId()
            + " were acknowledged in round " + batch.roundId() + " but completed in round "
            + otherRound);
      }
    }
  }

  /** Checks that the store has every round as CONCLUIDA with the row counts the pipeline read. */
  private void checkStore(List<RoundInfo> storeRounds) {
    Map<String, RoundInfo> byId = new HashMap<>();
    for (RoundInfo round : storeRounds) {
      byId.put(round.roundId(), round);
      if (round.state() != RoundState.CONCLUIDA) {
        report.unsettled();
        detail("unsettled", "round " + round.roundId() + " is " + round.state() + " after the"
            + " final shutdown (attempts " + round.attempts() + ", error '" + round.error()
            + "', rows " + round.rowsBySource() + ")");
        continue;
      }
      List<LedgerEntry> completions = completionsByRound.get(round.roundId());
      if (completions == null) {
        report.storeMismatch();
        detail("store", "round " + round.roundId() + " is CONCLUIDA in the store with rows "
            + round.rowsBySource() + " but no pipeline run recorded it");
        continue;
      }
      LedgerEntry first = completions.get(0);
      for (MarkerSource source : MarkerSource.values()) {
        long stored = round.rowsBySource().getOrDefault(source.source(), 0L);
        int read = first.markersOf(source).length;
        if (stored != read) {
          report.storeMismatch();
          detail("store", "round " + round.roundId() + " holds " + stored + " "
              + source.source() + " rows in the store but its pipeline read " + read);
        }
      }
    }
    for (String roundId : completionsByRound.keySet()) {
      if (!byId.containsKey(roundId)) {
        report.storeMismatch();
        detail("store", "round " + roundId + " completed a pipeline run but is not in the store");
      }
    }
  }

  private void detail(String kind, String text) {
    int seen = detailsByKind.merge(kind, 1, Integer::sum);
    if (seen <= MAX_DETAILS_PER_KIND) {
      report.failure(text);
    } else if (seen == MAX_DETAILS_PER_KIND + 1) {
      report.failure("(further '" + kind + "' findings not listed)");
    }
  }
}
