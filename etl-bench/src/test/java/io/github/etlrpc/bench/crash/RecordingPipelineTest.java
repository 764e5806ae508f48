package io.github.etlrpc.bench.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.etlrpc.api.RowType;
import io.github.etlrpc.core.handoff.JsonHandoffWriter;
import io.github.etlrpc.grpc.proto.DadosRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recording pipeline on hand-off files written by the engine's own JSON writer from the
 * bytes a client sends, and on damaged files.
 */
class RecordingPipelineTest {
  @TempDir Path directory;

  @Test
  void record_handoffFiles_listsEveryMarkerInOrder() throws IOException {
    Map<MarkerSource, Path> files = new EnumMap<>(MarkerSource.class);
    files.put(MarkerSource.OMS, handoff(MarkerSource.OMS, 1, 40));
    files.put(MarkerSource.SECRETARIA, handoff(MarkerSource.SECRETARIA, 40, 45));
    files.put(MarkerSource.HOSPITAL, handoff(MarkerSource.HOSPITAL, 45, 45));

    LedgerEntry entry = RecordingPipeline.record("round-1", 2, 10, files);

    assertThat(entry.markersOf(MarkerSource.OMS)).containsExactly(range(1, 40));
    assertThat(entry.markersOf(MarkerSource.SECRETARIA)).containsExactly(range(40, 45));
    assertThat(entry.markersOf(MarkerSource.HOSPITAL)).isEmpty();
    assertThat(entry.corruptRows()).isZero();
    assertThat(entry.roundId()).isEqualTo("round-1");
    assertThat(entry.attempt()).isEqualTo(2);
  }

  @Test
  void read_fieldNotMatchingMarker_countsCorruptRow() throws IOException {
    Path file = directory.resolve("oms.json");
    Files.writeString(file, "[" + omsJson(7, 11 + 7 % 20) + ",\n" + omsJson(8, 12) + "]",
        StandardCharsets.UTF_8);

    RecordingPipeline.FileContents contents = RecordingPipeline.read(file, MarkerSource.OMS);

    assertThat(contents.markers()).containsExactly(7, 8);
    assertThat(contents.corruptRows()).isEqualTo(1);
    assertThat(contents.corruptExample()).contains("row 1").contains("cep is 12");
  }

  @Test
  void read_missingKey_countsCorruptRow() throws IOException {
    Path file = directory.resolve("oms.json");
    Files.writeString(file, "[{\"num_obitos\": 5, \"data\": \"06-01-2026\"}]",
        StandardCharsets.UTF_8);

    RecordingPipeline.FileContents contents = RecordingPipeline.read(file, MarkerSource.OMS);

    assertThat(contents.markers()).containsExactly(5);
    assertThat(contents.corruptExample()).contains("no populacao key");
  }

  @Test
  void read_notAnArray_throws() throws IOException {
    Path file = directory.resolve("hospital.json");
    Files.writeString(file, "{\"id_hospital\": 1}", StandardCharsets.UTF_8);

    assertThatThrownBy(() -> RecordingPipeline.read(file, MarkerSource.HOSPITAL))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not start with a JSON array");
  }

  @Test
  void read_truncatedFile_throws() throws IOException {
    Path file = directory.resolve("oms.json");
    Files.writeString(file, "[" + omsJson(7, 18), StandardCharsets.UTF_8);

    assertThatThrownBy(() -> RecordingPipeline.read(file, MarkerSource.OMS))
        .isInstanceOf(IOException.class);
  }

  @Test
  void ledger_writeThenRead_returnsSameEntry() throws IOException {
    Map<MarkerSource, int[]> markers = new EnumMap<>(MarkerSource.class);
    markers.put(MarkerSource.OMS, new int[] {3, 1, 2});
    markers.put(MarkerSource.HOSPITAL, new int[0]);
    markers.put(MarkerSource.SECRETARIA, new int[] {9});
    LedgerEntry written = new LedgerEntry("20261204T160714924Z-440579c6-3", 4, 123, 1_000,
        2_000, 1, "oms.json row 0: cep is 1", markers);

    Path file = Ledger.write(directory, written);
    List<LedgerEntry> read = Ledger.readAll(directory);

    assertThat(file.getFileName().toString())
        .isEqualTo("20261204T160714924Z-440579c6-3-2000.txt");
    assertThat(read).hasSize(1);
    LedgerEntry entry = read.get(0);
    assertThat(entry.roundId()).isEqualTo(written.roundId());
    assertThat(entry.attempt()).isEqualTo(4);
    assertThat(entry.pid()).isEqualTo(123);
    assertThat(entry.startedNanos()).isEqualTo(1_000);
    assertThat(entry.writtenNanos()).isEqualTo(2_000);
    assertThat(entry.corruptRows()).isEqualTo(1);
    assertThat(entry.corruptExample()).isEqualTo("oms.json row 0: cep is 1");
    assertThat(entry.markersOf(MarkerSource.OMS)).containsExactly(3, 1, 2);
    assertThat(entry.markersOf(MarkerSource.HOSPITAL)).isEmpty();
    assertThat(entry.markersOf(MarkerSource.SECRETARIA)).containsExactly(9);
  }

  @Test
  void ledger_incompleteFile_throws() throws IOException {
    Files.writeString(directory.resolve("r-1.txt"), "round r\nattempt 1\n",
        StandardCharsets.UTF_8);

    assertThatThrownBy(() -> Ledger.readAll(directory))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("r-1.txt");
  }

  @Test
  void ledger_temporaryFile_isIgnored() throws IOException {
    Files.writeString(directory.resolve(".r-1.tmp"), "round r\n", StandardCharsets.UTF_8);

    assertThat(Ledger.readAll(directory)).isEmpty();
  }

  /** Writes markers {@code from} to {@code to - 1} the way the server does: proto bytes, JSON. */
  private Path handoff(MarkerSource source, int from, int to) throws IOException {
    DadosRequest.Builder request = DadosRequest.newBuilder();
    for (int marker = from; marker < to; marker++) {
      request.addDados(source.row(marker));
    }
    byte[] payload = request.build().toByteArray();
    Path file = directory.resolve(source.source() + ".json");
    try (JsonHandoffWriter writer = JsonHandoffWriter.open(file, RowType.valueOf(source.name()))) {
      writer.writePayload(payload, 0, payload.length);
    }
    return file;
  }

  private static String omsJson(int marker, int cep) {
    int[] v = MarkerSource.OMS.expectedInts(marker);
    return "{\"num_obitos\": " + v[0] + ", \"populacao\": " + v[1] + ", \"cep\": " + cep
        + ", \"num_recuperados\": " + v[3] + ", \"num_vacinados\": " + v[4] + ", \"data\": \""
        + MarkerSource.expectedDate(marker) + "\"}";
  }

  private static int[] range(int fromInclusive, int toExclusive) {
    return IntStream.range(fromInclusive, toExclusive).toArray();
  }
}
