package io.github.etlrpc.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Summary of load runs: per server and client count, the median over repeated runs of each
 * measure, plus the ratios to the baseline server at the same client count. Writes the CSV files
 * and the console table, and checks the performance targets.
 */
final class LoadReport {
  /** Label of the parse-and-acknowledge server that ratios compare against. */
  static final String BASELINE = "bare";

  /**
   * One summarized server and client count. Every measure is the median over {@code runs}.
   *
   * @param throughputVsBaseline median rows/s divided by the baseline's at the same clients
   * @param cpuVsBaseline median CPU per million rows divided by the baseline's
   */
  record Row(String server, int clients, int runs, double rowsPerRun, double latencyMeanMs,
      double latencyMedianMs, double latencyP95Ms, double latencyMaxMs, double rowsPerSecond,
      double roundMedianMs, double roundP95Ms, double roundMaxMs,
      double cpuSecondsPerMillionRows, double throughputVsBaseline, double cpuVsBaseline,
      int failedCalls, int backpressureRetries, int unsettledRounds) {}

  /**
   * A performance target: the ratio of {@code server} to the baseline at the largest client
   * count must stay within {@code limit}.
   */
  private record Target(String server, String measure, boolean atMost, double limit) {}

  private static final List<Target> TARGETS = List.of(
      new Target("etl-sqlite", "cpu", true, 1.5),
      new Target("etl-sqlite-handoff", "cpu", true, 2.5),
      new Target("etl-sqlite", "throughput", false, 0.5),
      new Target("etl-memory", "throughput", false, 0.8));

  private LoadReport() {}

  /** Summarizes {@code samples} in the order servers first appear, then by client count. */
  static List<Row> summarize(List<LoadSample> samples) {
    Map<String, Map<Integer, List<LoadSample>>> grouped = new LinkedHashMap<>();
    for (LoadSample sample : samples) {
      grouped.computeIfAbsent(sample.server(), server -> new java.util.TreeMap<>())
          .computeIfAbsent(sample.clients(), clients -> new ArrayList<>())
          .add(sample);
    }
    Map<Integer, List<LoadSample>> baseline = grouped.getOrDefault(BASELINE, Map.of());
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, Map<Integer, List<LoadSample>>> server : grouped.entrySet()) {
      for (Map.Entry<Integer, List<LoadSample>> entry : server.getValue().entrySet()) {
        List<LoadSample> runs = entry.getValue();
        List<LoadSample> base = baseline.getOrDefault(entry.getKey(), List.of());
        double rowsPerSecond = median(runs, LoadSample::rowsPerSecond);
        double cpuPerMillion = median(runs, LoadSample::cpuSecondsPerMillionRows);
        rows.add(new Row(server.getKey(), entry.getKey(), runs.size(),
            median(runs, sample -> sample.rows()),
            median(runs, sample -> sample.latency().meanMillis()),
            median(runs, sample -> sample.latency().medianMillis()),
            median(runs, sample -> sample.latency().percentileMillis(95)),
            median(runs, sample -> sample.latency().maxMillis()),
            rowsPerSecond,
            median(runs, sample -> sample.roundLatencyMs(50)),
            median(runs, sample -> sample.roundLatencyMs(95)),
            median(runs, sample -> sample.roundLatencyMs(100)),
            cpuPerMillion,
            rowsPerSecond / median(base, LoadSample::rowsPerSecond),
            cpuPerMillion / median(base, LoadSample::cpuSecondsPerMillionRows),
            runs.stream().mapToInt(LoadSample::failedCalls).sum(),
            runs.stream().mapToInt(LoadSample::backpressureRetries).sum(),
            runs.stream().mapToInt(LoadSample::roundsUnsettled).sum()));
      }
    }
    return rows;
  }

  private static double median(List<LoadSample> samples, ToDoubleFunction<LoadSample> measure) {
    return Percentiles.median(samples.stream().mapToDouble(measure).toArray());
  }

  /** Writes one CSV line per sample: the raw data behind the medians. */
  static void writeSamplesCsv(List<LoadSample> samples, Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("server,clients,run,rounds_per_client,calls,failed_calls,backpressure_retries,"
        + "rows,wall_s,"
        + "latency_mean_ms,latency_median_ms,latency_p95_ms,latency_max_ms,rows_per_s,"
        + "rounds,rounds_unsettled,round_latency_median_ms,round_latency_p95_ms,"
        + "round_latency_max_ms,cpu_s,cpu_s_per_million_rows");
    for (LoadSample sample : samples) {
      lines.add(String.join(",", sample.server(), Integer.toString(sample.clients()),
          Integer.toString(sample.run()), Integer.toString(sample.roundsPerClient()),
          Integer.toString(sample.calls()), Integer.toString(sample.failedCalls()),
          Integer.toString(sample.backpressureRetries()), Long.toString(sample.rows()),
          number(sample.wallNanos() / 1e9, 3),
          number(sample.latency().meanMillis(), 2), number(sample.latency().medianMillis(), 2),
          number(sample.latency().percentileMillis(95), 2),
          number(sample.latency().maxMillis(), 2), number(sample.rowsPerSecond(), 0),
          Integer.toString(sample.roundsReported()), Integer.toString(sample.roundsUnsettled()),
          number(sample.roundLatencyMs(50), 1), number(sample.roundLatencyMs(95), 1),
          number(sample.roundLatencyMs(100), 1), number(sample.cpuSeconds(), 2),
          number(sample.cpuSecondsPerMillionRows(), 3)));
    }
    write(file, lines);
  }

  /** Writes one CSV line per summarized server and client count. */
  static void writeResultsCsv(List<Row> rows, Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("server,clients,runs,rows_per_run,latency_mean_ms,latency_median_ms,"
        + "latency_p95_ms,latency_max_ms,rows_per_s,round_latency_median_ms,"
        + "round_latency_p95_ms,round_latency_max_ms,cpu_s_per_million_rows,"
        + "throughput_vs_bare,cpu_vs_bare,failed_calls,backpressure_retries,"
        + "unsettled_rounds");
    for (Row row : rows) {
      lines.add(String.join(",", row.server(), Integer.toString(row.clients()),
          Integer.toString(row.runs()), number(row.rowsPerRun(), 0),
          number(row.latencyMeanMs(), 2), number(row.latencyMedianMs(), 2),
          number(row.latencyP95Ms(), 2), number(row.latencyMaxMs(), 2),
          number(row.rowsPerSecond(), 0), number(row.roundMedianMs(), 1),
          number(row.roundP95Ms(), 1), number(row.roundMaxMs(), 1),
          number(row.cpuSecondsPerMillionRows(), 3), number(row.throughputVsBaseline(), 3),
          number(row.cpuVsBaseline(), 3), Integer.toString(row.failedCalls()),
          Integer.toString(row.backpressureRetries()), Integer.toString(row.unsettledRounds())));
    }
    write(file, lines);
  }

  /** Returns the console table of {@code rows}. */
  static List<String> table(List<Row> rows) {
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT,
        "%-19s %4s %4s %8s %8s %8s %8s %10s %9s %9s %8s %7s %7s %7s",
        "server", "N", "runs", "mean ms", "p50 ms", "p95 ms", "max ms", "rows/s", "round p50",
        "round max", "cpu s/M", "tput x", "cpu x", "retries"));
    for (Row row : rows) {
      lines.add(String.format(Locale.ROOT,
          "%-19s %4d %4d %8.1f %8.1f %8.1f %8.1f %10.0f %9.1f %9.1f %8.2f %7.2f %7.2f %7d",
          row.server(), row.clients(), row.runs(), row.latencyMeanMs(), row.latencyMedianMs(),
          row.latencyP95Ms(), row.latencyMaxMs(), row.rowsPerSecond(), row.roundMedianMs(),
          row.roundMaxMs(), row.cpuSecondsPerMillionRows(), row.throughputVsBaseline(),
          row.cpuVsBaseline(), row.backpressureRetries()));
    }
    lines.add("Medians over runs. round = first accepted batch to pipeline end (ms);"
        + " cpu s/M = server CPU seconds per million rows; tput x and cpu x = ratio to "
        + BASELINE + " at the same N; retries = calls rejected with RESOURCE_EXHAUSTED and"
        + " sent again, summed over runs.");
    return lines;
  }

  /**
   * Returns one line per target whose server was measured, at the largest client count measured
   * for both it and the baseline: the ratio, the limit and whether it holds.
   */
  static List<String> targets(List<Row> rows) {
    List<String> lines = new ArrayList<>();
    for (Target target : TARGETS) {
      Row largest = null;
      for (Row row : rows) {
        boolean comparable = row.server().equals(target.server())
            && !Double.isNaN(target.measure().equals("cpu")
                ? row.cpuVsBaseline() : row.throughputVsBaseline());
        if (comparable && (largest == null || row.clients() > largest.clients())) {
          largest = row;
        }
      }
      if (largest == null) {
        continue;
      }
      boolean cpu = target.measure().equals("cpu");
      double ratio = cpu ? largest.cpuVsBaseline() : largest.throughputVsBaseline();
      boolean holds = target.atMost() ? ratio <= target.limit() : ratio >= target.limit();
      lines.add(String.format(Locale.ROOT, "target %-18s %-10s at %2d clients: %.2fx %s %.1fx"
              + " of %s -> %s", target.server(), cpu ? "CPU/row" : "throughput",
          largest.clients(), ratio, target.atMost() ? "<=" : ">=", target.limit(), BASELINE,
          holds ? "holds" : "MISSED"));
    }
    return lines;
  }

  private static String number(double value, int decimals) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "";
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }

  private static void write(Path file, List<String> lines) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(file, lines, StandardCharsets.UTF_8);
  }
}
