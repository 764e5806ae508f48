package io.github.etlrpc.examples;

import io.github.etlrpc.core.EngineBuilder;
import io.github.etlrpc.grpc.EtlServer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Size and load limits of the {@code server} command, for the gRPC service and the engine. */
final class ServerLimitOptions {
  /** Largest array a JVM allocates, and so the largest batch one stream can collect. */
  private static final long MAX_STREAM_BYTES = Integer.MAX_VALUE - 8;

  @Option(names = "--max-message-size", paramLabel = "BYTES", defaultValue = "64MiB",
      converter = CliConverters.ByteSizeConverter.class,
      description = "Largest request message accepted; clients sending 75,000-row files need"
          + " about 2 MB. Bytes, or a number with KiB, MiB or GiB. Default: ${DEFAULT-VALUE}.")
  long maxMessageSize;

  @Option(names = "--max-rows-per-batch", paramLabel = "N", defaultValue = "1000000",
      description = "Maximum rows in one batch; larger batches get RESOURCE_EXHAUSTED."
          + " Default: ${DEFAULT-VALUE}.")
  int maxRowsPerBatch;

  @Option(names = "--max-concurrent-calls", paramLabel = "N",
      description = "Maximum calls in progress at once over all connections; calls over it get"
          + " RESOURCE_EXHAUSTED. Default: no limit.")
  @Nullable Integer maxConcurrentCalls;

  @Option(names = "--max-stream-bytes", paramLabel = "BYTES", defaultValue = "256MiB",
      converter = CliConverters.ByteSizeConverter.class,
      description = "Maximum payload bytes one EnviarDadosStream call may collect before it"
          + " half-closes; a call over it gets RESOURCE_EXHAUSTED. Bytes, or a number with KiB,"
          + " MiB or GiB. Default: ${DEFAULT-VALUE}.")
  long maxStreamBytes;

  @Option(names = "--max-buffered-stream-bytes", paramLabel = "BYTES",
      converter = CliConverters.ByteSizeConverter.class,
      description = "Maximum payload bytes that all EnviarDadosStream calls which have not yet"
          + " half-closed may hold together; the call whose chunk would go over it gets"
          + " RESOURCE_EXHAUSTED. Bytes, or a number with KiB, MiB or GiB. Default: 512MiB, or a"
          + " quarter of the maximum heap (-Xmx) if that is smaller.")
  @Nullable Long maxBufferedStreamBytes;

  @Option(names = "--max-open-rounds", paramLabel = "N", defaultValue = "10000",
      description = "Maximum rounds open at once; a batch that would open one more gets"
          + " RESOURCE_EXHAUSTED. Default: ${DEFAULT-VALUE}.")
  int maxOpenRounds;

  @Option(names = "--max-pending-bytes", paramLabel = "BYTES", defaultValue = "2GiB",
      converter = CliConverters.ByteSizeConverter.class,
      description = "Maximum payload bytes held in open rounds, summed over all of them; a"
          + " batch that would go over it gets RESOURCE_EXHAUSTED. Bytes, or a number with KiB,"
          + " MiB or GiB. Default: ${DEFAULT-VALUE}.")
  long maxPendingBytes;

  @Option(names = "--max-queued-runs", paramLabel = "N", defaultValue = "100",
      description = "Maximum sealed rounds waiting for a pipeline run; while that many wait,"
          + " new batches get RESOURCE_EXHAUSTED. Default: ${DEFAULT-VALUE}.")
  int maxQueuedRuns;

  /**
   * Checks the values and names the flag of the first one out of range.
   *
   * @throws IllegalArgumentException if a limit is below 1 or too large
   */
  void validate() {
    OptionChecks.inRange(maxMessageSize, 1, Integer.MAX_VALUE, "--max-message-size");
    OptionChecks.atLeast(maxRowsPerBatch, 1, "--max-rows-per-batch");
    if (maxConcurrentCalls != null) {
      OptionChecks.atLeast(maxConcurrentCalls, 1, "--max-concurrent-calls");
    }
    OptionChecks.inRange(maxStreamBytes, 1, MAX_STREAM_BYTES, "--max-stream-bytes");
    if (maxBufferedStreamBytes != null) {
      OptionChecks.atLeast(maxBufferedStreamBytes, 1, "--max-buffered-stream-bytes");
    }
    OptionChecks.atLeast(maxOpenRounds, 1, "--max-open-rounds");
    OptionChecks.atLeast(maxPendingBytes, 1, "--max-pending-bytes");
    OptionChecks.atLeast(maxQueuedRuns, 1, "--max-queued-runs");
  }

  /** Sets the engine's limits. */
  void applyTo(EngineBuilder engine) {
    engine.maxOpenRounds(maxOpenRounds)
        .maxPendingBytes(maxPendingBytes)
        .maxQueuedRuns(maxQueuedRuns);
  }

  /** Sets the server's and the service's limits. */
  void applyTo(EtlServer.Builder server) {
    server.maxInboundMessageSize((int) maxMessageSize)
        .service(options -> {
          options.maxRowsPerBatch(maxRowsPerBatch)
              .maxStreamBatchBytes(maxStreamBytes);
          if (maxBufferedStreamBytes != null) {
            options.maxBufferedStreamBytes(maxBufferedStreamBytes);
          }
        });
    if (maxConcurrentCalls != null) {
      server.maxConcurrentCalls(maxConcurrentCalls);
    }
  }
}
