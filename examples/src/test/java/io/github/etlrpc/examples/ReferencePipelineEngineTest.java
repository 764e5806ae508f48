package io.github.etlrpc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.etlrpc.api.Batch;
import io.github.etlrpc.api.EtlEngine;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The reference pipeline as the engine runs it, reading rows through the pipeline run. */
class ReferencePipelineEngineTest {
  @TempDir Path work;

  @Test
  void invoker_writesCsvOfTheRoundsRows() throws Exception {
    Path outputRoot = work.resolve("output");
    EtlEngine engine = EtlEngines.newBuilder()
        .workDirectory(work)
        .inMemoryStore()
        .pipeline(ReferencePipeline.invoker(outputRoot))
        .build();
    try {
      submit(engine, "OMS", List.of(
          new Row.Oms(10, 1000, 21, 1, 2, "01-01-2026"),
          new Row.Oms(30, 1000, 22, 3, 4, "01-01-2026")));
      submit(engine, "Hospital", List.of(
          new Row.Hospital(4, "01-01-2026", 1, 50, 0, 22003, 0, 0, 0, 0),
          new Row.Hospital(4, "02-01-2026", 0, 51, 1, 22001, 0, 0, 0, 0)));
      SubmitResult last = submit(engine, "secretaria", List.of(
          new Row.Secretaria(1, 1, 21005, 2, 300, "01-01-2026")));

      RoundInfo round = engine.settled(last.roundId()).get(60, TimeUnit.SECONDS);

      assertThat(round.state()).isEqualTo(RoundState.CONCLUIDA);
      Path output = outputRoot.resolve(round.roundId());
      assertThat(Files.readString(output.resolve(ReferencePipeline.SUMMARY_CSV))).isEqualTo("""
          ilha,obitos,recuperados,vacinados_oms,obitos_acima_da_media,internacoes,\
          vacinados_secretaria,diagnosticados
          21,10,1,2,0,0,1,1
          22,30,3,4,1,1,0,0
          """);
      assertThat(Files.readString(output.resolve(ReferencePipeline.HOSPITAL_CSV)))
          .isEqualTo("id_hospital,registros,internacoes\n4,2,1\n");
    } finally {
      engine.shutdown(Duration.ofSeconds(30));
    }
  }

  @Test
  void pipelineCommand_readsEngineHandoffFiles() throws Exception {
    // The pipeline subcommand in a child JVM as the external program: the engine writes the
    // JSON hand-off files and the reference pipeline reads them.
    Path outputRoot = work.resolve("external");
    StringBuilder command = new StringBuilder();
    for (String part : ChildJvm.javaCommand()) {
      command.append('"').append(part).append("\" ");
    }
    command.append("pipeline {oms} {secretaria} {hospital} --out \"")
        .append(outputRoot).append("/{round}\"");
    EngineOptionsTest.Holder holder = new EngineOptionsTest.Holder();
    new CommandLine(holder).parseArgs("--work-dir", work.toString(), "--in-memory",
        "--pipeline-command", command.toString(), "--pipeline-timeout", "2m");
    EtlEngine engine = holder.options.buildEngine(null);
    try {
      submit(engine, "oms", List.of(new Row.Oms(6, 500, 30, 2, 3, "09-09-2026")));
      submit(engine, "HOSPITAL", List.of(
          new Row.Hospital(11, "09-09-2026", 1, 70, 1, 30005, 1, 1, 0, 0)));
      SubmitResult last = submit(engine, "Secretaria", List.of(
          new Row.Secretaria(0, 1, 30001, 4, 2000, "09-09-2026"),
          new Row.Secretaria(1, 0, 29002, 1, 1500, "10-09-2026")));

      RoundInfo round = engine.settled(last.roundId()).get(120, TimeUnit.SECONDS);

      assertThat(round.state()).as(round.error()).isEqualTo(RoundState.CONCLUIDA);
      assertThat(Files.readString(
          outputRoot.resolve(round.roundId()).resolve(ReferencePipeline.SUMMARY_CSV)))
          .endsWith("\n29,0,0,0,0,0,0,1\n30,6,2,3,0,1,1,0\n");
    } finally {
      engine.shutdown(Duration.ofSeconds(30));
    }
  }

  private static SubmitResult submit(EtlEngine engine, String origin, List<? extends Row> rows) {
    return engine.submit(Batch.newBuilder(origin).payload(RowCodec.encode(rows)).build());
  }
}
