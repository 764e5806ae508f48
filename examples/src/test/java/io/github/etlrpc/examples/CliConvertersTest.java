package io.github.etlrpc.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.etlrpc.api.CompletionPolicy;
import io.github.etlrpc.core.LateBatchPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliConvertersTest {
  private final CliConverters.DurationConverter durations = new CliConverters.DurationConverter();

  @Test
  void duration_shortForms() {
    assertThat(durations.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(durations.convert("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(durations.convert("30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(durations.convert("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(durations.convert("1d")).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void duration_isoForm() {
    assertThat(durations.convert("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void duration_invalidNamesValueAndForms() {
    assertThatThrownBy(() -> durations.convert("30 minutes"))
        .isInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessageContaining("'30 minutes'")
        .hasMessageContaining("30s");
  }

  @Test
  void choices_mapWordsToPolicies() throws Exception {
    assertThat(new CliConverters.LateBatchesConverter().convert("new-round"))
        .isEqualTo(LateBatchPolicy.OPEN_NEW_ROUND);
    assertThat(new CliConverters.TimeoutStartConverter().convert("LAST"))
        .isEqualTo(CompletionPolicy.TimeoutStart.LAST_BATCH);
    assertThat(new CliConverters.OnTimeoutConverter().convert("seal"))
        .isEqualTo(CompletionPolicy.OnTimeout.SEAL_PARTIAL);
  }

  @Test
  void choices_unknownWordListsAllowed() {
    assertThatThrownBy(() -> new CliConverters.LateBatchesConverter().convert("drop"))
        .isInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessageContaining("'drop'")
        .hasMessageContaining("new-round, reject");
  }
}
