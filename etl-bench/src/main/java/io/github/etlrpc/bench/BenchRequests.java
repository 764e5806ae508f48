package io.github.etlrpc.bench;

import io.github.etlrpc.api.Batch;
import io.github.etlrpc.api.RowType;
import io.github.etlrpc.examples.SimulatedSource;
import io.github.etlrpc.grpc.proto.DadosRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pre-built benchmark inputs: one request per source with rows from the examples'
 * {@link SimulatedSource}, so values stay in the ranges real clients send. The same seed gives
 * the same bytes.
 */
public final class BenchRequests {
  /** Send order of a round: once all three have arrived, the default policy seals the round. */
  public static final List<RowType> ROUND_ORDER =
      List.of(RowType.OMS, RowType.HOSPITAL, RowType.SECRETARIA);

  private BenchRequests() {}

  /**
   * Returns one request per source of {@link #ROUND_ORDER}, each with {@code rows} rows, a
   * mixed-case origin and a file name, but no {@code rodada} or {@code id_envio}.
   */
  public static List<DadosRequest> oneRound(int rows, long seed) {
    SimulatedSource source = new SimulatedSource(seed);
    List<DadosRequest> requests = new ArrayList<>(ROUND_ORDER.size());
    for (RowType type : ROUND_ORDER) {
      String name = type.name().toLowerCase(Locale.ROOT) + "_" + rows + ".csv";
      requests.add(source.request(type, name, rows).build());
    }
    return List.copyOf(requests);
  }

  /**
   * Returns the engine payload of {@code request}: the encoding of its {@code dados} field alone,
   * which is what a {@link Batch} carries.
   */
  public static byte[] payload(DadosRequest request) {
    return DadosRequest.newBuilder().addAllDados(request.getDadosList()).build().toByteArray();
  }

  /** Returns a batch with the origin, file name and rows of {@code request}. */
  public static Batch toBatch(DadosRequest request) {
    return Batch.newBuilder(request.getOrigem())
        .fileName(request.getNomeArquivo())
        .payload(payload(request))
        .build();
  }
}
