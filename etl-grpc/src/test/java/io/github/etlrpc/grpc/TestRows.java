package io.github.etlrpc.grpc;

import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.Linha;
import io.github.etlrpc.grpc.proto.LinhaHospital;
import io.github.etlrpc.grpc.proto.LinhaOMS;
import io.github.etlrpc.grpc.proto.LinhaSecretaria;
import java.util.ArrayList;
import java.util.List;

/** Valid rows of each source, with values inside the ranges the wire contract describes. */
final class TestRows {
  private TestRows() {}

  static List<Linha> oms(int count) {
    List<Linha> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      rows.add(Linha.newBuilder().setLinhaOms(LinhaOMS.newBuilder()
          .setNumObitos(i % 9)
          .setPopulacao(4000 + i)
          .setCep(11 + i % 20)
          .setNumRecuperados(i % 4)
          .setNumVacinados(900 + i)
          .setData("01-12-2026")).build());
    }
    return rows;
  }

  static List<Linha> hospital(int count) {
    List<Linha> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      rows.add(Linha.newBuilder().setLinhaHospital(LinhaHospital.newBuilder()
          .setIdHospital(i % 3)
          .setData("02-12-2026")
          .setInternado(i % 2)
          .setIdade(18 + i % 70)
          .setSexo((i + 1) % 2)
          .setCep(regionCode(i))
          .setSintoma1(i % 2)
          .setSintoma3(1)).build());
    }
    return rows;
  }

  static List<Linha> secretaria(int count) {
    List<Linha> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      rows.add(Linha.newBuilder().setLinhaSecretaria(LinhaSecretaria.newBuilder()
          .setDiagnostico(i % 2)
          .setVacinado((i + 1) % 2)
          .setCep(regionCode(i))
          .setEscolaridade(i % 5)
          .setPopulacao(3000 + i)
          .setData("03-12-2026")).build());
    }
    return rows;
  }

  /** Returns {@code count} valid rows for {@code source} (oms, hospital or secretaria). */
  static List<Linha> forSource(String source, int count) {
    return switch (source) {
      case "oms" -> oms(count);
      case "hospital" -> hospital(count);
      case "secretaria" -> secretaria(count);
      default -> throw new IllegalArgumentException("No rows for source " + source);
    };
  }

  static DadosRequest request(String origin, List<Linha> rows) {
    return DadosRequest.newBuilder()
        .setOrigem(origin)
        .setNomeArquivo(origin.toLowerCase() + ".csv")
        .addAllDados(rows)
        .build();
  }

  static DadosRequest request(String origin, List<Linha> rows, String roundKey) {
    return request(origin, rows).toBuilder().setRodada(roundKey).build();
  }

  private static int regionCode(int i) {
    return (11 + i % 20) * 1000 + 1 + i % 5;
  }
}
