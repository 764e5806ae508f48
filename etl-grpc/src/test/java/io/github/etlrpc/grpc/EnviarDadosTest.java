package io.github.etlrpc.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.github.etlrpc.grpc.proto.EstadoRodada;
import io.github.etlrpc.grpc.proto.Linha;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnviarDadosTest {
  @TempDir Path workDirectory;
  private InProcessFixture fixture;

  @AfterEach
  void closeFixture() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void enviarDados_mixedCaseOriginsFillOneRound() throws Exception {
    fixture = InProcessFixture.start(workDirectory);

    DadosResponse oms = fixture.client.send(TestRows.request("OMS", TestRows.oms(10)));
    DadosResponse hospital =
        fixture.client.send(TestRows.request("Hospital", TestRows.hospital(7)));

    assertThat(oms.getMensagem()).startsWith("Recebido 10 registros do tipo oms. ");
    assertThat(oms.getMensagem()).contains(oms.getRodadaId());
    assertThat(oms.getRegistros()).isEqualTo(10);
    assertThat(oms.getEstado()).isEqualTo(EstadoRodada.ABERTA);
    assertThat(oms.getDuplicado()).isFalse();
    assertThat(hospital.getMensagem()).startsWith("Recebido 7 registros do tipo hospital. ");
    assertThat(hospital.getRodadaId()).isEqualTo(oms.getRodadaId());
    assertThat(hospital.getEstado()).isEqualTo(EstadoRodada.ABERTA);
  }

  @Test
  void enviarDados_completeRoundSeals() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    fixture.client.send(TestRows.request("oms", TestRows.oms(3)));
    fixture.client.send(TestRows.request("hospital", TestRows.hospital(4)));

    DadosResponse sealing =
        fixture.client.send(TestRows.request(" SECRETARIA ", TestRows.secretaria(5)));
    DadosResponse next = fixture.client.send(TestRows.request("oms", TestRows.oms(2)));

    assertThat(sealing.getMensagem()).startsWith("Recebido 5 registros do tipo secretaria. ");
    assertThat(sealing.getEstado().getNumber())
        .isGreaterThanOrEqualTo(EstadoRodada.FECHADA.getNumber());
    assertThat(next.getRodadaId()).isNotEqualTo(sealing.getRodadaId());
    assertThat(next.getEstado()).isEqualTo(EstadoRodada.ABERTA);
    RoundInfo sealed = fixture.engine.settled(sealing.getRodadaId()).get();
    assertThat(sealed.state()).isEqualTo(RoundState.CONCLUIDA);
    assertThat(fixture.pipeline.rowsByRound.get(sealing.getRodadaId()))
        .containsExactlyInAnyOrderEntriesOf(
            java.util.Map.of("oms", 3L, "hospital", 4L, "secretaria", 5L));
  }

  @Test
  void enviarDados_repeatedSendIdIsDuplicate() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    DadosRequest request =
        TestRows.request("oms", TestRows.oms(4)).toBuilder().setIdEnvio("send-1").build();

    DadosResponse first = fixture.client.send(request);
    DadosResponse second = fixture.client.send(request);

    assertThat(first.getDuplicado()).isFalse();
    assertThat(second.getDuplicado()).isTrue();
    assertThat(second.getRodadaId()).isEqualTo(first.getRodadaId());
    assertThat(fixture.engine.round(first.getRodadaId()).orElseThrow().rowsBySource())
        .containsEntry("oms", 4L);
  }

  @Test
  void enviarDados_unknownOriginIsInvalidArgument() throws Exception {
    fixture = InProcessFixture.start(workDirectory);

    assertRejected(TestRows.request("laboratorio", TestRows.oms(2)),
        Status.Code.INVALID_ARGUMENT, "'laboratorio'");
  }

  @Test
  void enviarDados_mismatchedRowTypeNamesRowIndex() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    List<Linha> rows = new ArrayList<>(TestRows.oms(3));
    rows.set(2, TestRows.hospital(1).get(0));

    StatusRuntimeException e =
        assertRejected(TestRows.request("oms", rows), Status.Code.INVALID_ARGUMENT, "row 2");

    assertThat(e.getStatus().getDescription()).contains("linha_hospital");
  }

  @Test
  void enviarDados_emptyOneofIsInvalidArgument() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    List<Linha> rows = new ArrayList<>(TestRows.secretaria(2));
    rows.add(Linha.getDefaultInstance());

    assertRejected(TestRows.request("secretaria", rows), Status.Code.INVALID_ARGUMENT,
        "empty oneof");
  }

  @Test
  void enviarDados_malformedBytesIsInvalidArgument() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    MethodDescriptor<byte[], DadosResponse> rawMethod =
        EtlServiceDescriptors.ENVIAR_DADOS_RAW.toBuilder().build();
    byte[] valid = TestRows.request("oms", TestRows.oms(3)).toByteArray();
    byte[] truncated = java.util.Arrays.copyOf(valid, valid.length - 5);

    assertThatThrownBy(() ->
        ClientCalls.blockingUnaryCall(fixture.channel, rawMethod, CallOptions.DEFAULT, truncated))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription())
              .startsWith("Malformed DadosRequest of " + truncated.length + " bytes");
        });
    assertThat(fixture.allRounds()).isEmpty();
  }

  @Test
  void enviarDados_longFileNameIsInvalidArgument() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    DadosRequest request = TestRows.request("oms", TestRows.oms(1)).toBuilder()
        .setNomeArquivo("a".repeat(256))
        .build();

    StatusRuntimeException e = assertRejected(request, Status.Code.INVALID_ARGUMENT, "256");

    assertThat(e.getStatus().getDescription()).contains("255");
  }

  @Test
  void enviarDados_tooManyRowsIsResourceExhausted() throws Exception {
    fixture = InProcessFixture.start(workDirectory, RecordingPipeline.open(),
        options -> options.maxRowsPerBatch(5));

    StatusRuntimeException e = assertRejected(TestRows.request("oms", TestRows.oms(6)),
        Status.Code.RESOURCE_EXHAUSTED, "6 rows");

    assertThat(e.getStatus().getDescription()).contains("limit of 5");
  }

  @Test
  void enviarDados_disallowedOriginIsPermissionDenied() throws Exception {
    fixture = InProcessFixture.start(workDirectory, RecordingPipeline.open(), options -> {},
        allowOrigins(Set.of("oms")));

    DadosResponse allowed = fixture.client.send(TestRows.request("OMS", TestRows.oms(1)));
    assertThatThrownBy(() ->
        fixture.client.send(TestRows.request("Hospital", TestRows.hospital(1))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).contains("'hospital'");
        });

    assertThat(allowed.getRegistros()).isEqualTo(1);
    assertThat(fixture.engine.round(allowed.getRodadaId()).orElseThrow().rowsBySource())
        .containsOnlyKeys("oms");
  }

  @Test
  void enviarDados_cancelledBeforeSubmitStoresNothing() throws Exception {
    fixture = InProcessFixture.start(workDirectory, RecordingPipeline.open(), options -> {},
        new CancelBeforeHandler());

    assertThatThrownBy(() -> fixture.client.send(TestRows.request("oms", TestRows.oms(2))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED));

    assertThat(fixture.allRounds()).isEmpty();
  }

  @Test
  void enviarDados_waitForPipelineReturnsConcluida() throws Exception {
    fixture = InProcessFixture.start(workDirectory, RecordingPipeline.open(),
        options -> options.waitForPipeline(Duration.ofSeconds(30)));
    fixture.client.send(TestRows.request("oms", TestRows.oms(1)));
    fixture.client.send(TestRows.request("hospital", TestRows.hospital(1)));

    DadosResponse sealing = fixture.client.send(TestRows.request("secretaria",
        TestRows.secretaria(1)));

    assertThat(sealing.getEstado()).isEqualTo(EstadoRodada.CONCLUIDA);
    assertThat(sealing.getMensagem())
        .startsWith("Recebido 1 registros do tipo secretaria. ")
        .endsWith("Pipeline da rodada terminou em CONCLUIDA.");
  }

  @Test
  void enviarDados_waitTimeoutReportsCurrentState() throws Exception {
    RecordingPipeline gated = RecordingPipeline.gated();
    fixture = InProcessFixture.start(workDirectory, gated,
        options -> options.waitForPipeline(Duration.ofMillis(200)));
    fixture.client.send(TestRows.request("oms", TestRows.oms(1)));
    fixture.client.send(TestRows.request("hospital", TestRows.hospital(1)));

    DadosResponse sealing = fixture.client.send(TestRows.request("secretaria",
        TestRows.secretaria(1)));

    assertThat(sealing.getEstado()).isIn(EstadoRodada.FECHADA, EstadoRodada.EXECUTANDO);
    assertThat(sealing.getMensagem()).contains("Pipeline da rodada ainda em");
    gated.openGate();
    assertThat(fixture.engine.settled(sealing.getRodadaId()).get().state())
        .isEqualTo(RoundState.CONCLUIDA);
  }

  private StatusRuntimeException assertRejected(DadosRequest request, Status.Code code,
      String descriptionPart) {
    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
        StatusRuntimeException.class, () -> fixture.client.send(request));
    assertThat(e.getStatus().getCode()).isEqualTo(code);
    assertThat(e.getStatus().getDescription()).contains(descriptionPart);
    assertThat(fixture.allRounds()).isEmpty();
    return e;
  }

  /** Sets {@link EtlGrpcService#ALLOWED_ORIGINS} the way an authentication interceptor does. */
  static ServerInterceptor allowOrigins(Set<String> origins) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
          Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        Context context = Context.current().withValue(EtlGrpcService.ALLOWED_ORIGINS, origins);
        return Contexts.interceptCall(context, call, headers, next);
      }
    };
  }

  /** Cancels each call's context before the handler runs, as a client cancel can race it. */
  private static final class CancelBeforeHandler implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
        Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      Context.CancellableContext context = Context.current().withCancellation();
      context.cancel(null);
      return Contexts.interceptCall(context, call, headers, next);
    }
  }
}
