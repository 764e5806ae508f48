package io.github.etlrpc.bench.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Checks that each verification of the crash harness fails when its condition is broken. The
 * fixture is a clean run: two acknowledged batches in round r1 and one in round r2, each round
 * completed once with exactly those rows and held as CONCLUIDA in the store.
 */
class CrashVerifierTest {
  private static final int MARKER_LIMIT = 21;

  private List<SentBatch> batches;
  private List<LedgerEntry> ledger;
  private List<KillRecord> kills;
  private List<RoundInfo> store;

  @BeforeEach
  void cleanRun() {
    batches = new ArrayList<>(List.of(
        batch("client-0-batch-0", MarkerSource.OMS, 1, 10, "r1"),
        batch("client-1-batch-0", MarkerSource.HOSPITAL, 11, 5, "r1"),
        batch("client-2-batch-0", MarkerSource.SECRETARIA, 16, 5, "r2")));
    ledger = new ArrayList<>(List.of(
        entry("r1", 1, 100, 200, markers(range(1, 11), range(11, 16), range(0, 0))),
        entry("r2", 1, 300, 400, markers(range(0, 0), range(0, 0), range(16, 21)))));
    kills = new ArrayList<>();
    store = new ArrayList<>(List.of(
        concluded("r1", Map.of("oms", 10L, "hospital", 5L)),
        concluded("r2", Map.of("secretaria", 5L))));
  }

  @Test
  void verify_cleanRun_passes() {
    CrashReport report = verify();

    assertThat(report.failures()).isEmpty();
    assertThat(report.passed()).isTrue();
    assertThat(report.ackedRows()).isEqualTo(20);
    assertThat(report.rounds()).isEqualTo(2);
    assertThat(report.verdictLine()).startsWith("crash-harness: PASS ");
  }

  @Test
  void verify_missingAckedRow_countsLost() {
    ledger.set(0, entry("r1", 1, 100, 200, markers(range(1, 10), range(11, 16), range(0, 0))));
    store.set(0, concluded("r1", Map.of("oms", 9L, "hospital", 5L)));

    CrashReport report = verify();

    assertThat(report.lost()).isEqualTo(1);
    assertThat(report.failures()).anyMatch(text -> text.contains("client-0-batch-0"));
    assertThat(report.verdictLine()).startsWith("crash-harness: FAIL ").contains(" lost=1 ");
  }

  @Test
  void verify_markerInTwoRounds_countsMisplaced() {
    ledger.set(1, entry("r2", 1, 300, 400, markers(new int[] {3}, range(0, 0), range(16, 21))));

    CrashReport report = verify();

    assertThat(report.misplaced()).isEqualTo(1);
    assertThat(report.failures()).anyMatch(text -> text.contains("in round r1 and in round r2"));
  }

  @Test
  void verify_markerTwiceInOneRound_countsMisplaced() {
    int[] omsWithRepeat = IntStream.concat(IntStream.range(1, 11), IntStream.of(4)).toArray();
    ledger.set(0, entry("r1", 1, 100, 200, markers(omsWithRepeat, range(11, 16), range(0, 0))));

    CrashReport report = verify();

    assertThat(report.misplaced()).isEqualTo(1);
    assertThat(report.failures()).anyMatch(text -> text.contains("appears twice"));
  }

  @Test
  void verify_markerInOtherSourceFile_countsMisplaced() {
    ledger.set(0, entry("r1", 1, 100, 200, markers(range(1, 10), range(10, 16), range(0, 0))));

    CrashReport report = verify();

    assertThat(report.misplaced()).isEqualTo(1);
    assertThat(report.lost()).isZero();
    assertThat(report.failures())
        .anyMatch(text -> text.contains("marker 10 of oms send client-0-batch-0 is in the"
            + " hospital file of round r1"));
  }

  @Test
  void verify_ackNamesOtherRound_countsMisplaced() {
    batches.set(1, batch("client-1-batch-0", MarkerSource.HOSPITAL, 11, 5, "r2"));

    CrashReport report = verify();

    assertThat(report.misplaced()).isEqualTo(5);
    assertThat(report.failures())
        .anyMatch(text -> text.contains("acknowledged in round r2 but completed in round r1"));
  }

  @Test
  void verify_markerNeverSent_countsMisplaced() {
    ledger.set(1, entry("r2", 1, 300, 400, markers(range(0, 0), range(0, 0), range(16, 22))));

    CrashReport report = verify();

    assertThat(report.misplaced()).isEqualTo(1);
    assertThat(report.failures()).anyMatch(text -> text.contains("marker 21"));
  }

  @Test
  void verify_secondCompletionWithoutKill_countsDoubleCompletion() {
    ledger.add(entry("r1", 2, 500, 600, markers(range(1, 11), range(11, 16), range(0, 0))));

    CrashReport report = verify();

    assertThat(report.doubleCompletions()).isEqualTo(1);
    assertThat(report.passed()).isFalse();
  }

  @Test
  void verify_secondCompletionAfterKill_passes() {
    ledger.add(entry("r1", 2, 500, 600, markers(range(1, 11), range(11, 16), range(0, 0))));
    kills.add(kill(250, 260));

    CrashReport report = verify();

    assertThat(report.failures()).isEmpty();
    assertThat(report.verdictLine()).contains(" reruns_after_kill=1 ");
  }

  @Test
  void verify_killBeforeLedgerWrite_countsDouble() {
    ledger.add(entry("r1", 2, 500, 600, markers(range(1, 11), range(11, 16), range(0, 0))));
    kills.add(kill(150, 160));

    CrashReport report = verify();

    assertThat(report.doubleCompletions()).isEqualTo(1);
  }

  @Test
  void verify_rerunWithOtherRows_reportsChangedInput() {
    ledger.add(entry("r1", 2, 500, 600, markers(range(1, 10), range(11, 16), range(0, 0))));
    kills.add(kill(250, 260));

    CrashReport report = verify();

    assertThat(report.verdictLine()).contains(" rerun_input_changed=1 ");
    assertThat(report.passed()).isFalse();
  }

  @Test
  void verify_corruptRows_fails() {
    LedgerEntry clean = ledger.get(1);
    ledger.set(1, new LedgerEntry("r2", 1, 7, 300, 400, 2, "secretaria.json row 3: cep is 1",
        clean.markers()));

    CrashReport report = verify();

    assertThat(report.verdictLine()).contains(" corrupt_rows=2 ");
    assertThat(report.failures()).anyMatch(text -> text.contains("row 3: cep is 1"));
  }

  @Test
  void verify_roundNotConcludedInStore_countsUnsettled() {
    store.set(1, new RoundInfo("r2", "", RoundState.FECHADA, Map.of("secretaria", 5L),
        Map.of("secretaria", 1), 100, 1, "", 0, 0, 0));

    CrashReport report = verify();

    assertThat(report.verdictLine()).contains(" unsettled=1 ");
    assertThat(report.passed()).isFalse();
  }

  @Test
  void verify_storeRowCountDiffers_countsMismatch() {
    store.set(0, concluded("r1", Map.of("oms", 10L, "hospital", 6L)));

    CrashReport report = verify();

    assertThat(report.verdictLine()).contains(" store_mismatches=1 ");
  }

  @Test
  void verify_completedRoundMissingFromStore_countsMismatch() {
    store.remove(1);

    CrashReport report = verify();

    assertThat(report.verdictLine()).contains(" store_mismatches=1 ");
  }

  @Test
  void verify_unreadableStore_fails() {
    CrashReport report = new CrashReport(1, 0);
    new CrashVerifier(batches, ledger, kills, MARKER_LIMIT, report).verify(null);

    assertThat(report.passed()).isFalse();
  }

  private CrashReport verify() {
    CrashReport report = new CrashReport(1, 0);
    new CrashVerifier(batches, ledger, kills, MARKER_LIMIT, report).verify(store);
    return report;
  }

  private static SentBatch batch(String sendId, MarkerSource source, int first, int rows,
      String roundId) {
    return new SentBatch(0, sendId, source, first, rows, roundId, false, 1);
  }

  private static LedgerEntry entry(String roundId, int attempt, long startedNanos,
      long writtenNanos, Map<MarkerSource, int[]> markers) {
    return new LedgerEntry(roundId, attempt, 1, startedNanos, writtenNanos, 0, "", markers);
  }

  private static Map<MarkerSource, int[]> markers(int[] oms, int[] hospital, int[] secretaria) {
    Map<MarkerSource, int[]> markers = new EnumMap<>(MarkerSource.class);
    markers.put(MarkerSource.OMS, oms);
    markers.put(MarkerSource.HOSPITAL, hospital);
    markers.put(MarkerSource.SECRETARIA, secretaria);
    return markers;
  }

  private static int[] range(int fromInclusive, int toExclusive) {
    return IntStream.range(fromInclusive, toExclusive).toArray();
  }

  private static RoundInfo concluded(String roundId, Map<String, Long> rows) {
    return new RoundInfo(roundId, "", RoundState.CONCLUIDA, rows, Map.of(), 0, 1, "", 0, 0, 0);
  }

  private static KillRecord kill(long beginNanos, long endNanos) {
    return new KillRecord(1, KillMode.SEND, 99, beginNanos, endNanos, 0, List.of(), List.of(),
        0, "test");
  }
}
