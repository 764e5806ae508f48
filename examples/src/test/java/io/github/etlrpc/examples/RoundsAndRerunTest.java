package io.github.etlrpc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.etlrpc.api.Batch;
import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.Row;
import io.github.etlrpc.api.SubmitResult;
import io.github.etlrpc.core.EtlEngines;
import io.github.etlrpc.core.RowCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rounds} and {@code rerun} against the durable store of a stopped engine. */
class RoundsAndRerunTest {
  @TempDir Path work;
  private String parkedRoundId;

  /** Parks one round: its only pipeline attempt fails, then the engine stops. */
  @BeforeEach
  void parkOneRound() throws Exception {
    EtlEngine engine = EtlEngines.newBuilder()
        .workDirectory(work)
        .pipeline(run -> PipelineResult.failed(3, "pipeline failed on purpose"))
        .maxAttempts(1)
        .build();
    try {
      submit(engine, "oms", List.of(new Row.Oms(7, 100, 12, 1, 1, "03-02-2026")));
      submit(engine, "hospital",
          List.of(new Row.Hospital(1, "03-02-2026", 1, 9, 0, 12002, 1, 0, 0, 0)));
      SubmitResult last = submit(engine, "secretaria",
          List.of(new Row.Secretaria(0, 1, 12004, 3, 100, "03-02-2026")));
      RoundInfo parked = engine.settled(last.roundId()).get(60, TimeUnit.SECONDS);
      assertThat(parked.state()).isEqualTo(RoundState.ESTACIONADA);
      parkedRoundId = parked.roundId();
    } finally {
      engine.shutdown(Duration.ofSeconds(30));
    }
  }

  @Test
  void rounds_listsParkedRoundByState() {
    CliRun parked = CliRun.execute("rounds", "--work-dir", work.toString(),
        "--state", "estacionada");
    CliRun concluded = CliRun.execute("rounds", "--work-dir", work.toString(),
        "--state", "CONCLUIDA");

    assertThat(parked.exitCode()).as(parked.describe()).isZero();
    assertThat(parked.out()).contains(parkedRoundId + " key=(default) ESTACIONADA");
    assertThat(parked.out()).contains("error=");
    assertThat(parked.out()).contains("1 round(s)");
    assertThat(concluded.out()).doesNotContain(parkedRoundId).contains("0 round(s)");
  }

  @Test
  void rounds_missingStoreExitsOne() {
    CliRun run = CliRun.execute("rounds", "--work-dir", work.resolve("nothing").toString());

    assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
    assertThat(run.err()).contains("No round store at");
  }

  @Test
  void rerun_parkedRoundConcludesWithReferencePipeline() throws Exception {
    CliRun run = CliRun.execute("rerun", "--work-dir", work.toString(), "--wait", "60s",
        parkedRoundId);

    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.out()).contains(parkedRoundId).contains("CONCLUIDA");
    Path summary = work.resolve("output").resolve(parkedRoundId)
        .resolve(ReferencePipeline.SUMMARY_CSV);
    assertThat(Files.readString(summary)).endsWith("\n12,7,1,1,0,1,1,0\n");
    CliRun listed = CliRun.execute("rounds", "--work-dir", work.toString(),
        "--state", "concluida");
    assertThat(listed.out()).contains(parkedRoundId + " key=(default) CONCLUIDA");
  }

  @Test
  void rerun_unknownRoundExitsOne() {
    CliRun run = CliRun.execute("rerun", "--work-dir", work.toString(), "no-such-round");

    assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
    assertThat(run.err()).contains("no-such-round");
  }

  private static SubmitResult submit(EtlEngine engine, String origin, List<? extends Row> rows) {
    return engine.submit(Batch.newBuilder(origin).payload(RowCodec.encode(rows)).build());
  }
}
