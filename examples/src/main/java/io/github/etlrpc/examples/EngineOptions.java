package io.github.etlrpc.examples;

import io.github.etlrpc.api.CompletionPolicy;
import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.PipelineInvoker;
import io.github.etlrpc.api.SourceCatalog;
import io.github.etlrpc.core.EngineBuilder;
import io.github.etlrpc.core.EtlEngines;
import io.github.etlrpc.core.HandoffRetention;
import io.github.etlrpc.core.LateBatchPolicy;
import io.github.etlrpc.core.pipeline.ExternalProgramInvoker;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Engine and pipeline options shared by {@code server} and {@code rerun}. */
final class EngineOptions {
  @Option(names = "--work-dir", paramLabel = "DIR", defaultValue = "etl-work",
      description = "Work directory: the store etl.db, round folders under rounds/ and, with"
          + " the in-JVM pipeline, CSV outputs under output/<round id>/. Default: ${DEFAULT-VALUE}"
          + " in the current directory.")
  Path workDirectory;

  @Option(names = "--sources", paramLabel = "SOURCE", split = ",",
      defaultValue = "oms,hospital,secretaria",
      description = "Sources a round needs before it is complete, comma-separated, from oms,"
          + " hospital and secretaria. Default: ${DEFAULT-VALUE}.")
  List<String> requiredSources;

  @Option(names = "--pipeline-command", paramLabel = "COMMAND",
      description = "External pipeline program run on each complete round, such as \"prog {oms}"
          + " {secretaria} {hospital}\": {oms}, {secretaria} and {hospital} become the paths of"
          + " the JSON hand-off files, {round} the round id; without source placeholders the"
          + " files are appended in that order. Exit code 0 means success. Default: the"
          + " reference pipeline in-JVM, writing CSV files to <work-dir>/output/<round id>/.")
  @Nullable String pipelineCommand;

  @Option(names = "--pipeline-timeout", paramLabel = "DURATION",
      converter = CliConverters.DurationConverter.class,
      description = "Time limit of one run of --pipeline-command (such as 90s or 30m); a run"
          + " over it is killed with its child processes and counts as a failed attempt."
          + " Default: 30m.")
  @Nullable Duration pipelineTimeout;

  @Option(names = "--pipeline-concurrency", paramLabel = "N", defaultValue = "1",
      description = "Pipeline runs that may execute at once. Default: ${DEFAULT-VALUE}.")
  int pipelineConcurrency;

  @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "3",
      description = "Pipeline attempts per round before it is parked as ESTACIONADA."
          + " Default: ${DEFAULT-VALUE}.")
  int maxAttempts;

  @Option(names = "--in-memory",
      description = "Keeps rounds in memory only: faster, but a crash or restart loses every"
          + " accepted batch. Default: a durable SQLite store at <work-dir>/etl.db.")
  boolean inMemory;

  @Option(names = "--keep-handoff-files",
      description = "Keeps the JSON hand-off files of rounds whose pipeline succeeded. Default:"
          + " deleted after success, kept for failed rounds.")
  boolean keepHandoffFiles;

  @Option(names = "--round-timeout", paramLabel = "DURATION",
      converter = CliConverters.DurationConverter.class,
      description = "Time after which an incomplete round is sealed or parked, as"
          + " --on-round-timeout says (such as 10m). Default: rounds wait forever.")
  @Nullable Duration roundTimeout;

  @Option(names = "--round-timeout-from", paramLabel = "first|last", defaultValue = "first",
      converter = CliConverters.TimeoutStartConverter.class,
      description = "Whether --round-timeout counts from the round's first or its latest batch."
          + " Default: first.")
  CompletionPolicy.TimeoutStart roundTimeoutFrom;

  @Option(names = "--on-round-timeout", paramLabel = "seal|park", defaultValue = "park",
      converter = CliConverters.OnTimeoutConverter.class,
      description = "What a timed-out round does: seal runs the pipeline with the sources"
          + " present (missing ones get empty files), park keeps it as ESTACIONADA for an"
          + " operator. Default: park.")
  CompletionPolicy.OnTimeout onRoundTimeout;

  @Option(names = "--min-batches", paramLabel = "SOURCE=N", split = ",",
      description = "Batches a source must send before a round is complete, such as"
          + " hospital=10; each source must be one of --sources. Sources not listed need 1.")
  Map<String, Integer> minBatches = new LinkedHashMap<>();

  @Option(names = "--late-batches", paramLabel = "reject|new-round", defaultValue = "reject",
      converter = CliConverters.LateBatchesConverter.class,
      description = "What a batch with the key of an already sealed round does: reject fails it"
          + " with FAILED_PRECONDITION, new-round opens a new round with that key."
          + " Default: reject.")
  LateBatchPolicy lateBatches;

  /** Returns the pipeline: the external program if set, else the in-JVM reference pipeline. */
  PipelineInvoker pipeline(SourceCatalog sources) {
    if (pipelineCommand == null) {
      return ReferencePipeline.invoker(outputDirectory());
    }
    ExternalProgramInvoker.Builder builder = ExternalProgramInvoker.newBuilder()
        .command(pipelineCommand)
        .sources(sources);
    if (pipelineTimeout != null) {
      builder.timeout(pipelineTimeout);
    }
    return builder.build();
  }

  /** Folder under which the in-JVM reference pipeline writes one folder per round. */
  Path outputDirectory() {
    return workDirectory.resolve("output");
  }

  /** Returns the completion policy from --min-batches and the round timeout options. */
  CompletionPolicy completionPolicy() {
    CompletionPolicy policy = CompletionPolicy.minBatches(minBatches);
    if (roundTimeout != null) {
      policy = policy.withTimeout(roundTimeout, roundTimeoutFrom, onRoundTimeout);
    }
    return policy;
  }

  /**
   * Checks the option values and names the flag of the first invalid one.
   *
   * @throws IllegalArgumentException if a count or duration is out of range, or
   *     {@code --sources} or {@code --min-batches} names a source that is unknown or listed twice
   */
  void validate() {
    OptionChecks.atLeast(pipelineConcurrency, 1, "--pipeline-concurrency");
    OptionChecks.atLeast(maxAttempts, 1, "--max-attempts");
    if (pipelineTimeout != null) {
      OptionChecks.positive(pipelineTimeout, "--pipeline-timeout");
    }
    if (roundTimeout != null) {
      OptionChecks.positive(roundTimeout, "--round-timeout");
    }
    Set<String> required = checkSources();
    checkMinBatches(required);
  }

  /** Returns the normalized names of {@code --sources}, each a known source listed once. */
  private Set<String> checkSources() {
    Set<String> known = SourceCatalog.defaults().rowTypes().keySet();
    Set<String> required = new HashSet<>();
    for (String source : requiredSources) {
      String name = SourceCatalog.normalize(source);
      if (!known.contains(name)) {
        throw new IllegalArgumentException("--sources names unknown source '" + source
            + "'; known sources: " + String.join(", ", known));
      }
      if (!required.add(name)) {
        throw new IllegalArgumentException("--sources lists '" + name + "' twice");
      }
    }
    return required;
  }

  private void checkMinBatches(Set<String> required) {
    Set<String> known = SourceCatalog.defaults().rowTypes().keySet();
    Set<String> seen = new HashSet<>();
    for (Map.Entry<String, Integer> entry : minBatches.entrySet()) {
      String value = entry.getKey() + "=" + entry.getValue();
      String name = SourceCatalog.normalize(entry.getKey());
      if (!known.contains(name)) {
        throw new IllegalArgumentException("--min-batches " + value + " names unknown source '"
            + entry.getKey() + "'; known sources: " + String.join(", ", known));
      }
      if (!required.contains(name)) {
        throw new IllegalArgumentException("--min-batches " + value + " names '" + name
            + "', which --sources leaves out (" + String.join(",", requiredSources)
            + "); add it to --sources or drop the entry");
      }
      if (!seen.add(name)) {
        throw new IllegalArgumentException("--min-batches lists '" + name + "' twice");
      }
      if (entry.getValue() < 1) {
        throw new IllegalArgumentException(
            "--min-batches " + value + " has a count below 1; use 1 or more");
      }
    }
  }

  /**
   * Builds and starts an engine with these options.
   *
   * @param meterRegistry registry for the engine's metrics, or null for none
   * @throws IllegalArgumentException if an option value is invalid
   */
  EtlEngine buildEngine(@Nullable MeterRegistry meterRegistry) {
    return buildEngine(meterRegistry, builder -> {});
  }

  /**
   * Builds and starts an engine with these options, after {@code moreSettings} has set further
   * engine options such as limits.
   *
   * @param meterRegistry registry for the engine's metrics, or null for none
   * @throws IllegalArgumentException if an option value is invalid
   */
  EtlEngine buildEngine(@Nullable MeterRegistry meterRegistry,
      Consumer<EngineBuilder> moreSettings) {
    validate();
    SourceCatalog sources = SourceCatalog.requiring(requiredSources);
    EngineBuilder builder = EtlEngines.newBuilder()
        .sources(sources)
        .workDirectory(workDirectory)
        .pipeline(pipeline(sources))
        .completionPolicy(completionPolicy())
        .lateBatches(lateBatches)
        .pipelineConcurrency(pipelineConcurrency)
        .maxAttempts(maxAttempts)
        .handoffRetention(keepHandoffFiles ? HandoffRetention.KEEP
            : HandoffRetention.DELETE_ON_SUCCESS);
    if (inMemory) {
      builder.inMemoryStore();
    }
    if (meterRegistry != null) {
      builder.meterRegistry(meterRegistry);
    }
    moreSettings.accept(builder);
    return builder.build();
  }
}
