package io.github.etlrpc.core.engine;

import static io.github.etlrpc.core.engine.TestRows.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.core.EtlEngines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineRetryTest {
  @TempDir Path work;

  @Test
  void failingPipeline_retriesThenParksKeepingFiles() throws Exception {
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    AtomicBoolean fail = new AtomicBoolean(true);
    List<RoundState> states = new CopyOnWriteArrayList<>();
    try (EtlEngine engine = EtlEngines.newBuilder().workDirectory(work)
        .maxAttempts(3)
        .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
        .pipeline(run -> {
          attempts.add(run.attempt());
          assertThat(run.handoffFiles()).containsKeys("oms", "hospital", "secretaria");
          return fail.get() ? PipelineResult.failed(3, "exit code 3") : PipelineResult.succeeded(0);
        })
        .build()) {
      String roundId = engine.submit(batch("oms", "", 1, 1)).roundId();
      AutoCloseable watch = engine.watch(roundId, round -> states.add(round.state()));
      engine.submit(batch("hospital", "", 2, 1));
      engine.submit(batch("secretaria", "", 3, 1));

      RoundInfo parked = engine.settled(roundId).get(30, TimeUnit.SECONDS);

      assertThat(parked.state()).isEqualTo(RoundState.ESTACIONADA);
      assertThat(parked.error()).contains("attempt 3").contains("exit code 3");
      assertThat(attempts).containsExactly(1, 2, 3);
      assertThat(states).containsSubsequence(RoundState.EXECUTANDO, RoundState.FALHOU,
          RoundState.EXECUTANDO, RoundState.FALHOU, RoundState.EXECUTANDO,
          RoundState.ESTACIONADA);
      Path roundDir = work.resolve("rounds").resolve(roundId);
      assertThat(roundDir.resolve("oms.json")).exists();
      assertThat(Files.readString(roundDir.resolve("hospital.json"))).contains("\"id_hospital\"");

      fail.set(false);
      RoundInfo rerun = engine.rerun(roundId);
      assertThat(rerun.state()).isEqualTo(RoundState.FECHADA);
      RoundInfo done = engine.settled(roundId).get(30, TimeUnit.SECONDS);
      assertThat(done.state()).isEqualTo(RoundState.CONCLUIDA);
      assertThat(attempts).containsExactly(1, 2, 3, 4);
      assertThat(roundDir.resolve("oms.json")).doesNotExist();
      watch.close();
    }
  }

  @Test
  void throwingPipeline_countsAsFailure() throws Exception {
    try (EtlEngine engine = EtlEngines.newBuilder().workDirectory(work).inMemoryStore()
        .maxAttempts(1)
        .pipeline(run -> {
          throw new IllegalStateException("broken pipeline");
        })
        .build()) {
      String roundId = engine.submit(batch("oms", "", 1, 1)).roundId();
      engine.submit(batch("hospital", "", 2, 1));
      engine.submit(batch("secretaria", "", 3, 1));

      RoundInfo parked = engine.settled(roundId).get(30, TimeUnit.SECONDS);

      assertThat(parked.state()).isEqualTo(RoundState.ESTACIONADA);
      assertThat(parked.error()).contains("broken pipeline");
    }
  }

  @Test
  void rerun_rejectsRoundThatIsNotParked() {
    try (EtlEngine engine = EtlEngines.newBuilder().workDirectory(work).inMemoryStore()
        .pipeline(new RecordingPipeline(false)).build()) {
      String roundId = engine.submit(batch("oms", "", 1, 1)).roundId();

      assertThatThrownBy(() -> engine.rerun(roundId))
          .isInstanceOf(EtlException.class)
          .hasMessageContaining("ABERTA")
          .extracting(e -> ((EtlException) e).kind()).isEqualTo(ErrorKind.FAILED_PRECONDITION);
      assertThatThrownBy(() -> engine.rerun("missing"))
          .isInstanceOf(EtlException.class)
          .extracting(e -> ((EtlException) e).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    }
  }
}
