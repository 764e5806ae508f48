package io.github.etlrpc.bench.crash;

import io.github.etlrpc.grpc.proto.Linha;
import io.github.etlrpc.grpc.proto.LinhaHospital;
import io.github.etlrpc.grpc.proto.LinhaOMS;
import io.github.etlrpc.grpc.proto.LinhaSecretaria;
import java.util.List;

/**
 * The three sources as the crash harness sends them. Every row carries a unique positive marker
 * in one integer field, and every other field is a fixed function of that marker, so the
 * recording pipeline can tell from the JSON hand-off alone which sent row it reads and whether
 * the row arrived intact. Values stay in the ranges real clients send: OMS {@code cep} is an
 * island code 11..30, the other {@code cep} fields are region codes {@code island * 1000 + r}
 * with r in 1..5, flags are 0 or 1 and dates are {@code dd-MM-yyyy}.
 */
enum MarkerSource {
  OMS("oms", "num_obitos",
      List.of("num_obitos", "populacao", "cep", "num_recuperados", "num_vacinados")),
  HOSPITAL("hospital", "id_hospital",
      List.of("id_hospital", "internado", "idade", "sexo", "cep", "sintoma1", "sintoma2",
          "sintoma3", "sintoma4")),
  SECRETARIA("secretaria", "populacao",
      List.of("diagnostico", "vacinado", "cep", "escolaridade", "populacao"));

  /** Key of the only string field, present in every row type. */
  static final String DATE_FIELD = "data";

  private final String source;
  private final String markerField;
  private final List<String> intFields;

  MarkerSource(String source, String markerField, List<String> intFields) {
    this.source = source;
    this.markerField = markerField;
    this.intFields = intFields;
  }

  /** Normalized source name, as in the engine, the hand-off file name and the ledger. */
  String source() {
    return source;
  }

  /** JSON key and proto field that carries the marker. */
  String markerField() {
    return markerField;
  }

  /** Integer fields of the row type, in proto field order. */
  List<String> intFields() {
    return intFields;
  }

  /** Returns the source with this normalized name. */
  static MarkerSource forSource(String source) {
    for (MarkerSource candidate : values()) {
      if (candidate.source.equals(source)) {
        return candidate;
      }
    }
    throw new IllegalArgumentException(
        "Unknown source '" + source + "'; expected oms, hospital or secretaria");
  }

  /**
   * Returns the origin spelled in one of three cases, chosen by {@code variant}, because real
   * clients send {@code oms}, {@code OMS} and {@code Hospital} alike.
   */
  String origin(int variant) {
    return switch (Math.floorMod(variant, 3)) {
      case 0 -> source;
      case 1 -> source.toUpperCase(java.util.Locale.ROOT);
      default -> Character.toUpperCase(source.charAt(0)) + source.substring(1);
    };
  }

  /** Returns the values of {@link #intFields()} of the row that carries {@code marker}. */
  int[] expectedInts(int marker) {
    int island = 11 + marker % 20;
    int region = island * 1000 + 1 + (marker / 20) % 5;
    return switch (this) {
      case OMS -> new int[] {marker, 1_000 + marker % 9_000, island, marker % 97, marker % 501};
      case HOSPITAL -> new int[] {marker, marker & 1, marker % 101, (marker >> 1) & 1, region,
          (marker >> 2) & 1, (marker >> 3) & 1, (marker >> 4) & 1, (marker >> 5) & 1};
      case SECRETARIA -> new int[] {marker & 1, (marker >> 1) & 1, region, marker % 6, marker};
    };
  }

  /** Returns the {@code data} value of the row that carries {@code marker}. */
  static String expectedDate(int marker) {
    int day = 1 + marker % 28;
    int month = 1 + (marker / 28) % 12;
    return String.format("%02d-%02d-2026", day, month);
  }

  /** Builds the row that carries {@code marker}. */
  Linha row(int marker) {
    int[] v = expectedInts(marker);
    String date = expectedDate(marker);
    return switch (this) {
      case OMS -> Linha.newBuilder().setLinhaOms(LinhaOMS.newBuilder()
          .setNumObitos(v[0]).setPopulacao(v[1]).setCep(v[2]).setNumRecuperados(v[3])
          .setNumVacinados(v[4]).setData(date)).build();
      case HOSPITAL -> Linha.newBuilder().setLinhaHospital(LinhaHospital.newBuilder()
          .setIdHospital(v[0]).setData(date).setInternado(v[1]).setIdade(v[2]).setSexo(v[3])
          .setCep(v[4]).setSintoma1(v[5]).setSintoma2(v[6]).setSintoma3(v[7])
          .setSintoma4(v[8])).build();
      case SECRETARIA -> Linha.newBuilder().setLinhaSecretaria(LinhaSecretaria.newBuilder()
          .setDiagnostico(v[0]).setVacinado(v[1]).setCep(v[2]).setEscolaridade(v[3])
          .setPopulacao(v[4]).setData(date)).build();
    };
  }
}
