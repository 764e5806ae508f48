package io.github.etlrpc.core.engine;

import io.github.etlrpc.api.CompletionPolicy;
import io.github.etlrpc.api.PipelineInvoker;
import io.github.etlrpc.api.RoundStore;
import io.github.etlrpc.api.SourceCatalog;
import io.github.etlrpc.core.HandoffRetention;
import io.github.etlrpc.core.LateBatchPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Validated options of one engine, as collected by the public builder. */
public record EngineSettings(
    SourceCatalog sources,
    Path workDirectory,
    RoundStore store,
    PipelineInvoker pipeline,
    CompletionPolicy completionPolicy,
    LateBatchPolicy lateBatches,
    int pipelineConcurrency,
    int maxQueuedRuns,
    int maxOpenRounds,
    long maxPendingBytes,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    HandoffRetention handoffRetention,
    @Nullable MeterRegistry meterRegistry,
    Clock clock,
    WorkDirectoryLock workDirectoryLock) {}
