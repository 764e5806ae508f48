package io.github.etlrpc.core.engine;

import io.github.etlrpc.api.Batch;
import io.github.etlrpc.api.Row;
import io.github.etlrpc.core.RowCodec;
import java.util.ArrayList;
import java.util.List;

/** Builds batches whose rows carry a marker, so tests can trace every row to its round. */
final class TestRows {
  private TestRows() {}

  static Batch batch(String origin, String key, int firstMarker, int count) {
    return batchWithSendId(origin, key, "", firstMarker, count);
  }

  static Batch batchWithSendId(String origin, String key, String sendId, int firstMarker,
      int count) {
    List<Row> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      rows.add(row(origin.trim().toLowerCase(java.util.Locale.ROOT), firstMarker + i));
    }
    return Batch.newBuilder(origin)
        .fileName(origin + "-" + firstMarker + ".csv")
        .roundKey(key)
        .sendId(sendId)
        .payload(RowCodec.encode(rows))
        .build();
  }

  /** A row of the given source whose first field is the marker. */
  static Row row(String source, int marker) {
    return switch (source) {
      case "oms" -> new Row.Oms(marker, 4000, 11, 3, 900, "01-12-2026");
      case "hospital" -> new Row.Hospital(marker, "01-12-2026", 1, 40, 0, 11001, 1, 0, 0, 1);
      case "secretaria" -> new Row.Secretaria(marker, 1, 12002, 3, 5000, "02-12-2026");
      default -> throw new IllegalArgumentException(source);
    };
  }

  /** The marker of a row built by {@link #row}. */
  static int marker(Row row) {
    if (row instanceof Row.Oms oms) {
      return oms.numObitos();
    }
    if (row instanceof Row.Hospital hospital) {
      return hospital.idHospital();
    }
    return ((Row.Secretaria) row).diagnostico();
  }
}
