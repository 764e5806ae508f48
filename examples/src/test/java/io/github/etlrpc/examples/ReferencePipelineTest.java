package io.github.etlrpc.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.etlrpc.api.RowType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferencePipelineTest {
  @TempDir Path dir;
  private Path oms;
  private Path secretaria;
  private Path hospital;

  @BeforeEach
  void writeInputs() throws IOException {
    // Deaths per island: 11 -> 12 + 8 = 20, 12 -> 5, 13 -> 2; mean 9, so only 11 is above.
    oms = write("oms.json", """
        [
          {"num_obitos": 12, "populacao": 4000, "cep": 11, "num_recuperados": 3,
           "num_vacinados": 900, "data": "01-12-2026"},
          {"num_obitos": 8, "populacao": 4000, "cep": 11, "num_recuperados": 1,
           "num_vacinados": 100, "data": "02-12-2026"},
          {"num_obitos": 5, "populacao": 7000, "cep": 12, "num_recuperados": 10,
           "num_vacinados": 50, "data": "01-12-2026"},
          {"num_obitos": 2, "populacao": 900, "cep": 13, "num_recuperados": 0,
           "num_vacinados": 7, "data": "01-12-2026"}
        ]
        """);
    secretaria = write("secretaria.json", """
        [
          {"diagnostico": 1, "vacinado": 1, "cep": 11001, "escolaridade": 2,
           "populacao": 500, "data": "01-12-2026"},
          {"diagnostico": 0, "vacinado": 1, "cep": 11005, "escolaridade": 5,
           "populacao": 500, "data": "01-12-2026"},
          {"diagnostico": 1, "vacinado": 0, "cep": 14003, "escolaridade": 0,
           "populacao": 800, "data": "03-12-2026"}
        ]
        """);
    hospital = write("hospital.json", """
        [
          {"id_hospital": 7, "data": "01-12-2026", "internado": 1, "idade": 40, "sexo": 0,
           "cep": 12001, "sintoma1": 1, "sintoma2": 0, "sintoma3": 0, "sintoma4": 0},
          {"id_hospital": 7, "data": "01-12-2026", "internado": 0, "idade": 31, "sexo": 1,
           "cep": 12002, "sintoma1": 0, "sintoma2": 0, "sintoma3": 0, "sintoma4": 0},
          {"id_hospital": 2, "data": "02-12-2026", "internado": 1, "idade": 80, "sexo": 1,
           "cep": 11004, "sintoma1": 1, "sintoma2": 1, "sintoma3": 1, "sintoma4": 1},
          {"id_hospital": 7, "data": "02-12-2026", "internado": 1, "idade": 5, "sexo": 0,
           "cep": 12003, "sintoma1": 0, "sintoma2": 1, "sintoma3": 0, "sintoma4": 0}
        ]
        """);
  }

  @Test
  void fromFiles_writesOmsTotalsAndFlags() throws IOException {
    Path out = dir.resolve("out");

    ReferencePipeline.fromFiles(oms, secretaria, hospital, out);

    assertThat(read(out.resolve(ReferencePipeline.OMS_CSV))).isEqualTo("""
        ilha,obitos,recuperados,vacinados,obitos_acima_da_media
        11,20,4,1000,1
        12,5,10,50,0
        13,2,0,7,0
        """);
  }

  @Test
  void fromFiles_countsAdmissionsPerHospitalAndIsland() throws IOException {
    Path out = dir.resolve("out");

    ReferencePipeline.fromFiles(oms, secretaria, hospital, out);

    assertThat(read(out.resolve(ReferencePipeline.HOSPITAL_CSV))).isEqualTo("""
        id_hospital,registros,internacoes
        2,1,1
        7,3,2
        """);
    assertThat(read(out.resolve(ReferencePipeline.ISLAND_ADMISSIONS_CSV))).isEqualTo("""
        ilha,registros,internacoes
        11,1,1
        12,3,2
        """);
  }

  @Test
  void fromFiles_totalsSecretariaPerIsland() throws IOException {
    Path out = dir.resolve("out");

    ReferencePipeline.fromFiles(oms, secretaria, hospital, out);

    assertThat(read(out.resolve(ReferencePipeline.SECRETARIA_CSV))).isEqualTo("""
        ilha,registros,vacinados,diagnosticados
        11,2,2,1
        14,1,0,1
        """);
  }

  @Test
  void fromFiles_mergesIslandsOfAllSources() throws IOException {
    Path out = dir.resolve("out");

    ReferencePipeline.fromFiles(oms, secretaria, hospital, out);

    assertThat(read(out.resolve(ReferencePipeline.SUMMARY_CSV))).isEqualTo("""
        ilha,obitos,recuperados,vacinados_oms,obitos_acima_da_media,internacoes,\
        vacinados_secretaria,diagnosticados
        11,20,4,1000,1,1,2,1
        12,5,10,50,0,2,0,0
        13,2,0,7,0,0,0,0
        14,0,0,0,0,0,0,1
        """);
  }

  @Test
  void fromFiles_summaryCountsRowsAndFlags() throws IOException {
    ReferencePipeline.Summary summary =
        ReferencePipeline.fromFiles(oms, secretaria, hospital, dir.resolve("out"));

    assertThat(summary.rowsByType().get(RowType.OMS)).isEqualTo(4);
    assertThat(summary.rowsByType().get(RowType.SECRETARIA)).isEqualTo(3);
    assertThat(summary.rowsByType().get(RowType.HOSPITAL)).isEqualTo(4);
    assertThat(summary.islands()).isEqualTo(4);
    assertThat(summary.meanDeaths()).isEqualTo(9.0);
    assertThat(summary.flaggedIslands()).containsExactly(11);
    assertThat(summary.describe()).contains("islands above the mean: [11]");
  }

  @Test
  void fromFiles_emptyArraysWriteHeadersOnly() throws IOException {
    Path empty = write("empty.json", "[]");
    Path out = dir.resolve("out");

    ReferencePipeline.Summary summary = ReferencePipeline.fromFiles(empty, empty, empty, out);

    assertThat(summary.flaggedIslands()).isEmpty();
    assertThat(read(out.resolve(ReferencePipeline.SUMMARY_CSV))).isEqualTo(
        "ilha,obitos,recuperados,vacinados_oms,obitos_acima_da_media,internacoes,"
            + "vacinados_secretaria,diagnosticados\n");
  }

  @Test
  void fromFiles_missingKeysReadAsZero() throws IOException {
    Path sparse = write("sparse.json", "[{\"cep\": 20, \"num_obitos\": 3}]");
    Path empty = write("empty.json", "[]");
    Path out = dir.resolve("out");

    ReferencePipeline.fromFiles(sparse, empty, empty, out);

    assertThat(read(out.resolve(ReferencePipeline.OMS_CSV)))
        .endsWith("\n20,3,0,0,0\n");
  }

  @Test
  void fromFiles_missingFileNamesPath() {
    Path missing = dir.resolve("nope.json");

    assertThatThrownBy(() -> ReferencePipeline.fromFiles(oms, missing, hospital, dir))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("nope.json");
  }

  @Test
  void fromFiles_stringInIntegerKeyNamesRowAndKey() throws IOException {
    Path bad = write("bad.json", """
        [{"num_obitos": 1, "cep": 11},
         {"num_obitos": "3", "cep": 11}]
        """);

    assertThatThrownBy(() -> ReferencePipeline.fromFiles(bad, secretaria, hospital, dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("bad.json")
        .hasMessageContaining("row 1, key 'num_obitos' must be an integer, found a string");
  }

  @Test
  void fromFiles_unknownKeyIsRejected() throws IOException {
    Path bad = write("bad.json", "[{\"num_obitos\": 1, \"obitos\": 2}]");

    assertThatThrownBy(() -> ReferencePipeline.fromFiles(bad, secretaria, hospital, dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("row 0 has unknown key 'obitos' for linha_oms");
  }

  @Test
  void fromFiles_intOverflowIsRejected() throws IOException {
    Path bad = write("bad.json", "[{\"num_obitos\": 3000000000}]");

    assertThatThrownBy(() -> ReferencePipeline.fromFiles(bad, secretaria, hospital, dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("3000000000, outside the int32 range");
  }

  @Test
  void fromFiles_truncatedJsonIsInvalid() throws IOException {
    Path bad = write("bad.json", "[{\"num_obitos\": 1}, {\"cep\": ");

    assertThatThrownBy(() -> ReferencePipeline.fromFiles(bad, secretaria, hospital, dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("bad.json: invalid JSON")
        .hasMessageNotContaining("REDACTED");
  }

  @Test
  void fromFiles_objectAtTopLevelIsRejected() throws IOException {
    Path bad = write("bad.json", "{\"num_obitos\": 1}");

    assertThatThrownBy(() -> ReferencePipeline.fromFiles(bad, secretaria, hospital, dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("must be a JSON array of row objects, found an object");
  }

  @Test
  void fromFiles_rowThatIsNotObjectIsRejected() throws IOException {
    Path bad = write("bad.json", "[{\"cep\": 11}, 5]");

    assertThatThrownBy(() -> ReferencePipeline.fromFiles(bad, secretaria, hospital, dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("row 1 must be a JSON object, found an integer");
  }

  private Path write(String name, String json) throws IOException {
    return Files.writeString(dir.resolve(name), json, StandardCharsets.UTF_8);
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
