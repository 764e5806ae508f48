package io.github.etlrpc.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.etlrpc.grpc.EtlServiceDescriptors;
import io.github.etlrpc.grpc.proto.ConsultaRodada;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BareEtlServiceTest {
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void startServer() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new BareEtlService()).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stopServer() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void enviarDados_acknowledgesEveryRow() {
    List<DadosRequest> round = BenchRequests.oneRound(250, 7);

    for (DadosRequest request : round) {
      DadosResponse response = EtlServiceDescriptors.newBlockingStub(channel).enviarDados(request);

      String source = request.getOrigem().toLowerCase(java.util.Locale.ROOT);
      assertThat(response.getMensagem()).isEqualTo("Recebido 250 registros do tipo " + source
          + ".");
      assertThat(response.getRegistros()).isEqualTo(250);
      assertThat(response.getRodadaId()).isEmpty();
    }
  }

  @Test
  void enviarDados_malformedBytesInvalidArgument() {
    MethodDescriptor<byte[], DadosResponse> raw = EtlServiceDescriptors.ENVIAR_DADOS.toBuilder(
        new BareEtlService.BytesMarshaller(),
        EtlServiceDescriptors.ENVIAR_DADOS.getResponseMarshaller()).build();
    // Field 3, length-delimited, announcing 100 bytes that never come.
    byte[] truncated = {0x1A, 100, 0x0A};

    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT,
        truncated))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("3 bytes is malformed");
        });
  }

  @Test
  void consultarRodada_unimplemented() {
    ConsultaRodada query = ConsultaRodada.newBuilder().setRodadaId("r-1").build();

    assertThatThrownBy(() -> EtlServiceDescriptors.newBlockingStub(channel).consultarRodada(query))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
  }
}
