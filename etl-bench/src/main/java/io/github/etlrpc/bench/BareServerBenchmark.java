package io.github.etlrpc.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Baseline for {@link EnviarDadosBenchmark}: the same requests, rotation, threads and transport
 * against a {@link BareEtlService}, which parses each {@code DadosRequest} completely with the
 * generated protobuf code and acknowledges it without storing anything. This is the least a
 * server that reads every row can do, so the gap to {@link EnviarDadosBenchmark} is what the
 * engine costs per call.
 *
 * <p>Parameters and methods mirror {@link EnviarDadosBenchmark}: {@code rows} 100 to 100,000 by
 * decades, and one method per client count (1, 5, 7, 10 threads) because JMH's {@code -t} takes
 * one value per run. There is no store parameter.
 *
 * <p>Run: {@code java -jar etl-bench/target/benchmarks.jar BareServerBenchmark}; quick check:
 * {@code java -jar etl-bench/target/benchmarks.jar BareServerBenchmark -f 1 -wi 1 -i 1 -w 1s
 * -r 1s -p rows=1000}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = BenchSettings.FORKS, jvmArgsAppend = BenchSettings.QUIET_LOGGING)
@Warmup(iterations = BenchSettings.WARMUP_ITERATIONS, time = BenchSettings.WARMUP_SECONDS)
@Measurement(iterations = BenchSettings.MEASUREMENT_ITERATIONS,
    time = BenchSettings.MEASUREMENT_SECONDS)
@State(Scope.Benchmark)
public class BareServerBenchmark {

  @Param({"100", "1000", "10000", "100000"})
  public int rows;

  private InProcessTarget target;

  @Setup(Level.Trial)
  public void start() {
    target = InProcessTarget.start(new BareEtlService(),
        BenchRequests.oneRound(rows, BenchSettings.SEED));
  }

  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    target.close();
  }

  @Benchmark
  @Threads(1)
  public void clients01(Blackhole blackhole) {
    blackhole.consume(target.send());
  }

  @Benchmark
  @Threads(5)
  public void clients05(Blackhole blackhole) {
    blackhole.consume(target.send());
  }

  @Benchmark
  @Threads(7)
  public void clients07(Blackhole blackhole) {
    blackhole.consume(target.send());
  }

  @Benchmark
  @Threads(10)
  public void clients10(Blackhole blackhole) {
    blackhole.consume(target.send());
  }
}
