package io.github.etlrpc.bench;

import io.github.etlrpc.api.RowType;
import io.github.etlrpc.core.handoff.JsonHandoffWriter;
import io.github.etlrpc.grpc.proto.DadosRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
 * Write throughput of the JSON hand-off: {@link JsonHandoffWriter} turning one pre-built payload
 * into a complete hand-off file in a temporary directory, including the final flush, fsync and
 * atomic rename that every real hand-off file gets. The primary score is files per second; the
 * secondary {@code megabytes} score is megabytes (10^6 bytes) of JSON written per second.
 *
 * <p>Parameters: {@code source} covers the three row layouts, whose JSON differs in key count
 * (6 or 10 keys) and so in bytes per row; {@code rows} is 20,000, the size of the largest file
 * real clients send per round, so the fsync per file weighs as much as in production.
 *
 * <p>Run: {@code java -jar etl-bench/target/benchmarks.jar JsonHandoffBenchmark}; quick check:
 * {@code java -jar etl-bench/target/benchmarks.jar JsonHandoffBenchmark -f 1 -wi 1 -i 1 -w 1s
 * -r 1s -p source=secretaria}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = BenchSettings.FORKS, jvmArgsAppend = BenchSettings.QUIET_LOGGING)
@Warmup(iterations = BenchSettings.WARMUP_ITERATIONS, time = BenchSettings.WARMUP_SECONDS)
@Measurement(iterations = BenchSettings.MEASUREMENT_ITERATIONS,
    time = BenchSettings.MEASUREMENT_SECONDS)
@State(Scope.Benchmark)
public class JsonHandoffBenchmark {

  @Param({"oms", "hospital", "secretaria"})
  public String source;

  @Param({"20000"})
  public int rows;

  private RowType type;
  private byte[] payload;
  private Path directory;
  private Path file;

  /** JSON megabytes written per thread; JMH reports the sum as megabytes per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class ByteCounter {
    public double megabytes;

    @Setup(Level.Iteration)
    public void reset() {
      megabytes = 0;
    }
  }

  @Setup(Level.Trial)
  public void start() throws IOException {
    type = RowType.valueOf(source.toUpperCase(Locale.ROOT));
    int index = BenchRequests.ROUND_ORDER.indexOf(type);
    DadosRequest request = BenchRequests.oneRound(rows, BenchSettings.SEED).get(index);
    payload = BenchRequests.payload(request);
    directory = Files.createTempDirectory("etl-bench-handoff-");
    file = directory.resolve(source + ".json");
  }

  @TearDown(Level.Trial)
  public void stop() {
    BenchEngine.deleteRecursively(directory);
  }

  @Benchmark
  public long write(ByteCounter counter) throws IOException {
    try (JsonHandoffWriter writer = JsonHandoffWriter.open(file, type)) {
      writer.writePayload(payload, 0, payload.length);
    }
    long bytes = Files.size(file);
    counter.megabytes += bytes / 1e6;
    return bytes;
  }
}
