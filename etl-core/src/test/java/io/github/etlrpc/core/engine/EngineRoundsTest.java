package io.github.etlrpc.core.engine;

import static io.github.etlrpc.core.engine.TestRows.batch;
import static io.github.etlrpc.core.engine.TestRows.batchWithSendId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.etlrpc.api.Batch;
import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.SubmitResult;
import io.github.etlrpc.core.EtlEngines;
import io.github.etlrpc.core.LateBatchPolicy;
import io.github.etlrpc.core.RowCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineRoundsTest {
  @TempDir Path work;
  private final List<EtlEngine> engines = new ArrayList<>();

  @AfterEach
  void closeEngines() {
    engines.forEach(EtlEngine::close);
  }

  private EtlEngine inMemory(RecordingPipeline pipeline) {
    EtlEngine engine = EtlEngines.newBuilder().workDirectory(work).inMemoryStore()
        .pipeline(pipeline).build();
    engines.add(engine);
    return engine;
  }

  @Test
  void submit_sealsWhenEveryRequiredSourceArrived() throws Exception {
    RecordingPipeline pipeline = new RecordingPipeline(false);
    EtlEngine engine = inMemory(pipeline);

    SubmitResult oms = engine.submit(batch(" OMS", "", 1, 3));
    SubmitResult hospital = engine.submit(batch("Hospital", "", 10, 2));
    SubmitResult secretaria = engine.submit(batch("SECRETARIA", "", 20, 4));

    assertThat(oms.source()).isEqualTo("oms");
    assertThat(oms.rows()).isEqualTo(3);
    assertThat(oms.state()).isEqualTo(RoundState.ABERTA);
    assertThat(oms.roundSummary()).contains("aguardando hospital, secretaria");
    assertThat(hospital.roundId()).isEqualTo(oms.roundId());
    assertThat(secretaria.roundId()).isEqualTo(oms.roundId());
    assertThat(secretaria.state()).isEqualTo(RoundState.FECHADA);
    RoundInfo done = engine.settled(oms.roundId()).get(10, TimeUnit.SECONDS);
    assertThat(done.state()).isEqualTo(RoundState.CONCLUIDA);
    assertThat(pipeline.markersByRound.get(oms.roundId()))
        .containsExactly(1, 2, 3, 10, 11, 20, 21, 22, 23);

    SubmitResult next = engine.submit(batch("oms", "", 100, 1));
    assertThat(next.roundId()).isNotEqualTo(oms.roundId());
    assertThat(next.state()).isEqualTo(RoundState.ABERTA);
  }

  @Test
  void submit_appendsBatchesOfSameSource() throws Exception {
    RecordingPipeline pipeline = new RecordingPipeline(false);
    EtlEngine engine = inMemory(pipeline);

    String roundId = engine.submit(batch("hospital", "", 1, 2)).roundId();
    for (int i = 1; i < 10; i++) {
      assertThat(engine.submit(batch("hospital", "", 1 + i * 10, 2)).roundId()).isEqualTo(roundId);
    }
    engine.submit(batch("oms", "", 500, 1));
    engine.submit(batch("secretaria", "", 600, 1));

    RoundInfo done = engine.settled(roundId).get(10, TimeUnit.SECONDS);
    assertThat(done.rowsBySource()).containsEntry("hospital", 20L);
    assertThat(done.batchesBySource()).containsEntry("hospital", 10);
    assertThat(pipeline.markersByRound.get(roundId)).hasSize(22);
  }

  @Test
  void submit_rejectsUnknownOriginAndStoresNothing() {
    EtlEngine engine = inMemory(new RecordingPipeline(false));

    Batch unknown = Batch.newBuilder("clinica").payload(
        RowCodec.encode(List.of(TestRows.row("oms", 1)))).build();

    assertThatThrownBy(() -> engine.submit(unknown))
        .isInstanceOf(EtlException.class)
        .hasMessageContaining("'clinica'")
        .hasMessageContaining("oms, hospital, secretaria")
        .extracting(e -> ((EtlException) e).kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
    assertThat(engine.rounds(EnumSet.allOf(RoundState.class))).isEmpty();
  }

  @Test
  void submit_rejectsMismatchedRowAndStoresNothing() {
    EtlEngine engine = inMemory(new RecordingPipeline(false));
    engine.submit(batch("oms", "", 1, 1));
    Batch mixed = Batch.newBuilder("hospital").payload(RowCodec.encode(List.of(
        TestRows.row("hospital", 1), TestRows.row("oms", 2)))).build();

    assertThatThrownBy(() -> engine.submit(mixed))
        .isInstanceOf(EtlException.class)
        .hasMessageContaining("row 1")
        .extracting(e -> ((EtlException) e).kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
    RoundInfo open = engine.rounds(EnumSet.of(RoundState.ABERTA)).get(0);
    assertThat(open.rowsBySource()).doesNotContainKey("hospital");
  }

  @Test
  void submit_duplicateSendIdStoredOnce() throws Exception {
    EtlEngine engine = inMemory(new RecordingPipeline(false));

    SubmitResult first = engine.submit(batchWithSendId("oms", "", "send-1", 1, 5));
    SubmitResult again = engine.submit(batchWithSendId("oms", "", "send-1", 1, 5));

    assertThat(first.duplicate()).isFalse();
    assertThat(again.duplicate()).isTrue();
    assertThat(again.roundId()).isEqualTo(first.roundId());
    assertThat(again.rows()).isEqualTo(5);
    assertThat(engine.round(first.roundId()).orElseThrow().rowsBySource())
        .containsEntry("oms", 5L);
  }

  @Test
  void duplicateSend_afterKeyedRoundSealedIsDuplicate() throws Exception {
    EtlEngine engine = inMemory(new RecordingPipeline(false));
    String roundId = engine.submit(batchWithSendId("oms", "lote-r", "r-o", 1, 2)).roundId();
    engine.submit(batchWithSendId("hospital", "lote-r", "r-h", 3, 2));
    engine.submit(batchWithSendId("secretaria", "lote-r", "r-s", 5, 2));
    engine.settled(roundId).get(10, TimeUnit.SECONDS);

    SubmitResult again = engine.submit(batchWithSendId("Secretaria", "lote-r", "r-s", 5, 2));

    assertThat(again.duplicate()).isTrue();
    assertThat(again.roundId()).isEqualTo(roundId);
    assertThat(again.state()).isEqualTo(RoundState.CONCLUIDA);
    assertThat(engine.round(roundId).orElseThrow().rowsBySource())
        .containsEntry("secretaria", 2L);
  }

  @Test
  void duplicateSend_differentBatchIsAlreadyExists() {
    EtlEngine engine = inMemory(new RecordingPipeline(false));
    String roundId = engine.submit(batchWithSendId("oms", "", "envio-1", 1, 5)).roundId();

    assertThatThrownBy(() -> engine.submit(batchWithSendId("hospital", "", "envio-1", 1, 9)))
        .isInstanceOf(EtlException.class)
        .hasMessageContaining("'envio-1'")
        .hasMessageContaining("oms batch of 5 rows")
        .hasMessageContaining("hospital batch of 9 rows")
        .extracting(e -> ((EtlException) e).kind()).isEqualTo(ErrorKind.ALREADY_EXISTS);
    assertThat(engine.round(roundId).orElseThrow().rowsBySource())
        .containsOnlyKeys("oms");
  }

  @Test
  void duplicateSend_otherRoundKeyIsAlreadyExists() {
    EtlEngine engine = inMemory(new RecordingPipeline(false));
    engine.submit(batchWithSendId("oms", "dia-1", "oms.csv", 1, 5));

    assertThatThrownBy(() -> engine.submit(batchWithSendId("oms", "dia-2", "oms.csv", 1, 5)))
        .isInstanceOf(EtlException.class)
        .hasMessageContaining("round key 'dia-1'")
        .hasMessageContaining("round key 'dia-2'")
        .extracting(e -> ((EtlException) e).kind()).isEqualTo(ErrorKind.ALREADY_EXISTS);
  }

  @Test
  void submit_rejectsFormatCharactersAndCountsCodePoints() {
    EtlEngine engine = inMemory(new RecordingPipeline(false));

    assertThatThrownBy(() -> engine.submit(batch("oms", "a\u202Eb", 1, 1)))
        .isInstanceOf(EtlException.class)
        .hasMessageContaining("U+202E");
    assertThatThrownBy(() -> engine.submit(batch("oms", "a\u2028b", 1, 1)))
        .isInstanceOf(EtlException.class)
        .hasMessageContaining("U+2028");
    String emoji = "\uD83D\uDE00".repeat(256);
    assertThat(engine.submit(batch("oms", emoji, 1, 1)).state()).isEqualTo(RoundState.ABERTA);
  }

  @Test
  void submit_rejectsControlCharactersInIds() {
    EtlEngine engine = inMemory(new RecordingPipeline(false));

    assertThatThrownBy(() -> engine.submit(batch("oms", "a\u0000b", 1, 1)))
        .isInstanceOf(EtlException.class)
        .hasMessageContaining("Round key (rodada)")
        .hasMessageContaining("U+0000 at index 1")
        .extracting(e -> ((EtlException) e).kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
    assertThatThrownBy(() -> engine.submit(batchWithSendId("oms", "", "x\ny", 1, 1)))
        .isInstanceOf(EtlException.class)
        .hasMessageContaining("Send id (id_envio)")
        .hasMessageContaining("U+000A");
    assertThat(engine.rounds(EnumSet.allOf(RoundState.class))).isEmpty();
  }

  @Test
  void submit_rejectsOverlongRoundKey() {
    EtlEngine engine = inMemory(new RecordingPipeline(false));
    String key = "k".repeat(257);

    assertThatThrownBy(() -> engine.submit(batch("oms", key, 1, 1)))
        .isInstanceOf(EtlException.class)
        .hasMessageContaining("257 characters")
        .hasMessageContaining("at most 256")
        .extracting(e -> ((EtlException) e).kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
    assertThat(engine.submit(batch("oms", "k".repeat(256), 1, 1)).state())
        .isEqualTo(RoundState.ABERTA);
  }

  @Test
  void build_rejectsWorkDirectoryInUse() {
    EtlEngine first = inMemory(new RecordingPipeline(false));

    assertThatThrownBy(() -> EtlEngines.newBuilder().workDirectory(work).inMemoryStore()
        .pipeline(new RecordingPipeline(false)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("in use by another engine")
        .hasMessageContaining("etl.lock");

    first.close();
    EtlEngine second = inMemory(new RecordingPipeline(false));
    assertThat(second.isServing()).isTrue();
  }

  @Test
  void round_openRoundUpdatedAtLastBatch() {
    MutableClock clock = new MutableClock(5_000_000);
    EtlEngine engine = EtlEngines.newBuilder().workDirectory(work).inMemoryStore()
        .pipeline(new RecordingPipeline(false)).clock(clock).build();
    engines.add(engine);
    String roundId = engine.submit(batch("oms", "", 1, 1)).roundId();
    clock.advance(Duration.ofSeconds(3));

    RoundInfo open = engine.round(roundId).orElseThrow();

    assertThat(open.updatedAtMs()).isEqualTo(5_000_000);
    assertThat(open.lastBatchAtMs()).isEqualTo(5_000_000);
  }

  @Test
  void keyedRounds_sealIndependently() throws Exception {
    RecordingPipeline pipeline = new RecordingPipeline(false);
    EtlEngine engine = inMemory(pipeline);

    String a = engine.submit(batch("oms", "lote-a", 1, 1)).roundId();
    String b = engine.submit(batch("oms", "lote-b", 2, 1)).roundId();
    engine.submit(batch("hospital", "lote-b", 3, 1));
    engine.submit(batch("secretaria", "lote-b", 4, 1));

    assertThat(a).isNotEqualTo(b);
    assertThat(engine.settled(b).get(10, TimeUnit.SECONDS).state())
        .isEqualTo(RoundState.CONCLUIDA);
    assertThat(engine.round(a).orElseThrow().state()).isEqualTo(RoundState.ABERTA);
    assertThat(engine.submit(batch("hospital", "", 5, 1)).roundId()).isNotIn(a, b);
  }

  @Test
  void lateBatch_rejectedForSealedKey() throws Exception {
    EtlEngine engine = inMemory(new RecordingPipeline(false));
    String roundId = sealKey(engine, "lote-1");

    assertThatThrownBy(() -> engine.submit(batch("oms", "lote-1", 9, 1)))
        .isInstanceOf(EtlException.class)
        .hasMessageContaining(roundId)
        .hasMessageContaining("'lote-1'")
        .extracting(e -> ((EtlException) e).kind()).isEqualTo(ErrorKind.FAILED_PRECONDITION);
  }

  @Test
  void lateBatch_opensNewRoundWhenConfigured() throws Exception {
    EtlEngine engine = EtlEngines.newBuilder().workDirectory(work).inMemoryStore()
        .pipeline(new RecordingPipeline(false)).lateBatches(LateBatchPolicy.OPEN_NEW_ROUND)
        .build();
    engines.add(engine);
    String roundId = sealKey(engine, "lote-1");

    SubmitResult late = engine.submit(batch("oms", "lote-1", 9, 1));

    assertThat(late.roundId()).isNotEqualTo(roundId);
    assertThat(engine.round(late.roundId()).orElseThrow().roundKey()).isEqualTo("lote-1");
  }

  private static String sealKey(EtlEngine engine, String key) throws Exception {
    String roundId = engine.submit(batch("oms", key, 1, 1)).roundId();
    engine.submit(batch("hospital", key, 2, 1));
    engine.submit(batch("secretaria", key, 3, 1));
    engine.settled(roundId).get(10, TimeUnit.SECONDS);
    return roundId;
  }

  @Test
  void watch_seesEveryStateInOrder() throws Exception {
    EtlEngine engine = inMemory(new RecordingPipeline(false));
    String roundId = engine.submit(batch("oms", "", 1, 1)).roundId();
    List<RoundState> seen = new CopyOnWriteArrayList<>();

    try (AutoCloseable watch = engine.watch(roundId, round -> seen.add(round.state()))) {
      engine.submit(batch("hospital", "", 2, 1));
      engine.submit(batch("secretaria", "", 3, 1));
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(RoundState.CONCLUIDA));
    }

    assertThat(seen).containsExactly(RoundState.ABERTA, RoundState.FECHADA,
        RoundState.EXECUTANDO, RoundState.CONCLUIDA);
  }

  @Test
  void watch_unknownRoundIsNotFound() {
    EtlEngine engine = inMemory(new RecordingPipeline(false));

    assertThatThrownBy(() -> engine.watch("no-such-round", round -> { }))
        .isInstanceOf(EtlException.class)
        .extracting(e -> ((EtlException) e).kind()).isEqualTo(ErrorKind.NOT_FOUND);
  }

  @Test
  void submit_notBlockedByRunningPipeline() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    EtlEngine engine = EtlEngines.newBuilder().workDirectory(work).inMemoryStore()
        .pipeline(run -> {
          started.countDown();
          release.await(30, TimeUnit.SECONDS);
          return PipelineResult.succeeded(0);
        })
        .build();
    engines.add(engine);
    String first = engine.submit(batch("oms", "", 1, 1)).roundId();
    engine.submit(batch("hospital", "", 2, 1));
    engine.submit(batch("secretaria", "", 3, 1));
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    SubmitResult second = engine.submit(batch("oms", "", 10, 1));
    engine.submit(batch("hospital", "", 11, 1));
    SubmitResult sealedSecond = engine.submit(batch("secretaria", "", 12, 1));

    assertThat(second.roundId()).isNotEqualTo(first);
    assertThat(sealedSecond.state()).isEqualTo(RoundState.FECHADA);
    assertThat(engine.round(first).orElseThrow().state()).isEqualTo(RoundState.EXECUTANDO);
    release.countDown();
    assertThat(engine.settled(second.roundId()).get(10, TimeUnit.SECONDS).state())
        .isEqualTo(RoundState.CONCLUIDA);
  }

  @Test
  void submit_afterShutdownIsUnavailable() throws Exception {
    EtlEngine engine = inMemory(new RecordingPipeline(false));
    engine.shutdown(Duration.ofSeconds(5));

    assertThatThrownBy(() -> engine.submit(batch("oms", "", 1, 1)))
        .isInstanceOf(EtlException.class)
        .extracting(e -> ((EtlException) e).kind()).isEqualTo(ErrorKind.UNAVAILABLE);
  }
}
