package io.github.etlrpc.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.github.etlrpc.api.RowType;
import io.github.etlrpc.examples.FileSizes;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.Linha;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadWorkloadTest {
  private static final FileSizes SMALL = new FileSizes(40, 10, 20, 60);

  @Test
  void generate_sizesAndOrderPerRound() throws InvalidProtocolBufferException {
    LoadWorkload workload = LoadWorkload.generate(3, 2, SMALL, 5);

    assertThat(workload.clients()).isEqualTo(3);
    for (int client = 1; client <= 3; client++) {
      for (int round = 1; round <= 2; round++) {
        List<LoadWorkload.File> files = workload.round(client, round);
        assertThat(files).extracting(LoadWorkload.File::type)
            .containsExactly(RowType.OMS, RowType.HOSPITAL, RowType.SECRETARIA);
        assertThat(files.get(0).rows()).isEqualTo(40);
        assertThat(files.get(1).rows()).isBetween(10, 20);
        assertThat(files.get(2).rows()).isEqualTo(60);
        for (LoadWorkload.File file : files) {
          assertThat(DadosRequest.parseFrom(file.body()).getDadosCount()).isEqualTo(file.rows());
        }
      }
    }
  }

  @Test
  void round_pastGeneratedRoundsWrapsAround() {
    LoadWorkload workload = LoadWorkload.generate(1, 2, SMALL, 5);

    assertThat(workload.round(1, 3)).isEqualTo(workload.round(1, 1));
    assertThat(workload.round(1, 4)).isEqualTo(workload.round(1, 2));
  }

  @Test
  void generate_sameSeedSameBytes() {
    LoadWorkload first = LoadWorkload.generate(2, 1, SMALL, 11);
    LoadWorkload second = LoadWorkload.generate(2, 1, SMALL, 11);

    assertThat(second.round(2, 1).get(1).body()).isEqualTo(first.round(2, 1).get(1).body());
  }

  @Test
  void message_appendsRoundKeyAndSendId() throws InvalidProtocolBufferException {
    LoadWorkload.File file = LoadWorkload.generate(1, 1, SMALL, 3).round(1, 1).get(2);
    DadosRequest body = DadosRequest.parseFrom(file.body());

    DadosRequest message = DadosRequest.parseFrom(
        LoadWorkload.message(file, "lg-key-c1-r1", "lg-key-c1-r1-secretaria"));

    assertThat(message.getRodada()).isEqualTo("lg-key-c1-r1");
    assertThat(message.getIdEnvio()).isEqualTo("lg-key-c1-r1-secretaria");
    assertThat(message.getOrigem()).isEqualTo(body.getOrigem());
    assertThat(message.getNomeArquivo()).isEqualTo(body.getNomeArquivo());
    assertThat(message.getDadosList()).isEqualTo(body.getDadosList());
    assertThat(message.getDadosList()).extracting(Linha::getLinhaCase)
        .containsOnly(Linha.LinhaCase.LINHA_SECRETARIA);
  }
}
