package io.github.etlrpc.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.PipelineInvoker;
import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.PipelineRun;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.core.EtlEngines;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.github.etlrpc.grpc.proto.Linha;
import io.github.etlrpc.grpc.proto.LinhaHospital;
import io.github.etlrpc.grpc.proto.LinhaOMS;
import io.github.etlrpc.grpc.proto.LinhaSecretaria;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A burst of 1,000 EnviarDados calls started at once on one loopback connection, against the
 * real server and engine with its SQLite store. Calls over the server's concurrent-call cap may
 * be rejected. Every other call must be stored, and the health service must respond during the
 * burst.
 */
class ConcurrencyLimitsTest {
  private static final Logger log = LoggerFactory.getLogger(ConcurrencyLimitsTest.class);

  private static final int CALLS = 1_000;
  private static final int ROWS_PER_CALL = 4;
  /** Half the burst, so that both accepted and capped calls occur. */
  private static final int MAX_CONCURRENT_CALLS = 500;
  private static final List<String> ORIGINS = List.of("oms", "Hospital", "SECRETARIA");

  @TempDir Path dir;

  private EtlEngine engine;
  private EtlServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    engine =
        EtlEngines.newBuilder()
            .workDirectory(dir.resolve("work"))
            .pipeline(new NoOpPipeline())
            .maxQueuedRuns(CALLS)
            .build();
    server =
        EtlServer.newBuilder(engine)
            .bindAddress("127.0.0.1")
            .port(0)
            .maxConcurrentCalls(MAX_CONCURRENT_CALLS)
            .build()
            .start();
    channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", server.port(), InsecureChannelCredentials.create())
            .build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.shutdown(Duration.ofSeconds(20));
  }

  @Test
  void burstOfThousandCalls_storesEveryAcknowledgedRow() throws Exception {
    EtlServiceDescriptors.AsyncStub stub = EtlServiceDescriptors.newStub(channel);
    List<CompletableFuture<Object>> outcomes = new ArrayList<>(CALLS);
    AtomicInteger finished = new AtomicInteger();

    CompletableFuture<HealthCheckResponse> health = new CompletableFuture<>();
    AtomicInteger finishedAtHealthAnswer = new AtomicInteger(-1);
    for (int i = 0; i < CALLS; i++) {
      CompletableFuture<Object> outcome = new CompletableFuture<>();
      outcomes.add(outcome);
      stub.withDeadlineAfter(60, TimeUnit.SECONDS)
          .enviarDados(request(i), new OutcomeObserver(outcome, finished));
      if (i == CALLS / 2) {
        HealthGrpc.newStub(channel)
            .withDeadlineAfter(20, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance(), new HealthObserver(health, () ->
                finishedAtHealthAnswer.set(finished.get())));
      }
    }
    CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);

    assertThat(health.get(20, TimeUnit.SECONDS).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    long acknowledgedRows = 0;
    int accepted = 0;
    Map<Status.Code, Integer> codes = new TreeMap<>();
    for (int i = 0; i < CALLS; i++) {
      Object outcome = outcomes.get(i).get();
      if (outcome instanceof DadosResponse response) {
        assertThat(response.getRegistros()).as("call %d", i).isEqualTo(ROWS_PER_CALL);
        assertThat(response.getDuplicado()).as("call %d", i).isFalse();
        acknowledgedRows += response.getRegistros();
        accepted++;
        codes.merge(Status.Code.OK, 1, Integer::sum);
      } else {
        Status status = (Status) outcome;
        codes.merge(status.getCode(), 1, Integer::sum);
        assertThat(status.getCode()).as("call %d: %s", i, status)
            .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(status.getDescription()).as("call %d", i).isNotBlank();
      }
    }
    log.info("burst of {} calls: {}; {} calls had finished when health answered",
        CALLS, codes, finishedAtHealthAnswer);

    assertThat(accepted).as("status counts %s", codes).isPositive();
    long storedRows =
        engine.rounds(EnumSet.allOf(RoundState.class)).stream()
            .mapToLong(RoundInfo::totalRows)
            .sum();
    assertThat(storedRows).as("status counts %s", codes).isEqualTo(acknowledgedRows);
  }

  private static DadosRequest request(int index) {
    String origin = ORIGINS.get(index % ORIGINS.size());
    DadosRequest.Builder request =
        DadosRequest.newBuilder()
            .setOrigem(origin)
            .setNomeArquivo("burst-" + index + ".csv")
            .setIdEnvio("burst-" + index);
    for (int row = 0; row < ROWS_PER_CALL; row++) {
      request.addDados(row(origin, row));
    }
    return request.build();
  }

  private static Linha row(String origin, int row) {
    Linha.Builder linha = Linha.newBuilder();
    switch (origin) {
      case "oms" -> linha.setLinhaOms(LinhaOMS.newBuilder()
          .setNumObitos(row).setPopulacao(4000).setCep(11 + row).setNumRecuperados(2)
          .setNumVacinados(900).setData("01-12-2026"));
      case "Hospital" -> linha.setLinhaHospital(LinhaHospital.newBuilder()
          .setIdHospital(row).setData("01-12-2026").setInternado(1).setIdade(30).setSexo(0)
          .setCep(11001 + row).setSintoma2(1));
      default -> linha.setLinhaSecretaria(LinhaSecretaria.newBuilder()
          .setDiagnostico(1).setVacinado(1).setCep(13003).setEscolaridade(2)
          .setPopulacao(7000).setData("01-12-2026"));
    }
    return linha.build();
  }

  /** Completes {@code outcome} with the response or the failure status of one call. */
  private static final class OutcomeObserver implements StreamObserver<DadosResponse> {
    private final CompletableFuture<Object> outcome;
    private final AtomicInteger finished;

    OutcomeObserver(CompletableFuture<Object> outcome, AtomicInteger finished) {
      this.outcome = outcome;
      this.finished = finished;
    }

    @Override
    public void onNext(DadosResponse response) {
      outcome.complete(response);
    }

    @Override
    public void onError(Throwable error) {
      finished.incrementAndGet();
      outcome.complete(Status.fromThrowable(error));
    }

    @Override
    public void onCompleted() {
      finished.incrementAndGet();
    }
  }

  /** Completes {@code response} with the health check result, first running {@code onAnswer}. */
  private static final class HealthObserver implements StreamObserver<HealthCheckResponse> {
    private final CompletableFuture<HealthCheckResponse> response;
    private final Runnable onAnswer;

    HealthObserver(CompletableFuture<HealthCheckResponse> response, Runnable onAnswer) {
      this.response = response;
      this.onAnswer = onAnswer;
    }

    @Override
    public void onNext(HealthCheckResponse value) {
      onAnswer.run();
      response.complete(value);
    }

    @Override
    public void onError(Throwable error) {
      response.completeExceptionally(error);
    }

    @Override
    public void onCompleted() {}
  }

  /** A pipeline that succeeds at once and reads no hand-off files. */
  private static final class NoOpPipeline implements PipelineInvoker {
    @Override
    public PipelineResult run(PipelineRun run) {
      return PipelineResult.succeeded(0);
    }

    @Override
    public boolean usesHandoffFiles() {
      return false;
    }
  }
}
