package io.github.etlrpc.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.core.EtlEngines;
import io.github.etlrpc.core.store.SqliteRoundStore;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health over a real SQLite store that another connection locks: sends fail with UNAVAILABLE,
 * health turns NOT_SERVING, and both recover once the lock is released.
 */
class HealthStoreOutageTest {
  @TempDir Path work;

  @Test
  void health_notServingWhileStoreLocked() throws Exception {
    Path database = work.resolve("etl.db");
    EtlEngine engine = EtlEngines.newBuilder().workDirectory(work)
        .store(SqliteRoundStore.open(database, Duration.ofMillis(100)))
        .pipeline(RecordingPipeline.open())
        .build();
    String name = InProcessServerBuilder.generateName();
    EtlServer server = EtlServer.newBuilder(engine)
        .transport(InProcessServerBuilder.forName(name))
        .build()
        .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    try {
      EtlClient client = EtlClient.of(channel);
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
      DadosResponse first = client.send(TestRows.request("oms", TestRows.oms(3)));
      assertThat(status(health)).isEqualTo(ServingStatus.SERVING);

      try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + database);
          Statement statement = other.createStatement()) {
        statement.execute("BEGIN EXCLUSIVE");

        assertThatThrownBy(() -> client.send(TestRows.request("hospital", TestRows.hospital(2))))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        await().atMost(Duration.ofSeconds(10))
            .until(() -> status(health) == ServingStatus.NOT_SERVING);

        statement.execute("ROLLBACK");
      }

      await().atMost(Duration.ofSeconds(20))
          .until(() -> status(health) == ServingStatus.SERVING);
      DadosResponse after = client.send(TestRows.request("hospital", TestRows.hospital(2)));
      assertThat(after.getRodadaId()).isEqualTo(first.getRodadaId());
      assertThat(client.round(first.getRodadaId()).getRegistrosPorOrigemMap())
          .containsEntry("oms", 3L)
          .containsEntry("hospital", 2L);
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
      server.shutdown(Duration.ofSeconds(5));
    }
  }

  private static ServingStatus status(HealthGrpc.HealthBlockingStub health) {
    return health.withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus();
  }
}
