package io.github.etlrpc.bench;

import io.github.etlrpc.examples.LatencyStats;
import java.util.List;

/**
 * Measurements of one load run: {@code clients} concurrent clients each sending
 * {@code roundsPerClient} rounds of three files to one server.
 *
 * @param server label of the server under test, such as {@code etl-sqlite}
 * @param clients concurrent clients
 * @param run index of the repetition, from 1
 * @param roundsPerClient rounds each client sent
 * @param calls successful calls
 * @param failedCalls calls that ended with an error status
 * @param backpressureRetries attempts the server rejected with RESOURCE_EXHAUSTED and the client
 *     repeated after a pause
 * @param firstError status and description of the first failed call, empty when none failed
 * @param rows rows of the successful calls
 * @param wallNanos time from the start of the first call to the end of the last
 * @param latency per-call latencies of the successful calls
 * @param roundLatenciesMs per settled round: pipeline end minus first accepted batch, in
 *     milliseconds, from the server's {@code Rodada} timestamps
 * @param roundsReported distinct round ids the responses named; 0 for a server without rounds
 * @param roundsUnsettled rounds that did not reach CONCLUIDA within the settle timeout, or were
 *     parked
 * @param cpuSeconds server CPU time, user plus system, from just before the first call until
 *     every round settled; NaN when the server process is unknown
 */
record LoadSample(
    String server,
    int clients,
    int run,
    int roundsPerClient,
    int calls,
    int failedCalls,
    int backpressureRetries,
    String firstError,
    long rows,
    long wallNanos,
    LatencyStats latency,
    List<Double> roundLatenciesMs,
    int roundsReported,
    int roundsUnsettled,
    double cpuSeconds) {

  LoadSample {
    roundLatenciesMs = List.copyOf(roundLatenciesMs);
  }

  /** Rows per second of wall time. */
  double rowsPerSecond() {
    return wallNanos == 0 ? 0 : rows * 1e9 / wallNanos;
  }

  /** Server CPU seconds per million rows, or NaN without a CPU reading or rows. */
  double cpuSecondsPerMillionRows() {
    return rows == 0 ? Double.NaN : cpuSeconds / (rows / 1e6);
  }

  /** Round latency at {@code percentile}, in milliseconds, or NaN without settled rounds. */
  double roundLatencyMs(double percentile) {
    return Percentiles.of(roundLatenciesMs.stream().mapToDouble(Double::doubleValue).toArray(),
        percentile);
  }
}
