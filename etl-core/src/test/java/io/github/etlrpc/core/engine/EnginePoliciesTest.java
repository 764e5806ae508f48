package io.github.etlrpc.core.engine;

import static io.github.etlrpc.core.engine.TestRows.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.etlrpc.api.CompletionPolicy;
import io.github.etlrpc.api.CompletionPolicy.OnTimeout;
import io.github.etlrpc.api.CompletionPolicy.TimeoutStart;
import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.SourceCatalog;
import io.github.etlrpc.api.SubmitResult;
import io.github.etlrpc.core.EtlEngines;
import io.github.etlrpc.core.HandoffRetention;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnginePoliciesTest {
  @TempDir Path work;
  private final List<EtlEngine> engines = new ArrayList<>();

  @AfterEach
  void closeEngines() {
    engines.forEach(EtlEngine::close);
  }

  private EtlEngine engine(CompletionPolicy policy, RecordingPipeline pipeline) {
    EtlEngine engine = EtlEngines.newBuilder().workDirectory(work).inMemoryStore()
        .pipeline(pipeline).completionPolicy(policy)
        .handoffRetention(HandoffRetention.KEEP).build();
    engines.add(engine);
    return engine;
  }

  @Test
  void minBatches_waitsForTenHospitalFiles() throws Exception {
    EtlEngine engine = engine(CompletionPolicy.minBatches(Map.of("Hospital", 10)),
        new RecordingPipeline(false));
    String roundId = engine.submit(batch("oms", "", 1, 1)).roundId();
    engine.submit(batch("secretaria", "", 2, 1));
    for (int i = 0; i < 9; i++) {
      assertThat(engine.submit(batch("hospital", "", 10 + i, 1)).state())
          .isEqualTo(RoundState.ABERTA);
    }

    SubmitResult tenth = engine.submit(batch("hospital", "", 100, 1));

    assertThat(tenth.roundId()).isEqualTo(roundId);
    assertThat(tenth.state()).isEqualTo(RoundState.FECHADA);
    assertThat(engine.settled(roundId).get(10, TimeUnit.SECONDS).batchesBySource())
        .containsEntry("hospital", 10);
  }

  @Test
  void timeoutFromFirst_sealsPartialRoundWithEmptyFiles() throws Exception {
    RecordingPipeline pipeline = new RecordingPipeline(true);
    EtlEngine engine = engine(CompletionPolicy.allRequiredSources().withTimeout(
        Duration.ofMillis(300), TimeoutStart.FIRST_BATCH, OnTimeout.SEAL_PARTIAL), pipeline);

    String roundId = engine.submit(batch("oms", "", 1, 2)).roundId();
    RoundInfo done = engine.settled(roundId).get(10, TimeUnit.SECONDS);

    assertThat(done.state()).isEqualTo(RoundState.CONCLUIDA);
    Map<String, String> files = pipeline.filesByRound.get(roundId);
    assertThat(files).containsOnlyKeys("oms", "hospital", "secretaria");
    assertThat(files.get("hospital").strip()).isEqualTo("[]");
    assertThat(files.get("secretaria").strip()).isEqualTo("[]");
    assertThat(files.get("oms")).contains("\"num_obitos\": 1,").contains("\"num_obitos\": 2,");
  }

  @Test
  void handoff_everyKnownSourceGetsFile() throws Exception {
    RecordingPipeline pipeline = new RecordingPipeline(true);
    EtlEngine engine = EtlEngines.newBuilder().workDirectory(work).inMemoryStore()
        .sources(SourceCatalog.requiring(List.of("oms")))
        .pipeline(pipeline).handoffRetention(HandoffRetention.KEEP).build();
    engines.add(engine);

    SubmitResult sealed = engine.submit(batch("oms", "", 1, 1));
    engine.settled(sealed.roundId()).get(10, TimeUnit.SECONDS);

    assertThat(sealed.state()).isEqualTo(RoundState.FECHADA);
    Map<String, String> files = pipeline.filesByRound.get(sealed.roundId());
    assertThat(files).containsOnlyKeys("oms", "hospital", "secretaria");
    assertThat(files.get("hospital").strip()).isEqualTo("[]");
    assertThat(files.get("secretaria").strip()).isEqualTo("[]");
  }

  @Test
  void timeoutFromLast_restartsWithEachBatch() throws Exception {
    MutableClock clock = new MutableClock(1_000_000);
    EtlEngine engine = EtlEngines.newBuilder().workDirectory(work).inMemoryStore()
        .pipeline(new RecordingPipeline(false)).clock(clock)
        .completionPolicy(CompletionPolicy.allRequiredSources().withTimeout(
            Duration.ofMillis(400), TimeoutStart.LAST_BATCH, OnTimeout.PARK))
        .build();
    engines.add(engine);
    String roundId = engine.submit(batch("oms", "", 1, 1)).roundId();

    clock.advance(Duration.ofMillis(300));
    SubmitResult second = engine.submit(batch("hospital", "", 2, 1));
    clock.advance(Duration.ofMillis(300));
    SubmitResult third = engine.submit(batch("hospital", "", 3, 1));

    assertThat(second.state()).isEqualTo(RoundState.ABERTA);
    assertThat(third.roundId()).isEqualTo(roundId);
    assertThat(third.state()).as("600 ms after the first batch, 0 ms after the last")
        .isEqualTo(RoundState.ABERTA);
    clock.advance(Duration.ofMillis(401));
    RoundInfo parked = engine.settled(roundId).get(10, TimeUnit.SECONDS);
    assertThat(parked.state()).isEqualTo(RoundState.ESTACIONADA);
    assertThat(parked.error()).contains("secretaria");
  }

  @Test
  void timeoutFromFirst_ignoresLaterBatches() {
    MutableClock clock = new MutableClock(1_000_000);
    EtlEngine engine = EtlEngines.newBuilder().workDirectory(work).inMemoryStore()
        .pipeline(new RecordingPipeline(false)).clock(clock)
        .completionPolicy(CompletionPolicy.allRequiredSources().withTimeout(
            Duration.ofMillis(400), TimeoutStart.FIRST_BATCH, OnTimeout.PARK))
        .build();
    engines.add(engine);
    engine.submit(batch("oms", "", 1, 1));

    clock.advance(Duration.ofMillis(300));
    SubmitResult second = engine.submit(batch("hospital", "", 2, 1));
    clock.advance(Duration.ofMillis(300));
    SubmitResult third = engine.submit(batch("hospital", "", 3, 1));

    assertThat(second.state()).isEqualTo(RoundState.ABERTA);
    assertThat(third.roundId()).isEqualTo(second.roundId());
    assertThat(third.state()).isEqualTo(RoundState.ESTACIONADA);
  }

  @Test
  void timeoutPark_parksExpiredRoundWithoutPipeline() throws Exception {
    RecordingPipeline pipeline = new RecordingPipeline(false);
    EtlEngine engine = engine(CompletionPolicy.allRequiredSources().withTimeout(
        Duration.ofMillis(200), TimeoutStart.FIRST_BATCH, OnTimeout.PARK), pipeline);

    String roundId = engine.submit(batch("oms", "", 1, 1)).roundId();
    RoundInfo parked = engine.settled(roundId).get(10, TimeUnit.SECONDS);

    assertThat(parked.state()).isEqualTo(RoundState.ESTACIONADA);
    assertThat(parked.error()).contains("hospital").contains("secretaria");
    assertThat(pipeline.attempts).isEmpty();
    assertThat(engine.submit(batch("oms", "", 2, 1)).roundId()).isNotEqualTo(roundId);
  }

  @Test
  void customPredicate_sealsOnRowCount() throws Exception {
    EtlEngine engine = engine(CompletionPolicy.when(round -> round.totalRows() >= 10),
        new RecordingPipeline(false));

    String roundId = engine.submit(batch("secretaria", "", 1, 6)).roundId();
    SubmitResult second = engine.submit(batch("secretaria", "", 100, 4));

    assertThat(second.roundId()).isEqualTo(roundId);
    assertThat(second.state()).isEqualTo(RoundState.FECHADA);
    assertThat(engine.settled(roundId).get(10, TimeUnit.SECONDS).rowsBySource())
        .containsExactly(Map.entry("secretaria", 10L));
  }
}
