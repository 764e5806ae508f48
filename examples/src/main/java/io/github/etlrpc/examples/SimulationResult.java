package io.github.etlrpc.examples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Outcome of a {@link Simulation}: per-client call statistics, the rounds the server reported and
 * the failed calls.
 *
 * @param clients one result per simulated client, by index
 * @param roundIds distinct {@code rodada_id} values of successful responses, in first-seen order
 * @param wallTime time from the first call to the end of the last client
 */
public record SimulationResult(List<ClientResult> clients, List<String> roundIds,
    Duration wallTime) {

  public SimulationResult {
    clients = List.copyOf(clients);
    roundIds = List.copyOf(roundIds);
  }

  /**
   * Outcome of one simulated client.
   *
   * @param clientIndex index of the client, from 1
   * @param stats latencies and rows of its successful calls
   * @param failedCalls calls that ended with an error status
   * @param errors status and description of the first failed calls, at most
   *     {@value Simulation#MAX_ERRORS_KEPT}
   */
  public record ClientResult(int clientIndex, LatencyStats stats, int failedCalls,
      List<String> errors) {

    public ClientResult {
      errors = List.copyOf(errors);
    }
  }

  /** Statistics of all successful calls of all clients. */
  public LatencyStats totals() {
    LatencyStats totals = new LatencyStats();
    for (ClientResult client : clients) {
      totals.addAll(client.stats());
    }
    return totals;
  }

  /** Failed calls of all clients. */
  public int failedCalls() {
    int failed = 0;
    for (ClientResult client : clients) {
      failed += client.failedCalls();
    }
    return failed;
  }

  /** Returns true if any call failed. */
  public boolean hasFailures() {
    return failedCalls() > 0;
  }

  /**
   * Returns the summary lines for a terminal: per client the mean, median and max latency in
   * milliseconds and rows per second of call time, then the totals with rows per second of wall
   * time, then the first errors.
   */
  public List<String> summaryLines() {
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "%-8s %6s %6s %10s %10s %10s %12s %12s",
        "client", "calls", "failed", "mean ms", "median ms", "max ms", "rows", "rows/s"));
    for (ClientResult client : clients) {
      LatencyStats stats = client.stats();
      lines.add(String.format(Locale.ROOT, "%-8d %6d %6d %10.1f %10.1f %10.1f %12d %12.0f",
          client.clientIndex(), stats.count(), client.failedCalls(), stats.meanMillis(),
          stats.medianMillis(), stats.maxMillis(), stats.rows(), stats.rowsPerSecond()));
    }
    LatencyStats totals = totals();
    double wallSeconds = wallTime.toNanos() / 1e9;
    double wallRate = wallSeconds > 0 ? totals.rows() / wallSeconds : 0;
    lines.add(String.format(Locale.ROOT, "%-8s %6d %6d %10.1f %10.1f %10.1f %12d %12.0f",
        "total", totals.count(), failedCalls(), totals.meanMillis(), totals.medianMillis(),
        totals.maxMillis(), totals.rows(), wallRate));
    lines.add(String.format(Locale.ROOT,
        "wall time %.2f s; total rows/s is over wall time, per-client rows/s over call time;"
            + " rounds reported: %d", wallSeconds, roundIds.size()));
    for (ClientResult client : clients) {
      for (String error : client.errors()) {
        lines.add("client " + client.clientIndex() + " error: " + error);
      }
    }
    return lines;
  }
}
