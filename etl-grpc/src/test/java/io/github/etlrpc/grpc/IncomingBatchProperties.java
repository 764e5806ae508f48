package io.github.etlrpc.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.github.etlrpc.api.Batch;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.Linha;
import io.github.etlrpc.grpc.proto.LinhaHospital;
import io.github.etlrpc.grpc.proto.LinhaOMS;
import io.github.etlrpc.grpc.proto.LinhaSecretaria;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Compares the scanner with the generated protobuf code on random requests. */
class IncomingBatchProperties {

  @Property(tries = 200)
  void payloadMatchesGeneratedEncoding(@ForAll("requests") DadosRequest request)
      throws InvalidProtocolBufferException {
    byte[] message = request.toByteArray();

    IncomingBatch incoming = IncomingBatch.parse(message);
    Batch batch = incoming.toBatch();
    byte[] payload = IncomingBatchTest.payloadOf(batch);

    assertThat(incoming.origin()).isEqualTo(request.getOrigem());
    assertThat(incoming.fileName()).isEqualTo(request.getNomeArquivo());
    assertThat(incoming.roundKey()).isEqualTo(request.getRodada());
    assertThat(incoming.sendId()).isEqualTo(request.getIdEnvio());
    assertThat(incoming.rowCount()).isEqualTo(request.getDadosCount());
    assertThat(payload).isEqualTo(
        DadosRequest.newBuilder().addAllDados(request.getDadosList()).build().toByteArray());
    assertThat(DadosRequest.parseFrom(payload).getDadosList()).isEqualTo(request.getDadosList());
  }

  @Provide
  Arbitrary<DadosRequest> requests() {
    Arbitrary<String> text = Arbitraries.strings().ofMaxLength(40);
    Arbitrary<List<Linha>> rows = row().list().ofMaxSize(30);
    return Combinators.combine(text, text, text, text, rows)
        .as((origem, file, rodada, idEnvio, dados) -> DadosRequest.newBuilder()
            .setOrigem(origem)
            .setNomeArquivo(file)
            .setRodada(rodada)
            .setIdEnvio(idEnvio)
            .addAllDados(dados)
            .build());
  }

  private static Arbitrary<Linha> row() {
    Arbitrary<Integer> number = Arbitraries.integers();
    Arbitrary<String> date = Arbitraries.strings().ofMaxLength(12);
    Arbitrary<Linha> oms = Combinators.combine(number, number, number, date)
        .as((a, b, c, d) -> Linha.newBuilder().setLinhaOms(LinhaOMS.newBuilder()
            .setNumObitos(a).setPopulacao(b).setCep(c).setNumRecuperados(a ^ b)
            .setNumVacinados(c).setData(d)).build());
    Arbitrary<Linha> hospital = Combinators.combine(number, number, number, date)
        .as((a, b, c, d) -> Linha.newBuilder().setLinhaHospital(LinhaHospital.newBuilder()
            .setIdHospital(a).setData(d).setInternado(b & 1).setIdade(c).setCep(a ^ c)
            .setSintoma4(b)).build());
    Arbitrary<Linha> secretaria = Combinators.combine(number, number, number, date)
        .as((a, b, c, d) -> Linha.newBuilder().setLinhaSecretaria(LinhaSecretaria.newBuilder()
            .setDiagnostico(a).setVacinado(b).setCep(c).setPopulacao(a ^ b).setData(d)).build());
    return Arbitraries.oneOf(oms, hospital, secretaria, Arbitraries.just(
        Linha.getDefaultInstance()));
  }
}
