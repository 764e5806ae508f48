package io.github.etlrpc.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.github.etlrpc.grpc.proto.Linha;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnviarDadosStreamTest {
  @TempDir Path workDirectory;
  private InProcessFixture fixture;

  @AfterEach
  void closeFixture() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void stream_chunksAcceptedAtomicallyOnHalfClose() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    ResponseRecorder<DadosResponse> response = new ResponseRecorder<>();
    StreamObserver<DadosRequest> requests =
        EtlServiceDescriptors.newStub(fixture.channel).enviarDadosStream(response);

    requests.onNext(TestRows.request("Hospital", TestRows.hospital(5), "week-1").toBuilder()
        .setIdEnvio("hospital-file-1").build());
    requests.onNext(DadosRequest.newBuilder().addAllDados(TestRows.hospital(5)).build());
    requests.onNext(DadosRequest.newBuilder().setOrigem("HOSPITAL")
        .addAllDados(TestRows.hospital(6)).build());
    assertThat(fixture.allRounds()).isEmpty();
    requests.onCompleted();

    assertThat(response.awaitClose()).isEqualTo(Status.OK);
    DadosResponse accepted = response.messages.get(0);
    assertThat(accepted.getMensagem()).startsWith("Recebido 16 registros do tipo hospital. ");
    assertThat(accepted.getRegistros()).isEqualTo(16);
    RoundInfo round = fixture.engine.round(accepted.getRodadaId()).orElseThrow();
    assertThat(round.roundKey()).isEqualTo("week-1");
    assertThat(round.rowsBySource()).containsExactlyEntriesOf(java.util.Map.of("hospital", 16L));
    assertThat(round.batchesBySource()).containsExactlyEntriesOf(java.util.Map.of("hospital", 1));
  }

  @Test
  void stream_sameSendIdTwiceIsDuplicate() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    DadosRequest header = DadosRequest.newBuilder().setOrigem("oms").setIdEnvio("s-9").build();

    DadosResponse first = fixture.client.sendStream(header,
        List.of(TestRows.oms(2), TestRows.oms(3)).iterator());
    DadosResponse second = fixture.client.sendStream(header,
        List.of(TestRows.oms(2), TestRows.oms(3)).iterator());

    assertThat(first.getRegistros()).isEqualTo(5);
    assertThat(first.getDuplicado()).isFalse();
    assertThat(second.getDuplicado()).isTrue();
    assertThat(fixture.engine.round(first.getRodadaId()).orElseThrow().rowsBySource())
        .containsEntry("oms", 5L);
  }

  @Test
  void stream_clientSendStreamSendsEveryChunk() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    List<List<Linha>> chunks =
        List.of(TestRows.secretaria(7), TestRows.secretaria(1), TestRows.secretaria(12));

    DadosResponse response = fixture.client.sendStream(
        DadosRequest.newBuilder().setOrigem("Secretaria").setNomeArquivo("s.csv").build(),
        chunks.iterator());

    assertThat(response.getRegistros()).isEqualTo(20);
    assertThat(fixture.engine.round(response.getRodadaId()).orElseThrow().rowsBySource())
        .containsEntry("secretaria", 20L);
  }

  @Test
  void stream_cancelledHalfwayStoresNothing() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    ResponseRecorder<DadosResponse> response = new ResponseRecorder<>();
    ClientCallStreamObserver<DadosRequest> requests = (ClientCallStreamObserver<DadosRequest>)
        EtlServiceDescriptors.newStub(fixture.channel).enviarDadosStream(response);

    requests.onNext(TestRows.request("oms", TestRows.oms(4)));
    requests.onNext(DadosRequest.newBuilder().addAllDados(TestRows.oms(4)).build());
    requests.cancel("test cancels halfway", null);

    assertThat(response.awaitClose().getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(fixture.allRounds()).isEmpty();
  }

  @Test
  void stream_overMaxBytesIsResourceExhausted() throws Exception {
    fixture = InProcessFixture.start(workDirectory, RecordingPipeline.open(),
        options -> options.maxStreamBatchBytes(300));
    ResponseRecorder<DadosResponse> response = new ResponseRecorder<>();
    StreamObserver<DadosRequest> requests =
        EtlServiceDescriptors.newStub(fixture.channel).enviarDadosStream(response);

    for (int i = 0; i < 10 && !response.closed.isDone(); i++) {
      requests.onNext(TestRows.request("oms", TestRows.oms(3)));
    }

    Status status = response.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription()).contains("over the limit of 300");
    assertThat(fixture.allRounds()).isEmpty();
  }

  @Test
  void stream_tooManyRowsIsResourceExhausted() throws Exception {
    fixture = InProcessFixture.start(workDirectory, RecordingPipeline.open(),
        options -> options.maxRowsPerBatch(8));
    ResponseRecorder<DadosResponse> response = new ResponseRecorder<>();
    StreamObserver<DadosRequest> requests =
        EtlServiceDescriptors.newStub(fixture.channel).enviarDadosStream(response);

    requests.onNext(TestRows.request("oms", TestRows.oms(5)));
    assertThat(response.closed).isNotDone();
    requests.onNext(DadosRequest.newBuilder().addAllDados(TestRows.oms(5)).build());

    Status status = response.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription()).contains("10 rows").contains("limit of 8");
    assertThat(fixture.allRounds()).isEmpty();
  }

  @Test
  void stream_differentLaterOriginIsInvalidArgument() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    ResponseRecorder<DadosResponse> response = new ResponseRecorder<>();
    StreamObserver<DadosRequest> requests =
        EtlServiceDescriptors.newStub(fixture.channel).enviarDadosStream(response);

    requests.onNext(TestRows.request("oms", TestRows.oms(2)));
    requests.onNext(TestRows.request("hospital", TestRows.hospital(2)));

    Status status = response.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("disagree on origem: 'oms' then 'hospital'");
    assertThat(fixture.allRounds()).isEmpty();
  }

  @Test
  void stream_unknownOriginRejectedAtFirstMessage() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    ResponseRecorder<DadosResponse> response = new ResponseRecorder<>();
    StreamObserver<DadosRequest> requests =
        EtlServiceDescriptors.newStub(fixture.channel).enviarDadosStream(response);

    requests.onNext(TestRows.request("farmacia", TestRows.oms(2)));

    assertThat(response.closed).isDone();
    Status status = response.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("'farmacia'");
  }

  @Test
  void stream_withoutMessagesIsInvalidArgument() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    ResponseRecorder<DadosResponse> response = new ResponseRecorder<>();
    StreamObserver<DadosRequest> requests =
        EtlServiceDescriptors.newStub(fixture.channel).enviarDadosStream(response);

    requests.onCompleted();

    Status status = response.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("received no message");
  }

  @Test
  void stream_malformedChunkIsInvalidArgument() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    ResponseRecorder<DadosResponse> response = new ResponseRecorder<>();
    StreamObserver<byte[]> requests = ClientCalls.asyncClientStreamingCall(
        fixture.channel.newCall(EtlServiceDescriptors.ENVIAR_DADOS_STREAM_RAW,
            CallOptions.DEFAULT),
        response);

    requests.onNext(TestRows.request("oms", TestRows.oms(2)).toByteArray());
    requests.onNext(new byte[] {0x1A, 0x40, 0x0A});

    Status status = response.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).startsWith("Malformed DadosRequest of 3 bytes");
    assertThat(fixture.allRounds()).isEmpty();
  }

  @Test
  void stream_clientRethrowsServerStatus() throws Exception {
    fixture = InProcessFixture.start(workDirectory);

    assertThatThrownBy(() -> fixture.client.sendStream(
        DadosRequest.newBuilder().setOrigem("nenhuma").build(),
        List.of(TestRows.oms(1), TestRows.oms(1)).iterator()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("'nenhuma'");
        });
  }
}
