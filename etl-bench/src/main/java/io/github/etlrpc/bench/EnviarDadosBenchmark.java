package io.github.etlrpc.bench;

import io.github.etlrpc.grpc.EtlGrpcService;
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
 * Latency of one {@code EnviarDados} call through the whole server path: gRPC in-process
 * transport, {@link EtlGrpcService} scanning the request, and a real engine validating and storing
 * the rows, sealing each complete round and running a {@link NoOpPipeline} (no hand-off files).
 * {@link BareServerBenchmark} sends the same requests to a server that only parses them; the
 * difference is the cost of the engine.
 *
 * <p>Parameters: {@code rows} per call spans the sizes clients send (10,000 to 20,000 rows per
 * file today, up to 75,000 for the largest client) by decades, from 100 to 100,000, so the scores
 * show whether latency grows linearly with the batch. {@code store} compares the durable SQLite
 * store with the in-memory one. The requests are built once per trial from a seeded generator,
 * one per source, and the calls rotate through them so that every three calls complete a round.
 *
 * <p>Concurrency: JMH fixes the thread count per run ({@code -t} takes one value), so there is one
 * method per client count, each with {@link Threads}: 1, 5, 7 and 10 threads each send blocking
 * calls in a loop on one shared channel, and the score is the latency of a single call under that
 * load. Pick one with a regular expression, e.g. {@code 'EnviarDadosBenchmark.clients10'}.
 *
 * <p>Run: {@code java -jar etl-bench/target/benchmarks.jar EnviarDadosBenchmark}; quick check:
 * {@code java -jar etl-bench/target/benchmarks.jar EnviarDadosBenchmark -f 1 -wi 1 -i 1 -w 1s
 * -r 1s -p rows=1000}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = BenchSettings.FORKS, jvmArgsAppend = BenchSettings.QUIET_LOGGING)
@Warmup(iterations = BenchSettings.WARMUP_ITERATIONS, time = BenchSettings.WARMUP_SECONDS)
@Measurement(iterations = BenchSettings.MEASUREMENT_ITERATIONS,
    time = BenchSettings.MEASUREMENT_SECONDS)
@State(Scope.Benchmark)
public class EnviarDadosBenchmark {

  @Param({"100", "1000", "10000", "100000"})
  public int rows;

  @Param({"sqlite", "memory"})
  public String store;

  private BenchEngine engine;
  private InProcessTarget target;

  @Setup(Level.Trial)
  public void start() {
    engine = BenchEngine.start(StoreKind.parse(store), NoOpPipeline.withoutHandoffFiles());
    target = InProcessTarget.start(EtlGrpcService.newBuilder(engine.engine()).build(),
        BenchRequests.oneRound(rows, BenchSettings.SEED));
  }

  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    try {
      target.close();
    } finally {
      engine.close();
    }
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
