package io.github.etlrpc.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.etlrpc.api.CompletionPolicy;
import io.github.etlrpc.core.LateBatchPolicy;
import java.time.Duration;
import java.util.List;
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
  void byteSize_plainBytesAndBinaryUnits() {
    CliConverters.ByteSizeConverter sizes = new CliConverters.ByteSizeConverter();

    assertThat(sizes.convert("2147483648")).isEqualTo(2L << 30);
    assertThat(sizes.convert("512KiB")).isEqualTo(512L << 10);
    assertThat(sizes.convert("256mib")).isEqualTo(256L << 20);
    assertThat(sizes.convert(" 2 GiB ")).isEqualTo(2L << 30);
  }

  @Test
  void byteSize_invalidNamesValueAndForms() {
    CliConverters.ByteSizeConverter sizes = new CliConverters.ByteSizeConverter();

    for (String invalid : List.of("1.5GiB", "2GB", "-1", "", "99999999999999999999",
        "9999999999GiB")) {
      assertThatThrownBy(() -> sizes.convert(invalid)).as(invalid)
          .isInstanceOf(CommandLine.TypeConversionException.class)
          .hasMessageContaining("'" + invalid + "'")
          .hasMessageContaining("KiB, MiB or GiB");
    }
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
