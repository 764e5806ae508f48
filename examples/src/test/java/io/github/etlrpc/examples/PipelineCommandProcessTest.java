package io.github.etlrpc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineCommandProcessTest {
  @TempDir Path dir;

  @Test
  void pipeline_validFilesExitZero() throws Exception {
    Path oms = Files.writeString(dir.resolve("oms.json"), """
        [{"num_obitos": 4, "populacao": 10, "cep": 15, "num_recuperados": 1,
          "num_vacinados": 2, "data": "05-03-2026"}]
        """);
    Path secretaria = Files.writeString(dir.resolve("secretaria.json"), """
        [{"diagnostico": 1, "vacinado": 1, "cep": 15002, "escolaridade": 1,
          "populacao": 10, "data": "05-03-2026"}]
        """);
    Path hospital = Files.writeString(dir.resolve("hospital.json"), """
        [{"id_hospital": 9, "data": "05-03-2026", "internado": 1, "idade": 3, "sexo": 1,
          "cep": 15004, "sintoma1": 0, "sintoma2": 0, "sintoma3": 0, "sintoma4": 0}]
        """);
    Path out = dir.resolve("out");

    try (ChildJvm child = ChildJvm.start(dir.resolve("log.txt"), Map.of(), "pipeline",
        oms.toString(), secretaria.toString(), hospital.toString(), "--out", out.toString())) {

      assertThat(child.exitCode(60)).as(child.output()).isZero();
      assertThat(child.output()).contains("rows read: oms=1, secretaria=1, hospital=1");
    }
    assertThat(Files.readString(out.resolve(ReferencePipeline.SUMMARY_CSV)))
        .endsWith("\n15,4,1,2,0,1,1,1\n");
  }

  @Test
  void pipeline_missingFileExitsNonZero() throws Exception {
    Path present = Files.writeString(dir.resolve("present.json"), "[]");
    Path missing = dir.resolve("missing-secretaria.json");

    try (ChildJvm child = ChildJvm.start(dir.resolve("log.txt"), Map.of(), "pipeline",
        present.toString(), missing.toString(), present.toString(),
        "--out", dir.resolve("out").toString())) {

      assertThat(child.exitCode(60)).isEqualTo(1);
      assertThat(child.output())
          .contains("error: file not found: " + missing);
    }
  }

  @Test
  void pipeline_invalidJsonExitsNonZero() throws Exception {
    Path broken = Files.writeString(dir.resolve("broken.json"), "[{\"cep\": 11,");
    Path empty = Files.writeString(dir.resolve("empty.json"), "[]");

    try (ChildJvm child = ChildJvm.start(dir.resolve("log.txt"), Map.of(), "pipeline",
        broken.toString(), empty.toString(), empty.toString(),
        "--out", dir.resolve("out").toString())) {

      assertThat(child.exitCode(60)).isEqualTo(1);
      assertThat(child.output()).contains("error: " + broken + ": invalid JSON");
    }
  }
}
