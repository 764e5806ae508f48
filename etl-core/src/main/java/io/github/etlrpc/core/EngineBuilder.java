package io.github.etlrpc.core;

import io.github.etlrpc.api.CompletionPolicy;
import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.PipelineInvoker;
import io.github.etlrpc.api.RoundStore;
import io.github.etlrpc.api.SourceCatalog;
import io.github.etlrpc.core.engine.DefaultEtlEngine;
import io.github.etlrpc.core.engine.EngineSettings;
import io.github.etlrpc.core.engine.WorkDirectoryLock;
import io.github.etlrpc.core.store.InMemoryRoundStore;
import io.github.etlrpc.core.store.SqliteRoundStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Builder of an {@link EtlEngine}. Every option has a default except {@link #pipeline}. Not
 * thread-safe; {@link #build()} may be called once.
 */
public final class EngineBuilder {
  private SourceCatalog sources = SourceCatalog.defaults();
  private Path workDirectory = Path.of("etl-work");
  private @Nullable RoundStore store;
  private boolean inMemoryStore;
  private @Nullable PipelineInvoker pipeline;
  private CompletionPolicy completionPolicy = CompletionPolicy.allRequiredSources();
  private LateBatchPolicy lateBatches = LateBatchPolicy.REJECT;
  private int pipelineConcurrency = 1;
  private int maxQueuedRuns = 100;
  private int maxOpenRounds = 10_000;
  private long maxPendingBytes = 2L << 30;
  private int maxAttempts = 3;
  private Duration initialBackoff = Duration.ofSeconds(1);
  private Duration maxBackoff = Duration.ofSeconds(60);
  private HandoffRetention handoffRetention = HandoffRetention.DELETE_ON_SUCCESS;
  private @Nullable MeterRegistry meterRegistry;
  private Clock clock = Clock.systemUTC();
  private boolean built;

  EngineBuilder() {}

  /** Sets the known and required sources. Default: {@link SourceCatalog#defaults()}. */
  public EngineBuilder sources(SourceCatalog sources) {
    this.sources = Objects.requireNonNull(sources, "sources");
    return this;
  }

  /**
   * Sets the work directory: round folders go under {@code rounds/}, the default store is
   * {@code etl.db}. Created if missing. Default: {@code etl-work} in the current directory.
   */
  public EngineBuilder workDirectory(Path workDirectory) {
    this.workDirectory = Objects.requireNonNull(workDirectory, "workDirectory");
    return this;
  }

  /**
   * Sets the store. The engine closes it on shutdown. Default: a durable
   * {@link SqliteRoundStore} at {@code <workDirectory>/etl.db}.
   */
  public EngineBuilder store(RoundStore store) {
    this.store = Objects.requireNonNull(store, "store");
    this.inMemoryStore = false;
    return this;
  }

  /** Uses an {@link InMemoryRoundStore}: fast, but a crash loses every accepted batch. */
  public EngineBuilder inMemoryStore() {
    this.store = null;
    this.inMemoryStore = true;
    return this;
  }

  /** Sets the pipeline that runs on each sealed round. Required. */
  public EngineBuilder pipeline(PipelineInvoker pipeline) {
    this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    return this;
  }

  /** Sets when an open round is complete. Default: every required source sent a batch. */
  public EngineBuilder completionPolicy(CompletionPolicy completionPolicy) {
    this.completionPolicy = Objects.requireNonNull(completionPolicy, "completionPolicy");
    return this;
  }

  /** Sets what a batch for a sealed keyed round does. Default: {@link LateBatchPolicy#REJECT}. */
  public EngineBuilder lateBatches(LateBatchPolicy lateBatches) {
    this.lateBatches = Objects.requireNonNull(lateBatches, "lateBatches");
    return this;
  }

  /**
   * Sets how many pipeline runs may execute at once, on threads of their own. Default: 1.
   *
   * @throws IllegalArgumentException if below 1
   */
  public EngineBuilder pipelineConcurrency(int pipelineConcurrency) {
    this.pipelineConcurrency = requireAtLeast(pipelineConcurrency, 1, "pipelineConcurrency");
    return this;
  }

  /**
   * Sets how many sealed rounds may wait for the pipeline before new batches get
   * RESOURCE_EXHAUSTED. Default: 100.
   */
  public EngineBuilder maxQueuedRuns(int maxQueuedRuns) {
    this.maxQueuedRuns = requireAtLeast(maxQueuedRuns, 1, "maxQueuedRuns");
    return this;
  }

  /** Sets how many rounds may be open at once before a batch for a new round is rejected. */
  public EngineBuilder maxOpenRounds(int maxOpenRounds) {
    this.maxOpenRounds = requireAtLeast(maxOpenRounds, 1, "maxOpenRounds");
    return this;
  }

  /** Sets the maximum payload bytes held in open rounds. Default: 2 GiB. */
  public EngineBuilder maxPendingBytes(long maxPendingBytes) {
    if (maxPendingBytes < 1) {
      throw new IllegalArgumentException(
          "maxPendingBytes is " + maxPendingBytes + "; use 1 or more");
    }
    this.maxPendingBytes = maxPendingBytes;
    return this;
  }

  /** Sets pipeline attempts per round before it is parked in ESTACIONADA. Default: 3. */
  public EngineBuilder maxAttempts(int maxAttempts) {
    this.maxAttempts = requireAtLeast(maxAttempts, 1, "maxAttempts");
    return this;
  }

  /**
   * Sets the wait before a failed round runs again: {@code initial} after the first failure,
   * doubling up to {@code max}. Default: 1 second doubling to 60 seconds.
   */
  public EngineBuilder retryBackoff(Duration initial, Duration max) {
    if (initial.isNegative() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "Retry backoff " + initial + " to " + max + " is invalid; use 0 <= initial <= max");
    }
    this.initialBackoff = initial;
    this.maxBackoff = max;
    return this;
  }

  /** Sets whether hand-off files are kept. Default: deleted after a successful run. */
  public EngineBuilder handoffRetention(HandoffRetention handoffRetention) {
    this.handoffRetention = Objects.requireNonNull(handoffRetention, "handoffRetention");
    return this;
  }

  /** Sets the registry for the engine's metrics. Default: none recorded. */
  public EngineBuilder meterRegistry(MeterRegistry meterRegistry) {
    this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
    return this;
  }

  /** Sets the clock for round timestamps and timeouts. Default: the system UTC clock. */
  public EngineBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Opens the store, recovers the rounds it holds and starts the engine.
   *
   * @throws IllegalStateException if no pipeline was set, build was already called, or another
   *     engine, in this or another process, uses the work directory
   * @throws UncheckedIOException if the work directory cannot be created
   */
  public EtlEngine build() {
    if (built) {
      throw new IllegalStateException("build() was already called on this builder");
    }
    if (pipeline == null) {
      throw new IllegalStateException("No pipeline set; call pipeline(PipelineInvoker) first");
    }
    built = true;
    Path work = workDirectory.toAbsolutePath().normalize();
    try {
      Files.createDirectories(work.resolve("rounds"));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create work directory " + work, e);
    }
    WorkDirectoryLock lock = WorkDirectoryLock.acquire(work);
    try {
      RoundStore chosen = store;
      if (chosen == null) {
        chosen = inMemoryStore
            ? new InMemoryRoundStore()
            : SqliteRoundStore.open(work.resolve("etl.db"));
      }
      EngineSettings settings = new EngineSettings(sources, work, chosen, pipeline,
          completionPolicy, lateBatches, pipelineConcurrency, maxQueuedRuns, maxOpenRounds,
          maxPendingBytes, maxAttempts, initialBackoff, maxBackoff, handoffRetention,
          meterRegistry, clock, lock);
      return DefaultEtlEngine.start(settings);
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  private static int requireAtLeast(int value, int minimum, String name) {
    if (value < minimum) {
      throw new IllegalArgumentException(name + " is " + value + "; use " + minimum + " or more");
    }
    return value;
  }
}
