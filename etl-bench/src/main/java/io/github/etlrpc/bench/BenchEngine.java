package io.github.etlrpc.bench;

import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.core.EngineBuilder;
import io.github.etlrpc.core.EtlEngines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running engine with a no-op pipeline in a temporary work directory of its own, which
 * {@link #close()} deletes. Benchmarks start one per trial so that no state carries over.
 */
public final class BenchEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BenchEngine.class);
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
  /** Sealed rounds that may wait for the pipeline in a JMH engine. */
  static final int JMH_MAX_QUEUED_RUNS = 1_000_000;
  private static final Set<RoundState> WAITING =
      EnumSet.of(RoundState.FECHADA, RoundState.EXECUTANDO, RoundState.FALHOU);

  private final EtlEngine engine;
  private final Path workDirectory;
  private final NoOpPipeline pipeline;

  private BenchEngine(EtlEngine engine, Path workDirectory, NoOpPipeline pipeline) {
    this.engine = engine;
    this.workDirectory = workDirectory;
    this.pipeline = pipeline;
  }

  /**
   * Starts an engine for a JMH benchmark: {@code store} and {@code pipeline} in a new directory
   * under {@code java.io.tmpdir}, with room for {@value #JMH_MAX_QUEUED_RUNS} sealed rounds
   * waiting for the pipeline. Small batches seal rounds faster than the pipeline dispatcher runs
   * them, and the default limit of 100 would then reject calls with RESOURCE_EXHAUSTED; the JMH
   * benchmarks measure the acknowledgement path, so they let the backlog grow instead, and
   * {@link #close()} logs how large it got.
   */
  public static BenchEngine start(StoreKind store, NoOpPipeline pipeline) {
    Path work;
    try {
      work = Files.createTempDirectory("etl-bench-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a temporary work directory", e);
    }
    return start(store, pipeline, work,
        builder -> builder.maxQueuedRuns(JMH_MAX_QUEUED_RUNS));
  }

  /**
   * Starts an engine on {@code store} with {@code pipeline} in {@code workDirectory}, which
   * {@link #close()} deletes, with the engine's defaults for every other option.
   */
  public static BenchEngine start(StoreKind store, NoOpPipeline pipeline, Path workDirectory) {
    return start(store, pipeline, workDirectory, builder -> { });
  }

  private static BenchEngine start(StoreKind store, NoOpPipeline pipeline, Path workDirectory,
      Consumer<EngineBuilder> options) {
    EngineBuilder builder = EtlEngines.newBuilder()
        .workDirectory(workDirectory)
        .pipeline(pipeline);
    if (store == StoreKind.MEMORY) {
      builder.inMemoryStore();
    }
    options.accept(builder);
    EtlEngine engine = builder.build();
    log.info("Benchmark engine started: store {}, hand-off files {}, work directory {}",
        store.label(), pipeline.usesHandoffFiles() ? "on" : "off", workDirectory);
    return new BenchEngine(engine, workDirectory, pipeline);
  }

  public EtlEngine engine() {
    return engine;
  }

  public NoOpPipeline pipeline() {
    return pipeline;
  }

  public Path workDirectory() {
    return workDirectory;
  }

  /** Shuts the engine down, waiting up to 30 seconds for pipeline runs, and deletes its files. */
  @Override
  public void close() {
    log.info("Benchmark engine stopping: the pipeline ran {} rounds, {} sealed rounds still"
        + " wait for it", pipeline.runs(), engine.rounds(WAITING).size());
    try {
      engine.shutdown(SHUTDOWN_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      deleteRecursively(workDirectory);
    }
  }

  /** Deletes {@code directory} and everything under it; logs and goes on if a file stays. */
  static void deleteRecursively(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          log.warn("Cannot delete benchmark file {}: {}", path, e.toString());
        }
      });
    } catch (IOException e) {
      log.warn("Cannot list benchmark directory {} for deletion: {}", directory, e.toString());
    }
  }
}
