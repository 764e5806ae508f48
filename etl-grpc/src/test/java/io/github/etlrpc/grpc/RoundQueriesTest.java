package io.github.etlrpc.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.etlrpc.grpc.proto.ConsultaRodada;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.github.etlrpc.grpc.proto.EstadoRodada;
import io.github.etlrpc.grpc.proto.Rodada;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoundQueriesTest {
  @TempDir Path workDirectory;
  private InProcessFixture fixture;

  @AfterEach
  void closeFixture() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void consultarRodada_returnsCountsAndState() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    DadosResponse sent =
        fixture.client.send(TestRows.request("oms", TestRows.oms(6), "lote-3"));
    fixture.client.send(TestRows.request("hospital", TestRows.hospital(2), "lote-3"));

    Rodada rodada = fixture.client.round(sent.getRodadaId());

    assertThat(rodada.getRodadaId()).isEqualTo(sent.getRodadaId());
    assertThat(rodada.getRodada()).isEqualTo("lote-3");
    assertThat(rodada.getEstado()).isEqualTo(EstadoRodada.ABERTA);
    assertThat(rodada.getRegistrosPorOrigemMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("oms", 6L, "hospital", 2L));
    assertThat(rodada.getAbertaEmMs()).isPositive();
    assertThat(rodada.getAtualizadaEmMs()).isGreaterThanOrEqualTo(rodada.getAbertaEmMs());
  }

  @Test
  void consultarRodada_unknownIdIsNotFound() throws Exception {
    fixture = InProcessFixture.start(workDirectory);

    assertThatThrownBy(() -> fixture.client.round("no-such-round"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).contains("'no-such-round'");
        });
  }

  @Test
  void consultarRodada_emptyIdIsInvalidArgument() throws Exception {
    fixture = InProcessFixture.start(workDirectory);

    assertThatThrownBy(() -> fixture.client.round(""))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  @Test
  void acompanharRodadas_unknownIdIsNotFound() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    Iterator<Rodada> updates = fixture.client.watch("missing-round");

    assertThatThrownBy(updates::hasNext)
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).contains("'missing-round'");
        });
  }

  @Test
  void acompanharRodadas_followsRoundThroughConcluida() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    DadosResponse first = fixture.client.send(TestRows.request("oms", TestRows.oms(2)));
    Iterator<Rodada> updates = fixture.client.watch(first.getRodadaId());

    fixture.client.send(TestRows.request("hospital", TestRows.hospital(2)));
    fixture.client.send(TestRows.request("secretaria", TestRows.secretaria(2)));
    List<Rodada> seen = new ArrayList<>();
    updates.forEachRemaining(seen::add);

    assertThat(seen).isNotEmpty();
    assertThat(seen).allSatisfy(r -> assertThat(r.getRodadaId()).isEqualTo(first.getRodadaId()));
    assertThat(seen.get(0).getEstado()).isEqualTo(EstadoRodada.ABERTA);
    assertThat(seen.get(0).getRegistrosPorOrigemMap()).containsEntry("oms", 2L);
    assertThat(seen.get(seen.size() - 1).getEstado()).isEqualTo(EstadoRodada.CONCLUIDA);
    assertThat(seen.get(seen.size() - 1).getRegistrosPorOrigemMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("oms", 2L, "hospital", 2L, "secretaria", 2L));
    List<Integer> states = seen.stream().map(r -> r.getEstado().getNumber()).toList();
    assertThat(states).isSorted();
  }

  @Test
  void acompanharRodadas_callbackWatchCancels() throws Exception {
    fixture = InProcessFixture.start(workDirectory);
    ResponseRecorder<Rodada> recorder = new ResponseRecorder<>();

    EtlClient.Subscription subscription = fixture.client.watch("", recorder);
    DadosResponse sent = fixture.client.send(TestRows.request("oms", TestRows.oms(1)));
    await().atMost(Duration.ofSeconds(10)).until(() -> !recorder.messages.isEmpty());
    assertThat(fixture.service.openWatchCount()).isEqualTo(1);
    subscription.close();

    assertThat(recorder.messages.get(0).getRodadaId()).isEqualTo(sent.getRodadaId());
    assertThat(recorder.awaitClose().getCode()).isEqualTo(Status.Code.CANCELLED);
    await().atMost(Duration.ofSeconds(10)).until(() -> fixture.service.openWatchCount() == 0);
  }

  @Test
  void acompanharRodadas_slowWatcherDroppedWhileIngestionContinues() throws Exception {
    fixture = InProcessFixture.start(workDirectory, RecordingPipeline.open(),
        options -> options.watchBufferLimit(3));
    CompletableFuture<Status> watchClosed = new CompletableFuture<>();
    ClientCall<ConsultaRodada, Rodada> call =
        fixture.channel.newCall(EtlServiceDescriptors.ACOMPANHAR_RODADAS, CallOptions.DEFAULT);
    // The client never calls request(n), so every update stays queued on the server.
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        watchClosed.complete(status);
      }
    }, new Metadata());
    call.sendMessage(ConsultaRodada.getDefaultInstance());
    call.halfClose();

    List<DadosResponse> accepted = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      String key = "slow-" + round;
      accepted.add(fixture.client.send(TestRows.request("oms", TestRows.oms(1), key)));
      accepted.add(fixture.client.send(TestRows.request("hospital", TestRows.hospital(1), key)));
    }

    Status status = watchClosed.get(10, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription())
        .isEqualTo("Watcher fell behind by 4 messages; read faster or watch one round");
    assertThat(fixture.service.openWatchCount()).isZero();
    assertThat(accepted).hasSize(8);
    assertThat(fixture.allRounds()).hasSize(4);
  }
}
