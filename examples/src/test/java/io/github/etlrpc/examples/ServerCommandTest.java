package io.github.etlrpc.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.etlrpc.api.Batch;
import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.Row;
import io.github.etlrpc.core.RowCodec;
import io.github.etlrpc.grpc.EtlClient;
import io.github.etlrpc.grpc.EtlServer;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.Linha;
import io.github.etlrpc.grpc.proto.LinhaOMS;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Startup checks and limit options of the {@code server} command, run in this JVM. */
class ServerCommandTest {
  @TempDir Path dir;

  @Command(name = "holder")
  static final class Holder {
    @Mixin EngineOptions engine;
    @Mixin ServerLimitOptions limits;
  }

  @Test
  void server_portInUseExitsWithOneLine() throws Exception {
    Path work = dir.resolve("work");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();

      CliRun run = CliRun.execute("server", "--port", String.valueOf(port), "--bind",
          "127.0.0.1", "--work-dir", work.toString());

      assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
      assertThat(run.err().strip()).as(run.describe())
          .startsWith("error: Cannot listen on 127.0.0.1:" + port + ": ")
          .contains("in use")
          .contains("choose another --port")
          .doesNotContain("\n");
    }
    assertThat(work).as("the engine never started, so no store was created").doesNotExist();
  }

  @Test
  void server_unknownMinBatchesSourceExitsOne() {
    Path work = dir.resolve("work");

    CliRun run = CliRun.execute("server", "--port", "0", "--bind", "127.0.0.1",
        "--work-dir", work.toString(), "--min-batches", "foo=3");

    assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
    assertThat(run.err()).contains("error: --min-batches foo=3 names unknown source 'foo'")
        .contains("known sources: oms, hospital, secretaria");
    assertThat(work).doesNotExist();
  }

  @Test
  void server_invalidLimitNamesFlag() {
    String[][] cases = {
      {"--max-open-rounds", "0", "--max-open-rounds is 0; use 1 or more"},
      {"--max-pending-bytes", "0", "--max-pending-bytes is 0; use 1 or more"},
      {"--max-queued-runs", "-1", "--max-queued-runs is -1; use 1 or more"},
      {"--max-stream-bytes", "3GiB", "--max-stream-bytes is 3221225472; use a value from 1"},
      {"--max-buffered-stream-bytes", "0", "--max-buffered-stream-bytes is 0; use 1 or more"},
      {"--max-rows-per-batch", "0", "--max-rows-per-batch is 0; use 1 or more"},
      {"--max-attempts", "0", "--max-attempts is 0; use 1 or more"},
      {"--port", "70000", "--port is 70000; use a value from 0 to 65535"},
      {"--wait-for-pipeline", "0s", "--wait-for-pipeline is PT0S; use a positive duration"},
    };
    for (String[] testCase : cases) {
      String flag = testCase[0];
      Path work = dir.resolve("work");

      CliRun run = CliRun.execute("server", "--work-dir", work.toString(), flag, testCase[1]);

      assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
      assertThat(run.err()).as(flag).contains("error: " + testCase[2]);
      assertThat(work).as(flag).doesNotExist();
    }
  }

  @Test
  void limits_defaultsMatchTheDocumentedValues() {
    ServerLimitOptions limits = parse().limits;

    assertThat(limits.maxOpenRounds).isEqualTo(10_000);
    assertThat(limits.maxPendingBytes).isEqualTo(2L << 30);
    assertThat(limits.maxQueuedRuns).isEqualTo(100);
    assertThat(limits.maxStreamBytes).isEqualTo(256L << 20);
    assertThat(limits.maxBufferedStreamBytes).isNull();
    assertThat(limits.maxMessageSize).isEqualTo(64 << 20);
  }

  @Test
  void limits_acceptPlainBytesAndUnits() {
    ServerLimitOptions limits = parse("--max-pending-bytes", "1073741824",
        "--max-stream-bytes", "64MiB", "--max-buffered-stream-bytes", "512KiB").limits;

    assertThat(limits.maxPendingBytes).isEqualTo(1L << 30);
    assertThat(limits.maxStreamBytes).isEqualTo(64L << 20);
    assertThat(limits.maxBufferedStreamBytes).isEqualTo(512L << 10);
  }

  @Test
  void limits_maxOpenRoundsReachesEngine() throws Exception {
    Holder options = parse("--in-memory", "--work-dir", dir.toString(), "--max-open-rounds", "1");
    EtlEngine engine = options.engine.buildEngine(null, options.limits::applyTo);
    try {
      engine.submit(omsBatch("first"));

      assertThatThrownBy(() -> engine.submit(omsBatch("second")))
          .isInstanceOfSatisfying(EtlException.class,
              e -> assertThat(e.kind()).isEqualTo(ErrorKind.RESOURCE_EXHAUSTED));
    } finally {
      engine.shutdown(Duration.ofSeconds(10));
    }
  }

  @Test
  void limits_streamBytesReachService() throws Exception {
    Holder options = parse("--in-memory", "--work-dir", dir.toString(),
        "--max-stream-bytes", "200", "--max-buffered-stream-bytes", "10000");
    EtlEngine engine = options.engine.buildEngine(null, options.limits::applyTo);
    String name = InProcessServerBuilder.generateName();
    EtlServer.Builder builder = EtlServer.newBuilder(engine)
        .transport(InProcessServerBuilder.forName(name).directExecutor());
    options.limits.applyTo(builder);
    EtlServer server = builder.build().start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      EtlClient client = EtlClient.of(channel);
      List<List<Linha>> chunks = List.of(omsRows(5), omsRows(5), omsRows(5), omsRows(5));

      assertThatThrownBy(() -> client.sendStream(
          DadosRequest.newBuilder().setOrigem("oms").build(), chunks.iterator()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getStatus().getDescription()).contains("over the limit of 200");
          });
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdown(Duration.ofSeconds(10));
    }
  }

  private static Holder parse(String... args) {
    Holder holder = new Holder();
    new CommandLine(holder).parseArgs(args);
    return holder;
  }

  private static Batch omsBatch(String roundKey) {
    return Batch.newBuilder("oms")
        .roundKey(roundKey)
        .payload(RowCodec.encode(List.of(new Row.Oms(7, 100, 12, 1, 1, "03-02-2026"))))
        .build();
  }

  private static List<Linha> omsRows(int count) {
    List<Linha> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rows.add(Linha.newBuilder().setLinhaOms(LinhaOMS.newBuilder()
          .setNumObitos(i).setPopulacao(4000).setCep(12).setNumRecuperados(1)
          .setNumVacinados(900).setData("03-02-2026")).build());
    }
    return rows;
  }
}
