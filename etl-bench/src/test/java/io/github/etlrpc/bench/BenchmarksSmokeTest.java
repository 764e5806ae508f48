package io.github.etlrpc.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every JMH benchmark through the JMH runner for one short iteration on small inputs, in
 * this JVM, so that a broken setup or a failing call shows up in the build. The scores are not
 * checked beyond being positive: these runs are far too short to mean anything.
 */
class BenchmarksSmokeTest {

  private static ChainedOptionsBuilder quick(String benchmark) {
    return new OptionsBuilder()
        .include(benchmark)
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(300))
        .shouldFailOnError(true)
        .timeUnit(TimeUnit.MILLISECONDS);
  }

  private static void assertScoresPositive(Collection<RunResult> results, int expectedRuns) {
    assertThat(results).hasSize(expectedRuns);
    for (RunResult result : results) {
      String label = result.getParams().getBenchmark() + " " + result.getParams();
      assertThat(result.getPrimaryResult().getScore()).as(label).isPositive();
    }
  }

  @Test
  void enviarDados_bothStoresEveryClientCount() throws RunnerException {
    Collection<RunResult> results = new Runner(
        quick(EnviarDadosBenchmark.class.getName()).param("rows", "100").build()).run();

    assertScoresPositive(results, 4 * 2);
  }

  @Test
  void bareServer_everyClientCount() throws RunnerException {
    Collection<RunResult> results = new Runner(
        quick(BareServerBenchmark.class.getName()).param("rows", "100").build()).run();

    assertScoresPositive(results, 4);
  }

  @Test
  void coreIngest_reportsRowsPerSecond() throws RunnerException {
    Collection<RunResult> results = new Runner(
        quick(CoreIngestBenchmark.class.getName()).param("rows", "1000").build()).run();

    assertScoresPositive(results, 2);
    for (RunResult result : results) {
      Result<?> rows = result.getSecondaryResults().get("rows");
      assertThat(rows).as("rows counter of %s", result.getParams()).isNotNull();
      // Every batch of the rotation has 1,000 rows, so rows/s is 1,000 times batches/s.
      assertThat(rows.getScore())
          .isCloseTo(result.getPrimaryResult().getScore() * 1000,
              org.assertj.core.data.Percentage.withPercentage(1));
    }
  }

  @Test
  void jsonHandoff_reportsMegabytesPerSecond() throws RunnerException {
    Collection<RunResult> results = new Runner(
        quick(JsonHandoffBenchmark.class.getName()).param("rows", "500").build()).run();

    assertScoresPositive(results, 3);
    for (RunResult result : results) {
      Result<?> megabytes = result.getSecondaryResults().get("megabytes");
      assertThat(megabytes).as("megabytes counter of %s", result.getParams()).isNotNull();
      assertThat(megabytes.getScore()).isPositive();
    }
  }
}
