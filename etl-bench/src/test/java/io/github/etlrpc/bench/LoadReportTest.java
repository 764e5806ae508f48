package io.github.etlrpc.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.etlrpc.examples.LatencyStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadReportTest {
  private static final long SECOND = 1_000_000_000L;

  /** A run that sent {@code rows} rows in {@code seconds} with calls of the given latencies. */
  private static LoadSample sample(String server, int clients, int run, long rows, double seconds,
      double cpuSeconds, List<Double> roundMs, long... callMillis) {
    LatencyStats latency = new LatencyStats();
    for (long millis : callMillis) {
      latency.record(millis * 1_000_000L, rows / callMillis.length);
    }
    return new LoadSample(server, clients, run, 1, callMillis.length, 0, 0, "", rows,
        (long) (seconds * SECOND), latency, roundMs, roundMs.size(), 0, cpuSeconds);
  }

  @Test
  void summarize_mediansAndRatiosToBare() {
    List<LoadSample> samples = List.of(
        sample("bare", 2, 1, 1_000_000, 1.0, 1.0, List.of(), 10, 20),
        sample("bare", 2, 2, 1_000_000, 2.0, 3.0, List.of(), 10, 20),
        sample("bare", 2, 3, 1_000_000, 4.0, 2.0, List.of(), 10, 20),
        sample("etl-sqlite", 2, 1, 1_000_000, 2.0, 3.0, List.of(100.0, 300.0), 30, 50),
        sample("etl-sqlite", 2, 2, 1_000_000, 4.0, 2.0, List.of(200.0), 30, 50),
        sample("etl-sqlite", 2, 3, 1_000_000, 8.0, 4.0, List.of(400.0), 30, 50));

    List<LoadReport.Row> rows = LoadReport.summarize(samples);

    assertThat(rows).extracting(LoadReport.Row::server).containsExactly("bare", "etl-sqlite");
    LoadReport.Row bare = rows.get(0);
    LoadReport.Row sqlite = rows.get(1);
    assertThat(bare.runs()).isEqualTo(3);
    assertThat(bare.rowsPerSecond()).isCloseTo(500_000, within(1.0));
    assertThat(bare.cpuSecondsPerMillionRows()).isCloseTo(2.0, within(1e-9));
    assertThat(bare.roundMedianMs()).isNaN();
    assertThat(sqlite.rowsPerSecond()).isCloseTo(250_000, within(1.0));
    assertThat(sqlite.cpuSecondsPerMillionRows()).isCloseTo(3.0, within(1e-9));
    assertThat(sqlite.throughputVsBaseline()).isCloseTo(0.5, within(1e-9));
    assertThat(sqlite.cpuVsBaseline()).isCloseTo(1.5, within(1e-9));
    assertThat(sqlite.latencyMeanMs()).isCloseTo(40, within(1e-9));
    assertThat(sqlite.latencyMaxMs()).isCloseTo(50, within(1e-9));
    // Per-run round medians are 200, 200 and 400 ms.
    assertThat(sqlite.roundMedianMs()).isCloseTo(200, within(1e-9));
  }

  @Test
  void targets_reportHoldsAndMissedAtLargestClients() {
    List<LoadSample> samples = List.of(
        sample("bare", 1, 1, 1_000_000, 1.0, 1.0, List.of(), 10),
        sample("bare", 4, 1, 1_000_000, 1.0, 1.0, List.of(), 10),
        sample("etl-sqlite", 1, 1, 1_000_000, 1.0, 9.0, List.of(), 10),
        sample("etl-sqlite", 4, 1, 1_000_000, 1.5, 1.2, List.of(), 10),
        sample("etl-memory", 4, 1, 1_000_000, 2.0, 1.0, List.of(), 10));

    List<String> lines = LoadReport.targets(LoadReport.summarize(samples));

    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).contains("etl-sqlite", "CPU/row", "at  4 clients", "1.20x",
        "holds");
    assertThat(lines.get(1)).contains("etl-sqlite", "throughput", "0.67x", "holds");
    assertThat(lines.get(2)).contains("etl-memory", "throughput", "0.50x", "MISSED");
  }

  @Test
  void writeCsv_oneLinePerSampleAndRow(@TempDir Path dir) throws IOException {
    List<LoadSample> samples = List.of(
        sample("bare", 1, 1, 1_000, 0.5, Double.NaN, List.of(), 10),
        sample("bare", 1, 2, 1_000, 0.5, Double.NaN, List.of(), 12));

    LoadReport.writeSamplesCsv(samples, dir.resolve("runs.csv"));
    LoadReport.writeResultsCsv(LoadReport.summarize(samples), dir.resolve("results.csv"));

    List<String> runs = Files.readAllLines(dir.resolve("runs.csv"));
    List<String> results = Files.readAllLines(dir.resolve("results.csv"));
    assertThat(runs).hasSize(3);
    assertThat(runs.get(0)).startsWith("server,clients,run,");
    assertThat(runs.get(1)).startsWith("bare,1,1,1,1,0,0,1000,0.500,");
    assertThat(results).hasSize(2);
    assertThat(results.get(1)).startsWith("bare,1,2,1000,11.00,11.00,");
    // An unknown CPU time leaves the CPU columns empty instead of printing NaN.
    assertThat(results.get(1)).doesNotContain("NaN").contains(",2000,,,,");
  }
}
