package io.github.etlrpc.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.etlrpc.api.CompletionPolicy;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.SourceCatalog;
import io.github.etlrpc.core.LateBatchPolicy;
import io.github.etlrpc.core.pipeline.ExternalProgramInvoker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class EngineOptionsTest {
  private static final long OPENED_MS = 1_000_000;

  @Command(name = "holder")
  static final class Holder {
    @Mixin EngineOptions options;
  }

  @Test
  void defaults_matchTheDocumentedValues() {
    EngineOptions options = parse();

    assertThat(options.workDirectory).isEqualTo(Path.of("etl-work"));
    assertThat(options.requiredSources).containsExactly("oms", "hospital", "secretaria");
    assertThat(options.pipelineConcurrency).isEqualTo(1);
    assertThat(options.maxAttempts).isEqualTo(3);
    assertThat(options.lateBatches).isEqualTo(LateBatchPolicy.REJECT);
    assertThat(options.minBatches).isEmpty();
    assertThat(options.roundTimeout).isNull();
  }

  @Test
  void sources_replaceTheDefaultList() {
    EngineOptions options = parse("--sources", "oms,Hospital");

    assertThat(options.requiredSources).containsExactly("oms", "Hospital");
  }

  @Test
  void minBatches_waitForEachListedCount() {
    EngineOptions options = parse("--min-batches", "hospital=2,oms=1");
    CompletionPolicy policy = options.completionPolicy();
    SourceCatalog sources = SourceCatalog.defaults();

    RoundInfo oneHospital = round(Map.of("oms", 1, "hospital", 1, "secretaria", 1));
    RoundInfo twoHospitals = round(Map.of("oms", 1, "hospital", 2, "secretaria", 1));

    assertThat(policy.evaluate(oneHospital, sources, OPENED_MS))
        .isEqualTo(CompletionPolicy.Decision.WAIT);
    assertThat(policy.evaluate(twoHospitals, sources, OPENED_MS))
        .isEqualTo(CompletionPolicy.Decision.SEAL);
  }

  @Test
  void minBatches_unknownSourceIsRejected() {
    EngineOptions options = parse("--min-batches", "hospital=2,foo=3");

    assertThatThrownBy(options::validate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--min-batches foo=3")
        .hasMessageContaining("unknown source 'foo'")
        .hasMessageContaining("known sources: oms, hospital, secretaria");
  }

  @Test
  void minBatches_sourceMissingFromSourcesIsRejected() {
    EngineOptions options = parse("--sources", "oms,secretaria", "--min-batches", "hospital=2");

    assertThatThrownBy(options::validate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--min-batches hospital=2")
        .hasMessageContaining("--sources leaves out (oms,secretaria)");
  }

  @Test
  void minBatches_sameSourceTwiceIsRejected() {
    EngineOptions options = parse("--min-batches", "hospital=2,Hospital=3");

    assertThatThrownBy(options::validate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--min-batches lists 'hospital' twice");
  }

  @Test
  void minBatches_zeroCountNamesFlag() {
    EngineOptions options = parse("--min-batches", "oms=0");

    assertThatThrownBy(options::validate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--min-batches oms=0 has a count below 1");
  }

  @Test
  void sources_unknownSourceIsRejected() {
    EngineOptions options = parse("--sources", "oms,labs");

    assertThatThrownBy(options::validate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--sources names unknown source 'labs'")
        .hasMessageContaining("known sources: oms, hospital, secretaria");
  }

  @Test
  void sources_sameSourceTwiceIsRejected() {
    EngineOptions options = parse("--sources", "oms, OMS");

    assertThatThrownBy(options::validate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--sources lists 'oms' twice");
  }

  @Test
  void validate_namesFlagOfInvalidValue() {
    assertThatThrownBy(() -> parse("--max-attempts", "0").validate())
        .hasMessage("--max-attempts is 0; use 1 or more");
    assertThatThrownBy(() -> parse("--pipeline-concurrency", "0").validate())
        .hasMessage("--pipeline-concurrency is 0; use 1 or more");
    assertThatThrownBy(() -> parse("--round-timeout", "0s").validate())
        .hasMessageStartingWith("--round-timeout is PT0S");
    assertThatThrownBy(() -> parse("--pipeline-timeout", "0m").validate())
        .hasMessageStartingWith("--pipeline-timeout is PT0S");
  }

  @Test
  void validate_acceptsDefaultsAndKnownSources() {
    parse().validate();
    parse("--sources", "Hospital", "--min-batches", "hospital=4").validate();
  }

  @Test
  void roundTimeout_sealsFromLastBatch() {
    EngineOptions options = parse("--round-timeout", "10m", "--round-timeout-from", "last",
        "--on-round-timeout", "seal");
    CompletionPolicy policy = options.completionPolicy();
    RoundInfo partial = round(Map.of("oms", 1));
    long lastBatchMs = partial.lastBatchAtMs();
    long timeoutMs = Duration.ofMinutes(10).toMillis();

    assertThat(policy.deadlineMs(partial)).isEqualTo(lastBatchMs + timeoutMs);
    assertThat(policy.evaluate(partial, SourceCatalog.defaults(), lastBatchMs + timeoutMs - 1))
        .isEqualTo(CompletionPolicy.Decision.WAIT);
    assertThat(policy.evaluate(partial, SourceCatalog.defaults(), lastBatchMs + timeoutMs))
        .isEqualTo(CompletionPolicy.Decision.SEAL);
  }

  @Test
  void roundTimeout_parksByDefault() {
    EngineOptions options = parse("--round-timeout", "30s");
    RoundInfo partial = round(Map.of("hospital", 1));

    assertThat(options.completionPolicy().evaluate(partial, SourceCatalog.defaults(),
        OPENED_MS + 30_000)).isEqualTo(CompletionPolicy.Decision.PARK);
  }

  @Test
  void lateBatches_newRoundParses() {
    assertThat(parse("--late-batches", "new-round").lateBatches)
        .isEqualTo(LateBatchPolicy.OPEN_NEW_ROUND);
  }

  @Test
  void pipeline_commandBuildsExternalInvoker() {
    EngineOptions options = parse("--pipeline-command", "prog {oms} {secretaria} {hospital}",
        "--pipeline-timeout", "90s");

    assertThat(options.pipeline(SourceCatalog.defaults()))
        .isInstanceOf(ExternalProgramInvoker.class);
  }

  @Test
  void pipeline_unknownPlaceholderIsRejected() {
    EngineOptions options = parse("--pipeline-command", "prog {labs}");

    assertThatThrownBy(() -> options.pipeline(SourceCatalog.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("{labs}");
  }

  @Test
  void pipeline_withoutCommandRunsInJvm() {
    EngineOptions options = parse("--work-dir", "w");

    assertThat(options.pipeline(SourceCatalog.defaults()).usesHandoffFiles()).isFalse();
    assertThat(options.outputDirectory()).isEqualTo(Path.of("w", "output"));
  }

  @Test
  void invalidDuration_isUsageError() {
    CommandLine commandLine = new CommandLine(new Holder());

    assertThatThrownBy(() -> commandLine.parseArgs("--round-timeout", "ten minutes"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("ten minutes");
  }

  private static EngineOptions parse(String... args) {
    Holder holder = new Holder();
    new CommandLine(holder).parseArgs(args);
    return holder.options;
  }

  private static RoundInfo round(Map<String, Integer> batches) {
    Map<String, Long> rows = new java.util.HashMap<>();
    batches.forEach((source, count) -> rows.put(source, 10L * count));
    return new RoundInfo("r-1", "", RoundState.ABERTA, rows, batches, 100, 0, "", OPENED_MS,
        OPENED_MS + 500, OPENED_MS + 500);
  }
}
