package io.github.etlrpc.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.etlrpc.api.CompletionPolicy;
import io.github.etlrpc.api.CompletionPolicy.OnTimeout;
import io.github.etlrpc.api.CompletionPolicy.TimeoutStart;
import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.core.EngineBuilder;
import io.github.etlrpc.core.EtlEngines;
import io.github.etlrpc.core.LateBatchPolicy;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.github.etlrpc.grpc.proto.EstadoRodada;
import io.github.etlrpc.grpc.proto.Rodada;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Completion policies, late batches and backpressure limits seen by a gRPC client: each test
 * configures the engine, serves it in process and checks responses and round states over the
 * wire.
 */
class RoundPoliciesOverGrpcTest {
  @TempDir Path work;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private RecordingPipeline pipeline = RecordingPipeline.open();
  private EtlClient client;

  @AfterEach
  void closeAll() throws Exception {
    pipeline.openGate();
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private EtlEngine serve(UnaryOperator<EngineBuilder> configure) throws Exception {
    EtlEngine engine = configure.apply(EtlEngines.newBuilder().workDirectory(work)
        .inMemoryStore().pipeline(pipeline)).build();
    resources.add(engine);
    String name = InProcessServerBuilder.generateName();
    Server server = InProcessServerBuilder.forName(name)
        .addService(EtlGrpcService.newBuilder(engine).build())
        .build()
        .start();
    resources.add(() -> {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    });
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    resources.add(() -> {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    });
    client = EtlClient.of(channel);
    return engine;
  }

  private DadosResponse send(String origin, int rows, String key) {
    return client.send(TestRows.request(origin, TestRows.forSource(origin.toLowerCase(), rows),
        key));
  }

  private Rodada awaitSettled(EtlEngine engine, String roundId) throws Exception {
    engine.settled(roundId).get(30, TimeUnit.SECONDS);
    return client.round(roundId);
  }

  private static void assertStatus(Runnable call, Status.Code code, String... fragments) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(code);
          for (String fragment : fragments) {
            assertThat(e.getStatus().getDescription()).contains(fragment);
          }
        });
  }

  @Test
  void minBatches_roundWaitsForTenHospitalFiles() throws Exception {
    EtlEngine engine = serve(b -> b.completionPolicy(
        CompletionPolicy.minBatches(Map.of("hospital", 10))));
    String roundId = send("OMS", 3, "").getRodadaId();
    send("Secretaria", 3, "");
    for (int i = 0; i < 9; i++) {
      assertThat(send("hospital", 2, "").getEstado()).isEqualTo(EstadoRodada.ABERTA);
    }

    DadosResponse tenth = send("hospital", 2, "");

    assertThat(tenth.getRodadaId()).isEqualTo(roundId);
    assertThat(tenth.getEstado()).isEqualTo(EstadoRodada.FECHADA);
    Rodada done = awaitSettled(engine, roundId);
    assertThat(done.getEstado()).isEqualTo(EstadoRodada.CONCLUIDA);
    assertThat(done.getRegistrosPorOrigemMap()).containsEntry("hospital", 20L);
  }

  @Test
  void timeoutSealPartial_runsWithSourcesPresent() throws Exception {
    EtlEngine engine = serve(b -> b.completionPolicy(CompletionPolicy.allRequiredSources()
        .withTimeout(Duration.ofMillis(300), TimeoutStart.FIRST_BATCH, OnTimeout.SEAL_PARTIAL)));

    String roundId = send("oms", 4, "parcial").getRodadaId();
    Rodada done = awaitSettled(engine, roundId);

    assertThat(done.getEstado()).isEqualTo(EstadoRodada.CONCLUIDA);
    assertThat(pipeline.rowsByRound.get(roundId))
        .containsEntry("oms", 4L)
        .containsEntry("hospital", 0L)
        .containsEntry("secretaria", 0L);
  }

  @Test
  void timeoutPark_expiresRoundWithError() throws Exception {
    EtlEngine engine = serve(b -> b.completionPolicy(CompletionPolicy.allRequiredSources()
        .withTimeout(Duration.ofMillis(300), TimeoutStart.LAST_BATCH, OnTimeout.PARK)));

    String roundId = send("hospital", 2, "expira").getRodadaId();
    Rodada parked = awaitSettled(engine, roundId);

    assertThat(parked.getEstado()).isEqualTo(EstadoRodada.ESTACIONADA);
    assertThat(parked.getErro()).contains("oms").contains("secretaria");
    assertThat(pipeline.rowsByRound).doesNotContainKey(roundId);
  }

  @Test
  void customPredicate_sealsOnTotalRows() throws Exception {
    EtlEngine engine = serve(b -> b.completionPolicy(
        CompletionPolicy.when(round -> round.totalRows() >= 100)));

    String roundId = send("secretaria", 60, "").getRodadaId();
    DadosResponse second = send("secretaria", 40, "");

    assertThat(second.getRodadaId()).isEqualTo(roundId);
    assertThat(second.getEstado()).isEqualTo(EstadoRodada.FECHADA);
    assertThat(awaitSettled(engine, roundId).getEstado()).isEqualTo(EstadoRodada.CONCLUIDA);
  }

  @Test
  void lateBatch_failedPreconditionNamesRound() throws Exception {
    EtlEngine engine = serve(b -> b);
    String roundId = send("oms", 1, "lote-9").getRodadaId();
    send("hospital", 1, "lote-9");
    send("secretaria", 1, "lote-9");
    awaitSettled(engine, roundId);

    assertStatus(() -> send("oms", 1, "lote-9"), Status.Code.FAILED_PRECONDITION, roundId,
        "lote-9");
  }

  @Test
  void lateBatch_opensNewRoundWhenConfigured() throws Exception {
    EtlEngine engine = serve(b -> b.lateBatches(LateBatchPolicy.OPEN_NEW_ROUND));
    String roundId = send("oms", 1, "lote-9").getRodadaId();
    send("hospital", 1, "lote-9");
    send("secretaria", 1, "lote-9");
    awaitSettled(engine, roundId);

    DadosResponse late = send("oms", 1, "lote-9");

    assertThat(late.getRodadaId()).isNotEqualTo(roundId);
    assertThat(client.round(late.getRodadaId()).getRodada()).isEqualTo("lote-9");
  }

  @Test
  void maxOpenRounds_resourceExhaustedKeepsAccepted() throws Exception {
    EtlEngine engine = serve(b -> b.maxOpenRounds(2));
    String a = send("oms", 1, "a").getRodadaId();
    send("oms", 1, "b");

    assertStatus(() -> send("oms", 1, "c"), Status.Code.RESOURCE_EXHAUSTED, "maxOpenRounds", "2");

    assertThat(send("hospital", 1, "a").getRodadaId()).isEqualTo(a);
    assertThat(engine.rounds(EnumSet.of(RoundState.ABERTA))).hasSize(2);
  }

  @Test
  void maxPendingBytes_resourceExhaustedKeepsAccepted() throws Exception {
    EtlEngine engine = serve(b -> b.maxPendingBytes(2_000));
    String roundId = send("oms", 20, "").getRodadaId();

    assertStatus(() -> send("oms", 100, ""), Status.Code.RESOURCE_EXHAUSTED,
        "maxPendingBytes", "2000");
    assertStatus(() -> send("oms", 100, "outra"), Status.Code.RESOURCE_EXHAUSTED,
        "maxPendingBytes");

    assertThat(client.round(roundId).getRegistrosPorOrigemMap()).containsExactly(
        Map.entry("oms", 20L));
    assertThat(engine.rounds(EnumSet.allOf(RoundState.class))).hasSize(1);
  }

  @Test
  void maxQueuedRuns_resourceExhaustedUntilPipelineCatchesUp() throws Exception {
    pipeline = RecordingPipeline.gated();
    EtlEngine engine = serve(b -> b.maxQueuedRuns(1));
    String running = sealRound("um");
    assertThat(pipeline.firstRunStarted.await(10, TimeUnit.SECONDS)).isTrue();
    String queued = sealRound("dois");

    assertStatus(() -> send("oms", 1, "tres"), Status.Code.RESOURCE_EXHAUSTED, "maxQueuedRuns");

    pipeline.openGate();
    assertThat(awaitSettled(engine, running).getEstado()).isEqualTo(EstadoRodada.CONCLUIDA);
    assertThat(awaitSettled(engine, queued).getEstado()).isEqualTo(EstadoRodada.CONCLUIDA);
    assertThat(send("oms", 1, "tres").getEstado()).isEqualTo(EstadoRodada.ABERTA);
  }

  private String sealRound(String key) {
    String roundId = send("oms", 1, key).getRodadaId();
    send("hospital", 1, key);
    assertThat(send("secretaria", 1, key).getEstado()).isEqualTo(EstadoRodada.FECHADA);
    return roundId;
  }

  @Test
  void manyKeyedRounds_sealConcurrently() throws Exception {
    EtlEngine engine = serve(b -> b.pipelineConcurrency(2));
    int rounds = 40;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    Set<String> roundIds = ConcurrentHashMap.newKeySet();
    try {
      List<Future<?>> sends = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        String key = "lote-" + r;
        for (String origin : List.of("OMS", "Hospital", "secretaria")) {
          sends.add(pool.submit(() -> roundIds.add(send(origin, 5, key).getRodadaId())));
        }
      }
      for (Future<?> send : sends) {
        send.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(roundIds).hasSize(rounds);
    for (String roundId : roundIds) {
      Rodada done = awaitSettled(engine, roundId);
      assertThat(done.getEstado()).isEqualTo(EstadoRodada.CONCLUIDA);
      assertThat(done.getRegistrosPorOrigemMap()).containsOnly(
          Map.entry("oms", 5L), Map.entry("hospital", 5L), Map.entry("secretaria", 5L));
    }
  }
}
