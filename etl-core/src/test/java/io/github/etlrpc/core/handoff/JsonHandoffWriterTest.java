package io.github.etlrpc.core.handoff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.Row;
import io.github.etlrpc.api.RowType;
import io.github.etlrpc.api.SourceCatalog;
import io.github.etlrpc.api.StoredBatch;
import io.github.etlrpc.core.RowCodec;
import io.github.etlrpc.core.store.InMemoryRoundStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonHandoffWriterTest {
  @TempDir Path directory;

  @Test
  void omsRows_matchGoldenText() throws IOException {
    Path file = directory.resolve("oms.json");
    byte[] first = RowCodec.encode(List.of(
        new Row.Oms(12, 4000, 11, 3, 900, "01-12-2026"),
        new Row.Oms(0, 0, 0, 0, 0, "")));
    byte[] second = RowCodec.encode(List.of(
        new Row.Oms(-5, Integer.MAX_VALUE, 30, Integer.MIN_VALUE, 1,
            "São \"Tomé\" \\ a/b\n\t\u0001 😀")));

    try (JsonHandoffWriter writer = JsonHandoffWriter.open(file, RowType.OMS)) {
      writer.writePayload(first, 0, first.length);
      writer.writePayload(second, 0, second.length);
      assertThat(writer.rowsWritten()).isEqualTo(3);
    }

    assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo("""
        [
        {"num_obitos": 12, "populacao": 4000, "cep": 11, "num_recuperados": 3, \
        "num_vacinados": 900, "data": "01-12-2026"},
        {"num_obitos": 0, "populacao": 0, "cep": 0, "num_recuperados": 0, \
        "num_vacinados": 0, "data": ""},
        {"num_obitos": -5, "populacao": 2147483647, "cep": 30, "num_recuperados": -2147483648, \
        "num_vacinados": 1, "data": "São \\"Tomé\\" \\\\ a/b\\n\\t\\u0001 😀"}
        ]""");
  }

  @Test
  void hospitalRows_matchGoldenText() throws IOException {
    Path file = directory.resolve("hospital.json");
    byte[] payload = RowCodec.encode(List.of(
        new Row.Hospital(7, "02-12-2026", 1, 64, 0, 11003, 1, 0, 1, 0),
        new Row.Hospital(0, "", 0, 0, 0, 0, 0, 0, 0, 0)));

    try (JsonHandoffWriter writer = JsonHandoffWriter.open(file, RowType.HOSPITAL)) {
      writer.writePayload(payload, 0, payload.length);
    }

    assertThat(Files.readString(file)).isEqualTo("""
        [
        {"id_hospital": 7, "data": "02-12-2026", "internado": 1, "idade": 64, "sexo": 0, \
        "cep": 11003, "sintoma1": 1, "sintoma2": 0, "sintoma3": 1, "sintoma4": 0},
        {"id_hospital": 0, "data": "", "internado": 0, "idade": 0, "sexo": 0, "cep": 0, \
        "sintoma1": 0, "sintoma2": 0, "sintoma3": 0, "sintoma4": 0}
        ]""");
  }

  @Test
  void secretariaRows_matchGoldenText() throws IOException {
    Path file = directory.resolve("secretaria.json");
    byte[] payload = RowCodec.encode(List.of(
        new Row.Secretaria(1, 1, 30005, 4, 120000, "03-12-2026")));

    try (JsonHandoffWriter writer = JsonHandoffWriter.open(file, RowType.SECRETARIA)) {
      writer.writePayload(payload, 0, payload.length);
    }

    assertThat(Files.readString(file)).isEqualTo("""
        [
        {"diagnostico": 1, "vacinado": 1, "cep": 30005, "escolaridade": 4, \
        "populacao": 120000, "data": "03-12-2026"}
        ]""");
  }

  @Test
  void noRows_giveEmptyArray() throws IOException {
    Path file = directory.resolve("oms.json");

    try (JsonHandoffWriter writer = JsonHandoffWriter.open(file, RowType.OMS)) {
      writer.writePayload(new byte[0], 0, 0);
    }

    assertThat(Files.readString(file)).isEqualTo("[]");
  }

  @Test
  void randomRows_parseBackToSameValues() throws IOException {
    Random random = new Random(7);
    for (RowType type : RowType.values()) {
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        rows.add(randomRow(random, type));
      }
      Path file = directory.resolve(type.name() + ".json");
      byte[] payload = RowCodec.encode(rows);

      try (JsonHandoffWriter writer = JsonHandoffWriter.open(file, type)) {
        writer.writePayload(payload, 0, payload.length);
      }

      assertThat(parseObjects(file)).as(type.name()).isEqualTo(expectedObjects(rows));
    }
  }

  @Test
  void writePayload_skipsUtf8CheckButEscapes() throws IOException {
    Path file = directory.resolve("oms.json");
    byte[] payload = RowCodec.encode(List.of(new Row.Oms(1, 2, 3, 4, 5, "\"\u0001x")));
    payload[payload.length - 1] = (byte) 0xff;

    try (JsonHandoffWriter writer = JsonHandoffWriter.open(file, RowType.OMS)) {
      writer.writePayload(payload, 0, payload.length);
    }

    byte[] expectedEnd = {'"', '\\', '"', '\\', 'u', '0', '0', '0', '1', (byte) 0xff, '"', '}',
        '\n', ']'};
    byte[] written = Files.readAllBytes(file);
    assertThat(Arrays.copyOfRange(written, written.length - expectedEnd.length, written.length))
        .isEqualTo(expectedEnd);
  }

  @Test
  void open_writesOnlyTemporaryFileUntilClose() throws IOException {
    Path file = directory.resolve("oms.json");
    byte[] payload = RowCodec.encode(List.of(new Row.Oms(1, 2, 3, 4, 5, "d")));

    JsonHandoffWriter writer = JsonHandoffWriter.open(file, RowType.OMS);
    writer.writePayload(payload, 0, payload.length);

    assertThat(file).doesNotExist();
    assertThat(directory.resolve("oms.json.tmp")).exists();
    writer.close();
    assertThat(file).exists();
    assertThat(directory.resolve("oms.json.tmp")).doesNotExist();
  }

  @Test
  void close_replacesEarlierFile() throws IOException {
    Path file = directory.resolve("oms.json");
    Files.writeString(file, "old");

    JsonHandoffWriter.open(file, RowType.OMS).close();

    assertThat(Files.readString(file)).isEqualTo("[]");
  }

  @Test
  void abort_keepsEarlierFileAndDeletesTemporary() throws IOException {
    Path file = directory.resolve("oms.json");
    Files.writeString(file, "old");
    byte[] payload = RowCodec.encode(List.of(new Row.Oms(1, 2, 3, 4, 5, "d")));

    JsonHandoffWriter writer = JsonHandoffWriter.open(file, RowType.OMS);
    writer.writePayload(payload, 0, payload.length);
    writer.abort();
    writer.close();

    assertThat(Files.readString(file)).isEqualTo("old");
    assertThat(directory.resolve("oms.json.tmp")).doesNotExist();
  }

  @Test
  void writePayload_rowOfOtherTypeFailsWriter() throws IOException {
    Path file = directory.resolve("oms.json");
    byte[] payload = RowCodec.encode(List.of(new Row.Oms(1, 2, 3, 4, 5, "d"),
        new Row.Hospital(1, "d", 0, 0, 0, 0, 0, 0, 0, 0)));
    JsonHandoffWriter writer = JsonHandoffWriter.open(file, RowType.OMS);

    assertThatThrownBy(() -> writer.writePayload(payload, 0, payload.length))
        .isInstanceOfSatisfying(EtlException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessage("row 1 of the payload for oms.json is a linha_hospital; oms.json takes only"
            + " linha_oms rows");
    assertThatThrownBy(writer::close)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("was not written because an earlier payload failed");
    assertThat(file).doesNotExist();
    assertThat(directory.resolve("oms.json.tmp")).doesNotExist();
    assertThatThrownBy(() -> writer.writePayload(new byte[0], 0, 0))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void writeRound_writesEverySourceInArrivalOrder() throws IOException {
    Row.Oms oms1 = new Row.Oms(1, 10, 11, 0, 0, "01-01-2026");
    Row.Oms oms2 = new Row.Oms(2, 20, 12, 0, 0, "02-01-2026");
    Row.Hospital hospital = new Row.Hospital(5, "03-01-2026", 1, 30, 1, 12001, 0, 0, 0, 1);
    try (InMemoryRoundStore store = new InMemoryRoundStore()) {
      append(store, "r1", "oms", oms1);
      append(store, "r1", "hospital", hospital);
      append(store, "r1", "oms", oms2);
      Path roundDirectory = directory.resolve("rounds").resolve("r1");

      Map<String, Path> files = JsonHandoffWriter.writeRound(store, "r1", roundDirectory,
          List.of("oms", "secretaria", "hospital"), SourceCatalog.defaults());

      assertThat(files.keySet()).containsExactly("oms", "secretaria", "hospital");
      assertThat(files.get("oms")).isEqualTo(roundDirectory.resolve("oms.json"));
      assertThat(parseObjects(files.get("oms"))).isEqualTo(expectedObjects(List.of(oms1, oms2)));
      assertThat(parseObjects(files.get("hospital")))
          .isEqualTo(expectedObjects(List.of(hospital)));
      assertThat(Files.readString(files.get("secretaria"))).isEqualTo("[]");
      try (var listing = Files.list(roundDirectory)) {
        assertThat(listing.map(path -> path.getFileName().toString()))
            .containsExactlyInAnyOrder("oms.json", "secretaria.json", "hospital.json");
      }
    }
  }

  @Test
  void writeRound_batchOfUnlistedSourceFails() throws IOException {
    try (InMemoryRoundStore store = new InMemoryRoundStore()) {
      append(store, "r1", "oms", new Row.Oms(1, 2, 3, 4, 5, ""));
      append(store, "r1", "secretaria", new Row.Secretaria(1, 2, 3, 4, 5, ""));

      assertThatThrownBy(() -> JsonHandoffWriter.writeRound(store, "r1", directory,
          List.of("oms"), SourceCatalog.defaults()))
          .isInstanceOf(EtlException.class)
          .hasMessage("Round r1 has a batch of source 'secretaria', which is not among the"
              + " hand-off sources [oms]; include it in the sources");
      try (var listing = Files.list(directory)) {
        assertThat(listing).isEmpty();
      }
    }
  }

  @Test
  void writeRound_unsafeSourceNameRejected() {
    Map<String, RowType> types = new LinkedHashMap<>();
    types.put("../oms", RowType.OMS);
    SourceCatalog catalog = SourceCatalog.of(types, List.of("../oms"));
    try (InMemoryRoundStore store = new InMemoryRoundStore()) {
      assertThatThrownBy(() -> JsonHandoffWriter.writeRound(store, "r1", directory,
          List.of("../oms"), catalog))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'../oms' cannot be used as a hand-off file name");
    }
  }

  private static void append(InMemoryRoundStore store, String roundId, String source, Row row) {
    byte[] payload = RowCodec.encode(List.of(row));
    store.append(roundId, "", new StoredBatch(source, source + ".csv", "", 1, payload, 0,
        payload.length), 1_000);
  }

  /** Reads a hand-off file back as one ordered map of key to value per object. */
  private static List<Map<String, Object>> parseObjects(Path file) throws IOException {
    List<Map<String, Object>> objects = new ArrayList<>();
    try (JsonParser parser = new JsonFactory().createParser(file.toFile())) {
      assertThat(parser.nextToken()).isEqualTo(JsonToken.START_ARRAY);
      while (parser.nextToken() == JsonToken.START_OBJECT) {
        Map<String, Object> object = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          JsonToken value = parser.nextToken();
          object.put(key, value == JsonToken.VALUE_NUMBER_INT ? parser.getIntValue()
              : parser.getText());
        }
        objects.add(object);
      }
      assertThat(parser.currentToken()).isEqualTo(JsonToken.END_ARRAY);
      assertThat(parser.nextToken()).isNull();
    }
    return objects;
  }

  /** Builds what {@link #parseObjects} should return for {@code rows}, key order included. */
  private static List<Map<String, Object>> expectedObjects(List<? extends Row> rows) {
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Row row : rows) {
      Map<String, Object> object = new LinkedHashMap<>();
      if (row instanceof Row.Oms r) {
        object.put("num_obitos", r.numObitos());
        object.put("populacao", r.populacao());
        object.put("cep", r.cep());
        object.put("num_recuperados", r.numRecuperados());
        object.put("num_vacinados", r.numVacinados());
        object.put("data", r.data());
      } else if (row instanceof Row.Hospital r) {
        object.put("id_hospital", r.idHospital());
        object.put("data", r.data());
        object.put("internado", r.internado());
        object.put("idade", r.idade());
        object.put("sexo", r.sexo());
        object.put("cep", r.cep());
        object.put("sintoma1", r.sintoma1());
        object.put("sintoma2", r.sintoma2());
        object.put("sintoma3", r.sintoma3());
        object.put("sintoma4", r.sintoma4());
      } else if (row instanceof Row.Secretaria r) {
        object.put("diagnostico", r.diagnostico());
        object.put("vacinado", r.vacinado());
        object.put("cep", r.cep());
        object.put("escolaridade", r.escolaridade());
        object.put("populacao", r.populacao());
        object.put("data", r.data());
      }
      objects.add(object);
    }
    return objects;
  }

  private static Row randomRow(Random random, RowType type) {
    int[] v = new int[9];
    for (int i = 0; i < v.length; i++) {
      v[i] = random.nextInt(4) == 0 ? 0 : random.nextInt();
    }
    String text = randomText(random);
    return switch (type) {
      case OMS -> new Row.Oms(v[0], v[1], v[2], v[3], v[4], text);
      case HOSPITAL -> new Row.Hospital(v[0], text, v[1], v[2], v[3], v[4], v[5], v[6], v[7],
          v[8]);
      case SECRETARIA -> new Row.Secretaria(v[0], v[1], v[2], v[3], v[4], text);
    };
  }

  /** Random text over ASCII controls, quotes, backslashes and characters of 2 to 4 bytes. */
  private static String randomText(Random random) {
    String alphabet = "aZ09 \"\\/\n\r\t\u0000\u001f\u007féãç€\u2028";
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(12);
    for (int i = 0; i < length; i++) {
      if (random.nextInt(10) == 0) {
        text.appendCodePoint(0x1F600 + random.nextInt(50));
      } else {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
    }
    return text.toString();
  }
}
