package io.github.etlrpc.core.engine;

import static io.github.etlrpc.core.engine.TestRows.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.SubmitResult;
import io.github.etlrpc.core.EngineBuilder;
import io.github.etlrpc.core.EtlEngines;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineLimitsTest {
  @TempDir Path work;
  private final List<EtlEngine> engines = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void closeEngines() {
    release.countDown();
    engines.forEach(EtlEngine::close);
  }

  private EngineBuilder builder() {
    return EtlEngines.newBuilder().workDirectory(work).inMemoryStore()
        .pipeline(new RecordingPipeline(false));
  }

  private EtlEngine build(EngineBuilder builder) {
    EtlEngine engine = builder.build();
    engines.add(engine);
    return engine;
  }

  private static void assertExhausted(Runnable call, String limitName) {
    assertThatThrownBy(call::run)
        .isInstanceOf(EtlException.class)
        .hasMessageContaining(limitName)
        .extracting(e -> ((EtlException) e).kind()).isEqualTo(ErrorKind.RESOURCE_EXHAUSTED);
  }

  @Test
  void maxOpenRounds_rejectsNewRoundKeepsOpenOnes() {
    EtlEngine engine = build(builder().maxOpenRounds(2));
    String a = engine.submit(batch("oms", "a", 1, 1)).roundId();
    String b = engine.submit(batch("oms", "b", 2, 1)).roundId();

    assertExhausted(() -> engine.submit(batch("oms", "c", 3, 1)), "maxOpenRounds");

    assertThat(engine.submit(batch("hospital", "a", 4, 1)).roundId()).isEqualTo(a);
    assertThat(engine.round(b).orElseThrow().totalRows()).isEqualTo(1);
    assertThat(engine.rounds(EnumSet.of(RoundState.ABERTA))).hasSize(2);
  }

  @Test
  void maxPendingBytes_rejectsBatchThatWouldExceed() {
    int oneRowBytes = batch("oms", "", 1, 1).payloadLength();
    EtlEngine engine = build(builder().maxPendingBytes(oneRowBytes * 3L));
    String roundId = engine.submit(batch("oms", "", 1, 2)).roundId();

    assertExhausted(() -> engine.submit(batch("oms", "", 10, 2)), "maxPendingBytes");

    assertThat(engine.submit(batch("oms", "", 20, 1)).roundId()).isEqualTo(roundId);
    assertThat(engine.round(roundId).orElseThrow().totalRows()).isEqualTo(3);
  }

  @Test
  void maxPendingBytes_admitsBatchThatCompletesRound() throws Exception {
    int oneRowBytes = batch("oms", "", 1, 1).payloadLength();
    EtlEngine engine = build(builder().maxPendingBytes(oneRowBytes * 4L));
    String stuck = engine.submit(batch("oms", "a", 1, 2)).roundId();
    engine.submit(batch("oms", "b", 10, 2));
    assertExhausted(() -> engine.submit(batch("oms", "c", 20, 1)), "maxPendingBytes");
    assertExhausted(() -> engine.submit(batch("oms", "a", 30, 1)), "maxPendingBytes");

    engine.submit(batch("hospital", "a", 40, 1));
    SubmitResult last = engine.submit(batch("secretaria", "a", 50, 1));

    assertThat(last.roundId()).isEqualTo(stuck);
    assertThat(last.state()).isEqualTo(RoundState.FECHADA);
    assertThat(engine.settled(stuck).get(10, TimeUnit.SECONDS).state())
        .isEqualTo(RoundState.CONCLUIDA);
    assertThat(engine.submit(batch("oms", "c", 20, 1)).state()).isEqualTo(RoundState.ABERTA);
  }

  @Test
  void maxQueuedRuns_rejectsWhileSealedRoundsWait() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    EtlEngine engine = build(EtlEngines.newBuilder().workDirectory(work).inMemoryStore()
        .maxQueuedRuns(1)
        .pipeline(run -> {
          started.countDown();
          release.await(30, TimeUnit.SECONDS);
          return PipelineResult.succeeded(0);
        }));
    String running = sealDefaultRound(engine, 0);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    String queued = sealDefaultRound(engine, 10);

    assertExhausted(() -> engine.submit(batch("oms", "", 100, 1)), "maxQueuedRuns");

    release.countDown();
    assertThat(engine.settled(running).get(10, TimeUnit.SECONDS).state())
        .isEqualTo(RoundState.CONCLUIDA);
    assertThat(engine.settled(queued).get(10, TimeUnit.SECONDS).state())
        .isEqualTo(RoundState.CONCLUIDA);
    assertThat(engine.submit(batch("oms", "", 100, 1)).state()).isEqualTo(RoundState.ABERTA);
  }

  private static String sealDefaultRound(EtlEngine engine, int marker) {
    String roundId = engine.submit(batch("oms", "", marker, 1)).roundId();
    engine.submit(batch("hospital", "", marker + 1, 1));
    engine.submit(batch("secretaria", "", marker + 2, 1));
    return roundId;
  }
}
