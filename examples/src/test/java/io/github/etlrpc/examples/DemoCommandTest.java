package io.github.etlrpc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
  @TempDir Path work;

  @Test
  void demo_smallRoundsConcludeAndExitZero() throws IOException {
    CliRun run = CliRun.execute("demo", "--work-dir", work.toString(), "--clients", "3",
        "--rounds", "2", "--oms-rows", "60", "--hospital-min-rows", "20",
        "--hospital-max-rows", "40", "--secretaria-rows", "90", "--settle-timeout", "2m");

    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.out()).contains("6 round(s) concluded of 6");
    assertThat(run.out()).contains("oms=60").contains("secretaria=90");
    List<Path> roundOutputs = list(work.resolve("output"));
    assertThat(roundOutputs).hasSize(6);
    for (Path roundOutput : roundOutputs) {
      assertThat(roundOutput.resolve(ReferencePipeline.SUMMARY_CSV)).isRegularFile();
      assertThat(run.out()).contains(roundOutput.getFileName().toString());
    }
  }

  @Test
  void demo_printsLatencySummaryPerClient() {
    CliRun run = CliRun.execute("demo", "--work-dir", work.toString(), "--clients", "2",
        "--oms-rows", "10", "--hospital-min-rows", "5", "--hospital-max-rows", "5",
        "--secretaria-rows", "10");

    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.out()).contains("mean ms").contains("median ms").contains("max ms");
    // Two clients with one round of three files: 3 calls and 25 rows each.
    assertThat(run.out()).containsPattern("(?m)^1 +3 +0 .* 25 ");
    assertThat(run.out()).containsPattern("(?m)^total +6 +0 .* 50 ");
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.toList();
    }
  }
}
