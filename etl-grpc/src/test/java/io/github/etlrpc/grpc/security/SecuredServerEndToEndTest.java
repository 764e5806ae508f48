package io.github.etlrpc.grpc.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.core.EtlEngines;
import io.github.etlrpc.grpc.EtlClient;
import io.github.etlrpc.grpc.EtlServer;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.github.etlrpc.grpc.proto.Linha;
import io.github.etlrpc.grpc.proto.LinhaHospital;
import io.github.etlrpc.grpc.proto.LinhaOMS;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server stack with every security layer on: {@link EtlServer} over loopback Netty
 * with mutual TLS and a {@link BearerTokenAuthenticator}, the real engine behind it, and {@link
 * EtlClient} in front. Each test sends under its own round key so that tests do not share rounds.
 */
class SecuredServerEndToEndTest {
  private static final String OMS_TOKEN = "oms-only-token-5b1f0c7e9a2d4c68";
  private static final String OPEN_TOKEN = "any-origin-token-3e8d6a1f0b9c7254";
  private static final String WRONG_TOKEN = "not-a-listed-token-8a1c3e5f7b9d0246";

  @TempDir static Path dir;

  private static TestPki pki;
  private static EtlEngine engine;
  private static EtlServer server;

  @BeforeAll
  static void startServer() throws Exception {
    pki = TestPki.create(Files.createDirectory(dir.resolve("pki")));
    Path tokens =
        Files.writeString(
            dir.resolve("tokens"), OMS_TOKEN + " OMS\n" + OPEN_TOKEN + "\n");
    engine =
        EtlEngines.newBuilder()
            .workDirectory(dir.resolve("work"))
            .inMemoryStore()
            .pipeline(run -> PipelineResult.succeeded(0))
            .build();
    server =
        EtlServer.newBuilder(engine)
            .bindAddress("127.0.0.1")
            .port(0)
            .serverCredentials(
                TlsSettings.server(pki.serverCert(), pki.serverKey())
                    .requireClientAuth(pki.caCert())
                    .toServerCredentials())
            .intercept(BearerTokenAuthenticator.fromFile(tokens))
            .build()
            .start();
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    if (server != null) {
      server.shutdown(Duration.ofSeconds(10));
    }
  }

  @Test
  void boundToken_ownOrigin_isAccepted() {
    try (EtlClient client = client(OMS_TOKEN)) {
      DadosResponse response = client.send(omsRequest("bound-own", 3));

      assertThat(response.getRegistros()).isEqualTo(3);
      assertThat(response.getMensagem()).startsWith("Recebido 3 registros do tipo oms.");
      assertThat(rowsOf("bound-own", "oms")).isEqualTo(3);
    }
  }

  @Test
  void boundToken_otherOrigin_isPermissionDenied() {
    try (EtlClient client = client(OMS_TOKEN)) {
      StatusRuntimeException failure =
          sendFails(client, hospitalRequest("bound-other", "Hospital", 2));

      assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(failure.getStatus().getDescription()).contains("hospital");
      assertThat(failure.toString()).doesNotContain(OMS_TOKEN);
      assertThat(roundsWithKey("bound-other")).as("nothing stored").isEmpty();
    }
  }

  @Test
  void openToken_anyOrigin_isAccepted() {
    try (EtlClient client = client(OPEN_TOKEN)) {
      DadosResponse oms = client.send(omsRequest("open", 2));
      DadosResponse hospital = client.send(hospitalRequest("open", "HOSPITAL", 4));

      assertThat(oms.getRegistros()).isEqualTo(2);
      assertThat(hospital.getRegistros()).isEqualTo(4);
      assertThat(rowsOf("open", "hospital")).isEqualTo(4);
    }
  }

  @Test
  void missingToken_isUnauthenticated() throws InterruptedException {
    ManagedChannel channel = mutualTlsChannel();
    try {
      EtlClient client = EtlClient.of(channel);

      StatusRuntimeException failure = sendFails(client, omsRequest("missing-token", 1));

      assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(failure.getStatus().getDescription()).startsWith("missing bearer token");
      assertThat(roundsWithKey("missing-token")).as("nothing stored").isEmpty();
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void wrongToken_isUnauthenticatedWithoutEcho() {
    try (EtlClient client = client(WRONG_TOKEN)) {
      StatusRuntimeException failure = sendFails(client, omsRequest("wrong-token", 1));

      assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(failure.getStatus().getDescription()).isEqualTo("invalid bearer token");
      assertThat(failure.toString()).doesNotContain(WRONG_TOKEN);
      assertThat(failure.getTrailers().toString()).doesNotContain(WRONG_TOKEN);
      assertThat(roundsWithKey("wrong-token")).as("nothing stored").isEmpty();
    }
  }

  @Test
  void healthCheck_withoutToken_isServing() throws InterruptedException {
    ManagedChannel channel = mutualTlsChannel();
    try {
      HealthCheckResponse response =
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance());

      assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void clientWithoutCertificate_isRejected() {
    ChannelCredentials serverOnly = TlsSettings.client(pki.caCert()).toChannelCredentials();
    try (EtlClient client =
        EtlClient.forTarget("127.0.0.1:" + server.port())
            .channelCredentials(serverOnly)
            .bearerToken(OPEN_TOKEN)
            .deadline(Duration.ofSeconds(10))
            .build()) {
      StatusRuntimeException failure = sendFails(client, omsRequest("no-client-cert", 1));

      assertThat(failure.getStatus().getCode())
          .as("status %s", failure.getStatus())
          .isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(roundsWithKey("no-client-cert")).as("nothing stored").isEmpty();
    }
  }

  private static EtlClient client(String token) {
    return EtlClient.forTarget("127.0.0.1:" + server.port())
        .channelCredentials(mutualTlsCredentials())
        .bearerToken(token)
        .deadline(Duration.ofSeconds(10))
        .build();
  }

  private static ManagedChannel mutualTlsChannel() {
    return Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), mutualTlsCredentials())
        .build();
  }

  private static ChannelCredentials mutualTlsCredentials() {
    return TlsSettings.client(pki.caCert())
        .clientCertificate(pki.clientCert(), pki.clientKey())
        .toChannelCredentials();
  }

  private static StatusRuntimeException sendFails(EtlClient client, DadosRequest request) {
    StatusRuntimeException failure =
        catchThrowableOfType(StatusRuntimeException.class, () -> client.send(request));
    assertThat(failure).as("the call must fail").isNotNull();
    return failure;
  }

  private static List<RoundInfo> roundsWithKey(String roundKey) {
    return engine.rounds(EnumSet.allOf(RoundState.class)).stream()
        .filter(round -> round.roundKey().equals(roundKey))
        .toList();
  }

  private static long rowsOf(String roundKey, String source) {
    return roundsWithKey(roundKey).stream()
        .mapToLong(round -> round.rowsBySource().getOrDefault(source, 0L))
        .sum();
  }

  private static DadosRequest omsRequest(String roundKey, int rows) {
    DadosRequest.Builder request =
        DadosRequest.newBuilder().setOrigem("OMS").setNomeArquivo("oms.csv").setRodada(roundKey);
    for (int i = 0; i < rows; i++) {
      request.addDados(
          Linha.newBuilder()
              .setLinhaOms(
                  LinhaOMS.newBuilder()
                      .setNumObitos(i)
                      .setPopulacao(4000)
                      .setCep(11 + i % 20)
                      .setNumRecuperados(3)
                      .setNumVacinados(900)
                      .setData("01-12-2026")));
    }
    return request.build();
  }

  private static DadosRequest hospitalRequest(String roundKey, String origin, int rows) {
    DadosRequest.Builder request =
        DadosRequest.newBuilder()
            .setOrigem(origin)
            .setNomeArquivo("hospital.csv")
            .setRodada(roundKey);
    for (int i = 0; i < rows; i++) {
      request.addDados(
          Linha.newBuilder()
              .setLinhaHospital(
                  LinhaHospital.newBuilder()
                      .setIdHospital(i)
                      .setData("01-12-2026")
                      .setInternado(1)
                      .setIdade(40)
                      .setSexo(0)
                      .setCep(11001)
                      .setSintoma1(1)));
    }
    return request.build();
  }
}
