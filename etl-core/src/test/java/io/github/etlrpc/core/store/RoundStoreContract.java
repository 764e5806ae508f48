package io.github.etlrpc.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.etlrpc.api.AppendResult;
import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.RoundStore;
import io.github.etlrpc.api.StoredBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Behaviour every {@link RoundStore} must show, as its Javadoc states. Subclasses supply the
 * store; the payloads here are opaque bytes because stores never parse them.
 */
abstract class RoundStoreContract {
  protected RoundStore store;

  /** Returns a new, empty store. */
  protected abstract RoundStore newStore() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void findSend_returnsStoredBatchOfSendId() {
    store.append("r1", "k", batch("oms", "envio-1", 7, "abc"), 1_000);
    store.append("r1", "k", batch("hospital", "", 2, "de"), 1_001);

    assertThat(store.findSend("envio-1"))
        .contains(new AppendResult(true, "r1", "oms", 7));
    assertThat(store.findSend("envio-2")).isEmpty();
    assertThat(store.findSend("")).isEmpty();
  }

  @Test
  void append_createsOpenRound() {
    AppendResult result = store.append("r1", "key-a", batch("oms", "s1", 3, "abc"), 1_000);

    assertThat(result).isEqualTo(new AppendResult(false, "r1", "oms", 3));
    RoundInfo round = store.find("r1").orElseThrow();
    assertThat(round.roundId()).isEqualTo("r1");
    assertThat(round.roundKey()).isEqualTo("key-a");
    assertThat(round.state()).isEqualTo(RoundState.ABERTA);
    assertThat(round.rowsBySource()).isEqualTo(Map.of("oms", 3L));
    assertThat(round.batchesBySource()).isEqualTo(Map.of("oms", 1));
    assertThat(round.payloadBytes()).isEqualTo(3);
    assertThat(round.attempts()).isZero();
    assertThat(round.error()).isEmpty();
    assertThat(round.openedAtMs()).isEqualTo(1_000);
    assertThat(round.lastBatchAtMs()).isEqualTo(1_000);
    assertThat(round.updatedAtMs()).isEqualTo(1_000);
  }

  @Test
  void append_addsCountsPerSource() {
    store.append("r1", "", batch("oms", "s1", 3, "abc"), 1_000);
    store.append("r1", "", batch("hospital", "s2", 5, "defgh"), 2_000);
    store.append("r1", "", batch("oms", "", 4, "ij"), 3_000);
    store.append("r1", "", batch("secretaria", "", 0, ""), 4_000);

    RoundInfo round = store.find("r1").orElseThrow();
    assertThat(round.rowsBySource())
        .isEqualTo(Map.of("oms", 7L, "hospital", 5L, "secretaria", 0L));
    assertThat(round.batchesBySource())
        .isEqualTo(Map.of("oms", 2, "hospital", 1, "secretaria", 1));
    assertThat(round.payloadBytes()).isEqualTo(10);
    assertThat(round.totalRows()).isEqualTo(12);
    assertThat(round.openedAtMs()).isEqualTo(1_000);
    assertThat(round.lastBatchAtMs()).isEqualTo(4_000);
    assertThat(round.updatedAtMs()).isEqualTo(4_000);
  }

  @Test
  void append_duplicateSendIdStoresNothing() throws Exception {
    store.append("r1", "", batch("oms", "send-1", 3, "abc"), 1_000);

    AppendResult repeat = store.append("r1", "", batch("oms", "send-1", 3, "abc"), 2_000);
    AppendResult elsewhere =
        store.append("r2", "", batch("hospital", "send-1", 9, "zzzzzzzzz"), 3_000);

    assertThat(repeat).isEqualTo(new AppendResult(true, "r1", "oms", 3));
    assertThat(elsewhere).isEqualTo(new AppendResult(true, "r1", "oms", 3));
    assertThat(store.find("r2")).isEmpty();
    RoundInfo round = store.find("r1").orElseThrow();
    assertThat(round.batchesBySource()).isEqualTo(Map.of("oms", 1));
    assertThat(round.lastBatchAtMs()).isEqualTo(1_000);
    assertThat(readAll("r1")).containsExactly("oms:abc");
  }

  @Test
  void append_emptySendIdNeverDuplicate() {
    store.append("r1", "", batch("oms", "", 1, "a"), 1_000);
    AppendResult second = store.append("r1", "", batch("oms", "", 1, "a"), 1_000);

    assertThat(second.duplicate()).isFalse();
    assertThat(store.find("r1").orElseThrow().batchesBySource()).isEqualTo(Map.of("oms", 2));
  }

  @Test
  void append_toSealedRoundRejected() throws Exception {
    store.append("r1", "", batch("oms", "s1", 1, "a"), 1_000);
    assertThat(store.transition("r1", Set.of(RoundState.ABERTA), RoundState.FECHADA, "", 2_000))
        .isTrue();

    assertThatThrownBy(() -> store.append("r1", "", batch("oms", "s2", 1, "b"), 3_000))
        .isInstanceOfSatisfying(EtlException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.FAILED_PRECONDITION))
        .hasMessageContaining("Round r1 is FECHADA");
    assertThat(store.find("r1").orElseThrow().batchesBySource()).isEqualTo(Map.of("oms", 1));
    assertThat(readAll("r1")).containsExactly("oms:a");
  }

  @Test
  void append_repeatIntoSealedRoundIsDuplicate() {
    store.append("r1", "", batch("oms", "s1", 1, "a"), 1_000);
    store.transition("r1", Set.of(RoundState.ABERTA), RoundState.FECHADA, "", 2_000);

    AppendResult repeat = store.append("r1", "", batch("oms", "s1", 1, "a"), 3_000);

    assertThat(repeat).isEqualTo(new AppendResult(true, "r1", "oms", 1));
  }

  @Test
  void append_copiesPayloadSlice() throws Exception {
    byte[] buffer = "xxHELLOyy".getBytes(StandardCharsets.US_ASCII);
    store.append("r1", "", new StoredBatch("oms", "f.csv", "", 1, buffer, 2, 5), 1_000);
    buffer[3] = 'Z';

    assertThat(readAll("r1")).containsExactly("oms:HELLO");
    assertThat(store.find("r1").orElseThrow().payloadBytes()).isEqualTo(5);
  }

  @Test
  void transition_isCompareAndSet() {
    store.append("r1", "", batch("oms", "", 1, "a"), 1_000);

    boolean wrongFrom = store.transition("r1", Set.of(RoundState.FECHADA, RoundState.FALHOU),
        RoundState.CONCLUIDA, "", 2_000);
    boolean applied = store.transition("r1", Set.of(RoundState.ABERTA), RoundState.ESTACIONADA,
        "expired after PT1M", 3_000);
    boolean unknown = store.transition("nope", Set.of(RoundState.ABERTA), RoundState.FECHADA, "",
        3_000);
    boolean emptyFrom = store.transition("r1", Set.of(), RoundState.ABERTA, "", 4_000);

    assertThat(wrongFrom).isFalse();
    assertThat(applied).isTrue();
    assertThat(unknown).isFalse();
    assertThat(emptyFrom).isFalse();
    RoundInfo round = store.find("r1").orElseThrow();
    assertThat(round.state()).isEqualTo(RoundState.ESTACIONADA);
    assertThat(round.error()).isEqualTo("expired after PT1M");
    assertThat(round.updatedAtMs()).isEqualTo(3_000);
  }

  @Test
  void transition_emptyErrorClearsIt() {
    store.append("r1", "", batch("oms", "", 1, "a"), 1_000);
    store.transition("r1", Set.of(RoundState.ABERTA), RoundState.FALHOU, "exit code 3", 2_000);

    store.transition("r1", Set.of(RoundState.FALHOU), RoundState.FECHADA, "", 3_000);

    assertThat(store.find("r1").orElseThrow().error()).isEmpty();
  }

  @Test
  void claim_countsAttemptsFromClaimableStates() {
    store.append("r1", "", batch("oms", "", 1, "a"), 1_000);

    assertThat(store.claim("r1", 1_500)).isEmpty();
    store.transition("r1", Set.of(RoundState.ABERTA), RoundState.FECHADA, "", 2_000);
    RoundInfo first = store.claim("r1", 3_000).orElseThrow();
    RoundInfo afterCrash = store.claim("r1", 4_000).orElseThrow();
    store.transition("r1", Set.of(RoundState.EXECUTANDO), RoundState.FALHOU, "exit code 1",
        5_000);
    RoundInfo retry = store.claim("r1", 6_000).orElseThrow();

    assertThat(first.state()).isEqualTo(RoundState.EXECUTANDO);
    assertThat(first.attempts()).isEqualTo(1);
    assertThat(first.updatedAtMs()).isEqualTo(3_000);
    assertThat(first.rowsBySource()).isEqualTo(Map.of("oms", 1L));
    assertThat(afterCrash.attempts()).isEqualTo(2);
    assertThat(retry.attempts()).isEqualTo(3);
    assertThat(store.find("r1").orElseThrow().attempts()).isEqualTo(3);
  }

  @Test
  void claim_settledOrUnknownRoundIsEmpty() {
    store.append("r1", "", batch("oms", "", 1, "a"), 1_000);
    store.transition("r1", Set.of(RoundState.ABERTA), RoundState.CONCLUIDA, "", 2_000);
    store.append("r2", "", batch("oms", "", 1, "a"), 1_000);
    store.transition("r2", Set.of(RoundState.ABERTA), RoundState.ESTACIONADA, "", 2_000);

    assertThat(store.claim("r1", 3_000)).isEmpty();
    assertThat(store.claim("r2", 3_000)).isEmpty();
    assertThat(store.claim("unknown", 3_000)).isEmpty();
    assertThat(store.find("r1").orElseThrow().attempts()).isZero();
  }

  @Test
  void find_unknownRoundIsEmpty() {
    assertThat(store.find("missing")).isEmpty();
  }

  @Test
  void list_filtersStatesOldestFirst() {
    store.append("c", "", batch("oms", "", 1, "a"), 1_000);
    store.append("a", "", batch("oms", "", 1, "a"), 2_000);
    store.append("b", "", batch("oms", "", 1, "a"), 3_000);
    store.append("c", "", batch("hospital", "", 1, "a"), 4_000);
    store.transition("a", Set.of(RoundState.ABERTA), RoundState.FECHADA, "", 5_000);

    assertThat(ids(store.list(EnumSet.allOf(RoundState.class)))).containsExactly("c", "a", "b");
    assertThat(ids(store.list(Set.of(RoundState.ABERTA)))).containsExactly("c", "b");
    assertThat(ids(store.list(Set.of(RoundState.FECHADA, RoundState.EXECUTANDO))))
        .containsExactly("a");
    assertThat(store.list(Set.of())).isEmpty();
    assertThat(store.list(Set.of(RoundState.ABERTA)).get(0).batchesBySource())
        .isEqualTo(Map.of("oms", 1, "hospital", 1));
  }

  @Test
  void latestForKey_returnsNewestRound() {
    store.append("k-1", "key", batch("oms", "", 1, "a"), 1_000);
    store.append("other", "other-key", batch("oms", "", 1, "a"), 2_000);
    store.transition("k-1", Set.of(RoundState.ABERTA), RoundState.FECHADA, "", 3_000);
    store.append("k-2", "key", batch("oms", "", 1, "a"), 4_000);
    store.append("default", "", batch("oms", "", 1, "a"), 5_000);

    assertThat(store.latestForKey("key").orElseThrow().roundId()).isEqualTo("k-2");
    assertThat(store.latestForKey("").orElseThrow().roundId()).isEqualTo("default");
    assertThat(store.latestForKey("missing")).isEmpty();
  }

  @Test
  void readBatches_deliversArrivalOrder() throws Exception {
    store.append("r1", "", batch("oms", "", 1, "first"), 1_000);
    store.append("r2", "", batch("oms", "", 1, "other round"), 1_500);
    store.append("r1", "", batch("hospital", "", 1, "second"), 2_000);
    store.append("r1", "", batch("oms", "", 1, "third"), 3_000);

    assertThat(readAll("r1")).containsExactly("oms:first", "hospital:second", "oms:third");
    assertThat(readAll("unknown")).isEmpty();
  }

  @Test
  void readBatches_passesConsumerException() {
    store.append("r1", "", batch("oms", "", 1, "a"), 1_000);
    Exception failure = new Exception("consumer failed");

    assertThatThrownBy(() -> store.readBatches("r1", (source, payload, offset, length) -> {
      throw failure;
    })).isSameAs(failure);
  }

  @Test
  void purgePayloads_keepsCountsAndSendIds() throws Exception {
    store.append("r1", "", batch("oms", "s1", 3, "abc"), 1_000);
    store.append("r1", "", batch("hospital", "s2", 2, "de"), 1_000);
    store.transition("r1", Set.of(RoundState.ABERTA), RoundState.CONCLUIDA, "", 2_000);

    store.purgePayloads("r1");

    RoundInfo round = store.find("r1").orElseThrow();
    assertThat(round.state()).isEqualTo(RoundState.CONCLUIDA);
    assertThat(round.rowsBySource()).isEqualTo(Map.of("oms", 3L, "hospital", 2L));
    assertThat(round.batchesBySource()).isEqualTo(Map.of("oms", 1, "hospital", 1));
    assertThat(round.payloadBytes()).isZero();
    assertThat(readAll("r1")).containsExactly("oms:", "hospital:");
    assertThat(store.append("r9", "", batch("oms", "s1", 3, "abc"), 3_000))
        .isEqualTo(new AppendResult(true, "r1", "oms", 3));
  }

  @Test
  void purgePayloads_rejectsRoundNotConcluded() {
    store.append("r1", "", batch("oms", "", 1, "a"), 1_000);

    assertThatThrownBy(() -> store.purgePayloads("r1"))
        .isInstanceOfSatisfying(EtlException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.FAILED_PRECONDITION))
        .hasMessageContaining("round r1 because it is ABERTA");
    assertThatThrownBy(() -> store.purgePayloads("missing"))
        .isInstanceOfSatisfying(EtlException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
  }

  @Test
  void concurrentAppends_allCounted() throws Exception {
    int threads = 8;
    int perThread = 40;
    List<Callable<AppendResult>> tasks = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < perThread; i++) {
        String source = t % 2 == 0 ? "oms" : "hospital";
        String sendId = "t" + t + "-" + i;
        tasks.add(() -> store.append("r1", "", batch(source, sendId, 2, "xy"), 1_000));
      }
    }

    List<AppendResult> results = runConcurrently(tasks, threads);

    assertThat(results).noneMatch(AppendResult::duplicate);
    RoundInfo round = store.find("r1").orElseThrow();
    assertThat(round.batchesBySource()).isEqualTo(Map.of("oms", 160, "hospital", 160));
    assertThat(round.rowsBySource()).isEqualTo(Map.of("oms", 320L, "hospital", 320L));
    assertThat(round.payloadBytes()).isEqualTo(640);
  }

  @Test
  void concurrentSameSendId_storedOnce() throws Exception {
    List<Callable<AppendResult>> tasks = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      tasks.add(() -> store.append("r1", "", batch("oms", "same", 4, "abcd"), 1_000));
    }

    List<AppendResult> results = runConcurrently(tasks, 8);

    assertThat(results).filteredOn(result -> !result.duplicate()).hasSize(1);
    assertThat(results).allMatch(result -> result.roundId().equals("r1")
        && result.rowCount() == 4);
    assertThat(store.find("r1").orElseThrow().batchesBySource()).isEqualTo(Map.of("oms", 1));
  }

  @Test
  void concurrentMixedAppends_rejectionsStayLocal() throws Exception {
    store.append("sealed", "", batch("oms", "", 1, "a"), 1_000);
    store.transition("sealed", Set.of(RoundState.ABERTA), RoundState.FECHADA, "", 1_000);
    List<Callable<String>> tasks = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String roundId = i % 2 == 0 ? "sealed" : "open";
      tasks.add(() -> {
        try {
          store.append(roundId, "", batch("oms", "", 1, "a"), 2_000);
          return "stored";
        } catch (EtlException e) {
          return e.kind().name();
        }
      });
    }

    List<String> outcomes = runConcurrently(tasks, 8);

    assertThat(outcomes).filteredOn("stored"::equals).hasSize(30);
    assertThat(outcomes).filteredOn("FAILED_PRECONDITION"::equals).hasSize(30);
    assertThat(store.find("open").orElseThrow().batchesBySource()).isEqualTo(Map.of("oms", 30));
    assertThat(store.find("sealed").orElseThrow().batchesBySource())
        .isEqualTo(Map.of("oms", 1));
  }

  @Test
  void close_makesStoreUnavailable() {
    store.append("r1", "", batch("oms", "", 1, "a"), 1_000);
    assertThat(store.isAvailable()).isTrue();

    store.close();

    assertThat(store.isAvailable()).isFalse();
    assertThatThrownBy(() -> store.append("r1", "", batch("oms", "", 1, "a"), 2_000))
        .isInstanceOfSatisfying(EtlException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE));
    assertThatThrownBy(() -> store.find("r1"))
        .isInstanceOfSatisfying(EtlException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE));
  }

  protected static StoredBatch batch(String source, String sendId, long rows, String payload) {
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    return new StoredBatch(source, source + ".csv", sendId, rows, bytes, 0, bytes.length);
  }

  /** Returns each batch of a round as {@code source:payload}. */
  protected List<String> readAll(String roundId) throws Exception {
    List<String> batches = new ArrayList<>();
    store.readBatches(roundId, (source, payload, offset, length) ->
        batches.add(source + ":" + new String(payload, offset, length, StandardCharsets.UTF_8)));
    return batches;
  }

  private static List<String> ids(List<RoundInfo> rounds) {
    return rounds.stream().map(RoundInfo::roundId).toList();
  }

  /** Starts all tasks at once from {@code threads} threads and returns their results. */
  private static <T> List<T> runConcurrently(List<Callable<T>> tasks, int threads)
      throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> task : tasks) {
        futures.add(executor.submit(() -> {
          start.await();
          return task.call();
        }));
      }
      start.countDown();
      List<T> results = Collections.synchronizedList(new ArrayList<>());
      for (Future<T> future : futures) {
        results.add(future.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      executor.shutdownNow();
    }
  }
}
