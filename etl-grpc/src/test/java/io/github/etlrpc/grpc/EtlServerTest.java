package io.github.etlrpc.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.core.EtlEngines;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.github.etlrpc.grpc.proto.EstadoRodada;
import io.github.etlrpc.grpc.proto.Linha;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtlServerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path workDirectory;
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  @Test
  void server_concurrentClientsCompleteEveryRound() throws Exception {
    RecordingPipeline pipeline = RecordingPipeline.open();
    EtlEngine engine = newEngine(pipeline);
    EtlServer server = startLoopback(engine, builder -> {});
    int clients = 5;
    int roundsPerClient = 3;
    ExecutorService executor = Executors.newFixedThreadPool(clients);
    cleanup.add(executor::shutdownNow);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Map<String, Map<String, Long>>>> results = new ArrayList<>();

    for (int c = 0; c < clients; c++) {
      int clientIndex = c;
      results.add(executor.submit(() -> {
        start.await();
        return sendRounds(server.port(), clientIndex, roundsPerClient);
      }));
    }
    start.countDown();
    Map<String, Map<String, Long>> expectedByRound = new HashMap<>();
    for (Future<Map<String, Map<String, Long>>> result : results) {
      expectedByRound.putAll(result.get(60, TimeUnit.SECONDS));
    }

    assertThat(expectedByRound).hasSize(clients * roundsPerClient);
    for (Map.Entry<String, Map<String, Long>> expected : expectedByRound.entrySet()) {
      RoundInfo round = engine.settled(expected.getKey())
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(round.state()).as(round.roundId()).isEqualTo(RoundState.CONCLUIDA);
      assertThat(round.rowsBySource()).as(round.roundId()).isEqualTo(expected.getValue());
      assertThat(pipeline.rowsByRound.get(round.roundId())).as(round.roundId())
          .isEqualTo(expected.getValue());
    }
  }

  /** Sends the rounds of one client and returns the rows it sent per round id and source. */
  private static Map<String, Map<String, Long>> sendRounds(int port, int clientIndex,
      int rounds) {
    Map<String, Map<String, Long>> sent = new HashMap<>();
    try (EtlClient client = EtlClient.forTarget("127.0.0.1:" + port).build()) {
      for (int r = 0; r < rounds; r++) {
        String key = "client-" + clientIndex + "-round-" + r;
        int omsRows = 20 + clientIndex;
        int hospitalRows = 10 + r;
        int secretariaRows = 30 + clientIndex * r;
        DadosResponse oms = client.send(TestRows.request("OMS", TestRows.oms(omsRows), key));
        DadosResponse hospital = client.sendStream(
            DadosRequest.newBuilder().setOrigem("Hospital").setRodada(key).build(),
            chunks(TestRows.hospital(hospitalRows), 4).iterator());
        DadosResponse secretaria = client.send(
            TestRows.request("secretaria", TestRows.secretaria(secretariaRows), key));
        assertThat(hospital.getRodadaId()).isEqualTo(oms.getRodadaId());
        assertThat(secretaria.getRodadaId()).isEqualTo(oms.getRodadaId());
        assertThat(secretaria.getEstado().getNumber())
            .isGreaterThanOrEqualTo(EstadoRodada.FECHADA.getNumber());
        sent.put(oms.getRodadaId(), Map.of("oms", (long) omsRows, "hospital",
            (long) hospitalRows, "secretaria", (long) secretariaRows));
      }
    }
    return sent;
  }

  @Test
  void server_healthAndReflectionListService() throws Exception {
    EtlServer server = startLoopback(newEngine(RecordingPipeline.open()), builder -> {});
    EtlClient client = loopbackClient(server);
    HealthCheckResponse health = HealthGrpc.newBlockingStub(client.channel())
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService("etl.ETLService").build());

    ResponseRecorder<ServerReflectionResponse> reflection = new ResponseRecorder<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(client.channel()).serverReflectionInfo(reflection);
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onNext(ServerReflectionRequest.newBuilder()
        .setFileContainingSymbol("etl.ETLService").build());
    requests.onCompleted();

    assertThat(health.getStatus()).isEqualTo(ServingStatus.SERVING);
    assertThat(reflection.awaitClose()).isEqualTo(Status.OK);
    List<String> services = reflection.messages.get(0).getListServicesResponse()
        .getServiceList().stream().map(ServiceResponse::getName).toList();
    assertThat(services).contains("etl.ETLService", "grpc.health.v1.Health");
    com.google.protobuf.DescriptorProtos.FileDescriptorProto file =
        com.google.protobuf.DescriptorProtos.FileDescriptorProto.parseFrom(
            reflection.messages.get(1).getFileDescriptorResponse().getFileDescriptorProto(0));
    assertThat(file.getPackage()).isEqualTo("etl");
    assertThat(file.getService(0).getMethodList())
        .extracting(m -> m.getName())
        .containsExactly("EnviarDados", "EnviarDadosStream", "ConsultarRodada",
            "AcompanharRodadas");
  }

  @Test
  void server_reflectionV1alphaListsService() throws Exception {
    EtlServer server = startLoopback(newEngine(RecordingPipeline.open()), builder -> {});
    EtlClient client = loopbackClient(server);
    ResponseRecorder<io.grpc.reflection.v1alpha.ServerReflectionResponse> reflection =
        new ResponseRecorder<>();

    StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionRequest> requests =
        io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(client.channel())
            .serverReflectionInfo(reflection);
    requests.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder()
        .setListServices("").build());
    requests.onCompleted();

    assertThat(reflection.awaitClose()).isEqualTo(Status.OK);
    List<String> services = reflection.messages.get(0).getListServicesResponse()
        .getServiceList().stream()
        .map(io.grpc.reflection.v1alpha.ServiceResponse::getName)
        .toList();
    assertThat(services).contains("etl.ETLService", "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection");
  }

  @Test
  void server_gracefulShutdownFinishesCallInFlight() throws Exception {
    RecordingPipeline pipeline = RecordingPipeline.gated();
    EtlEngine engine = newEngine(pipeline);
    EtlServer server = startLoopback(engine,
        builder -> builder.service(s -> s.waitForPipeline(WAIT)));
    EtlClient client = loopbackClient(server);
    List<ServingStatus> healthUpdates = new CopyOnWriteArrayList<>();
    CompletableFuture<ClientCallStreamObserver<HealthCheckRequest>> healthCall =
        new CompletableFuture<>();
    HealthGrpc.newStub(client.channel()).watch(HealthCheckRequest.getDefaultInstance(),
        new HealthWatcher(healthUpdates, healthCall));
    await().atMost(WAIT).until(() -> healthUpdates.contains(ServingStatus.SERVING));
    client.send(TestRows.request("oms", TestRows.oms(2)));
    client.send(TestRows.request("hospital", TestRows.hospital(2)));

    ResponseRecorder<DadosResponse> inFlight = new ResponseRecorder<>();
    EtlServiceDescriptors.newStub(client.channel())
        .enviarDados(TestRows.request("secretaria", TestRows.secretaria(2)), inFlight);
    assertThat(pipeline.firstRunStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(() -> {
      try {
        return server.shutdown(WAIT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    });
    await().atMost(WAIT).until(() -> healthUpdates.contains(ServingStatus.NOT_SERVING));
    healthCall.get().cancel("health watch no longer needed", null);
    assertThat(inFlight.closed).isNotDone();
    pipeline.openGate();

    assertThat(inFlight.awaitClose()).isEqualTo(Status.OK);
    assertThat(inFlight.messages.get(0).getEstado()).isEqualTo(EstadoRodada.CONCLUIDA);
    assertThat(shutdown.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(engine.isServing()).isFalse();
    assertThatThrownBy(() -> client.send(TestRows.request("oms", TestRows.oms(1))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void server_shutdownEndsOpenWatches() throws Exception {
    EtlServer server = startLoopback(newEngine(RecordingPipeline.open()), builder -> {});
    EtlClient client = loopbackClient(server);
    ResponseRecorder<io.github.etlrpc.grpc.proto.Rodada> watch = new ResponseRecorder<>();
    client.watch("", watch);
    DadosResponse sent = client.send(TestRows.request("oms", TestRows.oms(1)));
    await().atMost(WAIT).until(() -> !watch.messages.isEmpty());

    boolean finished = server.shutdown(WAIT);

    Status status = watch.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription()).contains("shutting down");
    assertThat(watch.messages.get(0).getRodadaId()).isEqualTo(sent.getRodadaId());
    assertThat(finished).isTrue();
  }

  @Test
  void server_healthFollowsEngine() throws Exception {
    EtlEngine engine = newEngine(RecordingPipeline.open());
    EtlServer server = startLoopback(engine, builder -> {});
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(
        loopbackClient(server).channel());
    assertThat(health.withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.SERVING);

    engine.shutdown(Duration.ofSeconds(5));

    await().atMost(WAIT).until(() -> health.withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus()
        == ServingStatus.NOT_SERVING);
  }

  @Test
  void server_maxConcurrentCallsRejectsWhenFull() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MetricsHttpServer metrics =
        MetricsHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry);
    cleanup.add(metrics);
    String name = InProcessServerBuilder.generateName();
    EtlServer server = EtlServer.newBuilder(newEngine(RecordingPipeline.open()))
        .transport(InProcessServerBuilder.forName(name).directExecutor())
        .maxConcurrentCalls(1)
        .meterRegistry(registry)
        .build()
        .start();
    cleanup.add(server);
    EtlClient client = EtlClient.of(InProcessChannelBuilder.forName(name).directExecutor()
        .build());
    cleanup.add(() -> ((io.grpc.ManagedChannel) client.channel()).shutdownNow());

    EtlClient.Subscription watch = client.watch("", new ResponseRecorder<>());
    assertThatThrownBy(() -> client.send(TestRows.request("oms", TestRows.oms(1))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
          assertThat(e.getStatus().getDescription()).contains("limit of 1 concurrent calls");
        });
    String scrape = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.port() + "/metrics"))
            .build(),
        HttpResponse.BodyHandlers.ofString()).body();
    watch.close();

    assertThat(scrape).contains(
        "etl_grpc_calls_rejected_total{method=\"EnviarDados\",reason=\"RESOURCE_EXHAUSTED\"} 1.0");
    // The permit returns when the server receives the cancel, which may lag the client's close.
    await().atMost(WAIT).ignoreException(StatusRuntimeException.class)
        .until(() -> client.send(TestRows.request("oms", TestRows.oms(1))).getRegistros() == 1);
  }

  @Test
  void server_interceptorsReceiveBearerToken() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    EtlServer server = startLoopback(newEngine(RecordingPipeline.open()), builder -> builder
        .intercept(recording("first", seen))
        .intercept(recording("second", seen)));
    EtlClient client = EtlClient.forTarget("127.0.0.1:" + server.port())
        .bearerToken("t0k3n")
        .build();
    cleanup.add(client);

    client.send(TestRows.request("oms", TestRows.oms(1)));

    assertThat(seen).containsExactly("first Bearer t0k3n", "second Bearer t0k3n");
  }

  @Test
  void builder_transportRejectsNettyOptions() {
    EtlEngine engine = newEngine(RecordingPipeline.open());

    assertThatThrownBy(() -> EtlServer.newBuilder(engine)
        .transport(InProcessServerBuilder.forName("unused"))
        .port(1234)
        .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("[port]");
  }

  @Test
  void client_channelOptionOnExistingChannelIsRejected() {
    io.grpc.ManagedChannel channel =
        InProcessChannelBuilder.forName(InProcessServerBuilder.generateName()).build();
    cleanup.add(channel::shutdownNow);

    assertThatThrownBy(() -> EtlClient.forChannel(channel).maxInboundMessageSize(1024).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("[maxInboundMessageSize]");
  }

  private EtlEngine newEngine(RecordingPipeline pipeline) {
    EtlEngine engine = EtlEngines.newBuilder()
        .workDirectory(workDirectory)
        .inMemoryStore()
        .pipeline(pipeline)
        .pipelineConcurrency(2)
        .build();
    cleanup.add(() -> {
      pipeline.openGate();
      engine.close();
    });
    return engine;
  }

  private EtlServer startLoopback(EtlEngine engine,
      java.util.function.Consumer<EtlServer.Builder> options) throws Exception {
    EtlServer.Builder builder = EtlServer.newBuilder(engine).port(0).bindAddress("127.0.0.1");
    options.accept(builder);
    EtlServer server = builder.build().start();
    cleanup.add(() -> server.shutdown(Duration.ofSeconds(5)));
    return server;
  }

  private EtlClient loopbackClient(EtlServer server) {
    EtlClient client = EtlClient.forTarget("127.0.0.1:" + server.port()).build();
    cleanup.add(client);
    return client;
  }

  private static List<List<Linha>> chunks(List<Linha> rows, int size) {
    List<List<Linha>> chunks = new ArrayList<>();
    for (int i = 0; i < rows.size(); i += size) {
      chunks.add(rows.subList(i, Math.min(rows.size(), i + size)));
    }
    return chunks;
  }

  private static ServerInterceptor recording(String label, List<String> seen) {
    Metadata.Key<String> authorization =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
          Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        seen.add(label + " " + headers.get(authorization));
        return next.startCall(call, headers);
      }
    };
  }

  /** Records health updates and hands out the call so that the test can cancel it. */
  private static final class HealthWatcher
      implements ClientResponseObserver<HealthCheckRequest, HealthCheckResponse> {
    private final List<ServingStatus> updates;
    private final CompletableFuture<ClientCallStreamObserver<HealthCheckRequest>> call;

    HealthWatcher(List<ServingStatus> updates,
        CompletableFuture<ClientCallStreamObserver<HealthCheckRequest>> call) {
      this.updates = updates;
      this.call = call;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<HealthCheckRequest> requestStream) {
      call.complete(requestStream);
    }

    @Override
    public void onNext(HealthCheckResponse value) {
      updates.add(value.getStatus());
    }

    @Override
    public void onError(Throwable error) {}

    @Override
    public void onCompleted() {}
  }
}
