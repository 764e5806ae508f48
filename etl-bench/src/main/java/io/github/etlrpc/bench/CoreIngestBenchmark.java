package io.github.etlrpc.bench;

import io.github.etlrpc.api.Batch;
import io.github.etlrpc.api.SubmitResult;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ingest throughput of the engine alone, without gRPC: {@code engine.submit} of pre-built
 * batches, which validates every row, stores the payload, updates the round and seals it when all
 * three sources have sent; a {@link NoOpPipeline} without hand-off files then runs the sealed
 * round. The primary score is batches per second; the secondary {@code rows} score is rows per
 * second.
 *
 * <p>Parameters: {@code rows} per batch 1,000, 10,000 and 100,000 shows the fixed cost per batch
 * (one store transaction, a round update) against the cost per row; {@code store} compares the
 * durable SQLite store with the in-memory one. The three batches (OMS, hospital, secretaria) are
 * built once per trial from a seeded generator. One thread submits them in rotation, because the
 * benchmark measures the engine's work per batch and not lock contention, which the gRPC
 * benchmarks cover.
 *
 * <p>Run: {@code java -jar etl-bench/target/benchmarks.jar CoreIngestBenchmark}; quick check:
 * {@code java -jar etl-bench/target/benchmarks.jar CoreIngestBenchmark -f 1 -wi 1 -i 1 -w 1s
 * -r 1s -p rows=1000}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = BenchSettings.FORKS, jvmArgsAppend = BenchSettings.QUIET_LOGGING)
@Warmup(iterations = BenchSettings.WARMUP_ITERATIONS, time = BenchSettings.WARMUP_SECONDS)
@Measurement(iterations = BenchSettings.MEASUREMENT_ITERATIONS,
    time = BenchSettings.MEASUREMENT_SECONDS)
@State(Scope.Benchmark)
public class CoreIngestBenchmark {

  @Param({"1000", "10000", "100000"})
  public int rows;

  @Param({"sqlite", "memory"})
  public String store;

  private BenchEngine engine;
  private List<Batch> batches;
  private long sequence;

  /** Rows accepted per thread; JMH reports the sum as a rate, rows per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class RowCounter {
    public long rows;

    @Setup(Level.Iteration)
    public void reset() {
      rows = 0;
    }
  }

  @Setup(Level.Trial)
  public void start() {
    batches = BenchRequests.oneRound(rows, BenchSettings.SEED).stream()
        .map(BenchRequests::toBatch)
        .toList();
    engine = BenchEngine.start(StoreKind.parse(store), NoOpPipeline.withoutHandoffFiles());
  }

  @TearDown(Level.Trial)
  public void stop() {
    engine.close();
  }

  @Benchmark
  public SubmitResult submit(RowCounter counter) {
    Batch batch = batches.get((int) (sequence++ % batches.size()));
    SubmitResult result = engine.engine().submit(batch);
    counter.rows += result.rows();
    return result;
  }
}
