package io.github.etlrpc.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.etlrpc.grpc.EtlServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs the load generator end to end on small files: real child JVMs, loopback Netty, real
 * engines. Checks the shape of the output, not the speed.
 */
class LoadGeneratorTest {
  private static final List<String> SMALL_FILES = List.of("--oms-rows", "300",
      "--hospital-rows", "100-200", "--secretaria-rows", "500", "--server-jvm-args", "-Xmx256m");

  private static int run(List<String> args, ByteArrayOutputStream output) {
    PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
    return new CommandLine(new LoadGenerator(out)).execute(args.toArray(String[]::new));
  }

  private static List<String[]> csv(Path file) throws IOException {
    List<String[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      rows.add(line.split(",", -1));
    }
    return rows;
  }

  @Test
  void childServers_reportEveryServerAndClientCount(@TempDir Path out) throws IOException {
    List<String> args = new ArrayList<>(List.of("--clients", "1,2", "--rounds", "2", "--runs", "2",
        "--warmup-rounds", "1", "--servers", "bare,etl-sqlite-handoff,etl-memory",
        "--out-dir", out.toString()));
    args.addAll(SMALL_FILES);
    ByteArrayOutputStream output = new ByteArrayOutputStream();

    int exitCode = run(args, output);

    String printed = output.toString(StandardCharsets.UTF_8);
    assertThat(exitCode).as(printed).isZero();
    assertThat(printed).contains("target etl-sqlite-handoff CPU/row", "target etl-memory");
    List<String[]> results = csv(out.resolve("load-results.csv"));
    List<String> header = List.of(results.get(0));
    assertThat(results).hasSize(1 + 3 * 2);
    for (String[] row : results.subList(1, results.size())) {
      String server = row[0];
      assertThat(row[header.indexOf("runs")]).isEqualTo("2");
      // Each client sends 2 rounds of 300 + 100..200 + 500 rows.
      double rowsPerRun = Double.parseDouble(row[header.indexOf("rows_per_run")]);
      int clients = Integer.parseInt(row[header.indexOf("clients")]);
      assertThat(rowsPerRun).isBetween(clients * 2 * 900.0, clients * 2 * 1000.0);
      assertThat(Double.parseDouble(row[header.indexOf("rows_per_s")])).isPositive();
      assertThat(row[header.indexOf("cpu_s_per_million_rows")]).isNotEmpty();
      assertThat(row[header.indexOf("throughput_vs_bare")]).isNotEmpty();
      assertThat(row[header.indexOf("failed_calls")]).isEqualTo("0");
      assertThat(row[header.indexOf("unsettled_rounds")]).isEqualTo("0");
      String roundLatency = row[header.indexOf("round_latency_median_ms")];
      if (server.equals("bare")) {
        assertThat(roundLatency).as("bare has no rounds").isEmpty();
      } else {
        assertThat(Double.parseDouble(roundLatency)).as(server).isNotNegative();
      }
    }
    assertThat(csv(out.resolve("load-runs.csv"))).hasSize(1 + 3 * 2 * 2);
    BufferedImage chart = ImageIO.read(out.resolve("load-chart.png").toFile());
    assertThat(chart.getWidth()).isEqualTo(900);
    assertThat(chart.getHeight()).isEqualTo(1100);
  }

  @Test
  void target_measuresRunningServer(@TempDir Path out, @TempDir Path work) throws Exception {
    BenchEngine engine = BenchEngine.start(StoreKind.MEMORY, NoOpPipeline.withoutHandoffFiles(),
        work.resolve("engine"));
    EtlServer server = EtlServer.newBuilder(engine.engine()).bindAddress("127.0.0.1").port(0)
        .build().start();
    try {
      List<String> args = new ArrayList<>(List.of("--clients", "2", "--rounds", "1", "--runs",
          "1", "--warmup-rounds", "0", "--target", "127.0.0.1:" + server.port(),
          "--target-label", "in-test", "--target-pid",
          Long.toString(ProcessHandle.current().pid()), "--out-dir", out.toString()));
      args.addAll(SMALL_FILES);
      ByteArrayOutputStream output = new ByteArrayOutputStream();

      int exitCode = run(args, output);

      assertThat(exitCode).as(output.toString(StandardCharsets.UTF_8)).isZero();
      List<String[]> results = csv(out.resolve("load-results.csv"));
      List<String> header = List.of(results.get(0));
      assertThat(results).hasSize(2);
      String[] row = results.get(1);
      assertThat(row[0]).isEqualTo("in-test");
      assertThat(Double.parseDouble(row[header.indexOf("round_latency_median_ms")]))
          .isNotNegative();
      assertThat(row[header.indexOf("cpu_s_per_million_rows")]).isNotEmpty();
      assertThat(row[header.indexOf("throughput_vs_bare")]).as("no baseline measured").isEmpty();
      assertThat(engine.pipeline().runs()).as("one round per client").isEqualTo(2);
    } finally {
      server.shutdown(Duration.ofSeconds(10));
      BenchEngine.deleteRecursively(work);
    }
  }

  @Test
  void unknownServer_usageError(@TempDir Path out) {
    ByteArrayOutputStream output = new ByteArrayOutputStream();

    int exitCode = run(List.of("--servers", "nginx", "--out-dir", out.toString()), output);

    assertThat(exitCode).isEqualTo(2);
    assertThat(out).isEmptyDirectory();
  }
}
