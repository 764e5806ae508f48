package io.github.etlrpc.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.github.etlrpc.grpc.proto.Linha;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The budget of payload bytes that all open EnviarDadosStream calls share. The fixture's direct
 * executors handle each chunk on the sending thread, so the budget can be checked after a send.
 */
class StreamBufferBudgetTest {
  private static final List<Linha> CHUNK_ROWS = TestRows.oms(20);
  /** Payload bytes of one chunk of {@link #CHUNK_ROWS}. */
  private static final long CHUNK_BYTES =
      IncomingBatch.parse(TestRows.request("oms", CHUNK_ROWS).toByteArray()).payloadLength();

  @TempDir Path workDirectory;
  private InProcessFixture fixture;

  @AfterEach
  void closeFixture() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void budget_crossingStreamRejectedOthersFinish() throws Exception {
    // Room for three buffered chunks and half of a fourth.
    long budget = 3 * CHUNK_BYTES + CHUNK_BYTES / 2;
    fixture = InProcessFixture.start(workDirectory, RecordingPipeline.open(),
        options -> options.maxBufferedStreamBytes(budget));
    List<ResponseRecorder<DadosResponse>> responses = new ArrayList<>();
    List<StreamObserver<DadosRequest>> streams = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ResponseRecorder<DadosResponse> response = new ResponseRecorder<>();
      StreamObserver<DadosRequest> stream = openStream(response);
      stream.onNext(TestRows.request("oms", CHUNK_ROWS, "key-" + i));
      responses.add(response);
      streams.add(stream);
    }
    assertThat(fixture.service.bufferedStreamBytes()).isEqualTo(3 * CHUNK_BYTES);

    ResponseRecorder<DadosResponse> crossing = new ResponseRecorder<>();
    StreamObserver<DadosRequest> crossingStream = openStream(crossing);
    crossingStream.onNext(TestRows.request("oms", CHUNK_ROWS, "key-crossing"));

    Status rejected = crossing.awaitClose();
    assertThat(rejected.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(rejected.getDescription())
        .contains("limit of " + budget + " bytes")
        .contains("--max-buffered-stream-bytes");
    assertThat(fixture.service.bufferedStreamBytes()).isEqualTo(3 * CHUNK_BYTES);
    for (int i = 0; i < 3; i++) {
      assertThat(responses.get(i).closed).as("stream %d", i).isNotDone();
    }

    for (StreamObserver<DadosRequest> stream : streams) {
      stream.onCompleted();
    }
    for (int i = 0; i < 3; i++) {
      assertThat(responses.get(i).awaitClose()).as("stream %d", i).isEqualTo(Status.OK);
      assertThat(responses.get(i).messages.get(0).getRegistros()).isEqualTo(CHUNK_ROWS.size());
    }
    assertThat(fixture.service.bufferedStreamBytes()).isZero();
    assertThat(fixture.allRounds()).extracting(RoundInfo::roundKey)
        .containsExactlyInAnyOrder("key-0", "key-1", "key-2");
  }

  @Test
  void budget_releasedStreamsMakeRoomAgain() throws Exception {
    fixture = InProcessFixture.start(workDirectory, RecordingPipeline.open(),
        options -> options.maxBufferedStreamBytes(3 * CHUNK_BYTES));

    for (int i = 0; i < 3; i++) {
      DadosResponse response = fixture.client.sendStream(
          DadosRequest.newBuilder().setOrigem("oms").setRodada("full-" + i).build(),
          List.of(CHUNK_ROWS, CHUNK_ROWS, CHUNK_ROWS).iterator());

      assertThat(response.getRegistros()).as("send %d", i).isEqualTo(3L * CHUNK_ROWS.size());
      assertThat(fixture.service.bufferedStreamBytes()).as("send %d", i).isZero();
    }
  }

  @Test
  void budget_releasedWhenClientCancels() throws Exception {
    fixture = InProcessFixture.start(workDirectory, RecordingPipeline.open(),
        options -> options.maxBufferedStreamBytes(10 * CHUNK_BYTES));
    ResponseRecorder<DadosResponse> response = new ResponseRecorder<>();
    ClientCallStreamObserver<DadosRequest> stream =
        (ClientCallStreamObserver<DadosRequest>) openStream(response);

    stream.onNext(TestRows.request("oms", CHUNK_ROWS));
    stream.onNext(DadosRequest.newBuilder().addAllDados(CHUNK_ROWS).build());
    assertThat(fixture.service.bufferedStreamBytes()).isEqualTo(2 * CHUNK_BYTES);
    stream.cancel("test cancels the upload", null);

    assertThat(response.awaitClose().getCode()).isEqualTo(Status.Code.CANCELLED);
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(fixture.service.bufferedStreamBytes()).isZero());
    assertThat(fixture.allRounds()).isEmpty();
  }

  @Test
  void budget_releasedWhenStreamIsRejected() throws Exception {
    fixture = InProcessFixture.start(workDirectory, RecordingPipeline.open(),
        options -> options.maxBufferedStreamBytes(10 * CHUNK_BYTES)
            .maxRowsPerBatch(CHUNK_ROWS.size() + 1));
    ResponseRecorder<DadosResponse> response = new ResponseRecorder<>();
    StreamObserver<DadosRequest> stream = openStream(response);

    stream.onNext(TestRows.request("oms", CHUNK_ROWS));
    assertThat(fixture.service.bufferedStreamBytes()).isEqualTo(CHUNK_BYTES);
    stream.onNext(DadosRequest.newBuilder().addAllDados(CHUNK_ROWS).build());

    assertThat(response.awaitClose().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(fixture.service.bufferedStreamBytes()).isZero();
  }

  @Test
  void budget_defaultIsAtMostQuarterOfHeap() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    long quarterOfHeap = Runtime.getRuntime().maxMemory() / 4;

    assertThat(fixture.service.maxBufferedStreamBytes())
        .isEqualTo(Math.min(512L * 1024 * 1024, quarterOfHeap));
  }

  private StreamObserver<DadosRequest> openStream(ResponseRecorder<DadosResponse> response) {
    return EtlServiceDescriptors.newStub(fixture.channel).enviarDadosStream(response);
  }
}
