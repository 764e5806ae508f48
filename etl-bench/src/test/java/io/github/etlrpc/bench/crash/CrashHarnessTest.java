package io.github.etlrpc.bench.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the crash harness with real child JVMs: the server, killed with SIGKILL, and the recording
 * pipeline. On a two-core machine the durable run took 11 to 30 seconds and the control run 8 to
 * 11 seconds.
 */
@EnabledOnOs(OS.LINUX)
class CrashHarnessTest {

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void run_twoKills_losesNothing(@TempDir Path workDirectory) throws InterruptedException {
    HarnessSettings settings = HarnessSettings.defaults(2, 20261204L)
        .withWorkDirectory(workDirectory)
        .withMaxTime(Duration.ofMinutes(3));

    CrashReport report = CrashHarness.run(settings);
    System.out.println(report.verdictLine());

    assertThat(report.failures()).isEmpty();
    assertThat(report.kills()).hasSize(2);
    assertThat(report.kills()).extracting(KillRecord::mode)
        .containsExactly(KillMode.PIPELINE, KillMode.SEAL);
    assertThat(report.ackedRows()).isPositive();
    assertThat(report.rounds()).isPositive();
    assertThat(report.lost()).isZero();
    assertThat(report.misplaced()).isZero();
    assertThat(report.doubleCompletions()).isZero();
    assertThat(report.verdictLine()).startsWith("crash-harness: PASS iterations=2 kills=2 ");
  }

  /** The in-memory store loses acknowledged rows on a kill, and the harness must report them. */
  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void run_inMemoryStore_reportsLostRows(@TempDir Path workDirectory)
      throws InterruptedException {
    HarnessSettings settings = HarnessSettings.defaults(1, 5L)
        .withWorkDirectory(workDirectory)
        .withMaxTime(Duration.ofMinutes(2))
        .withStore(HarnessSettings.Store.IN_MEMORY);

    CrashReport report = CrashHarness.run(settings);
    System.out.println(report.verdictLine());

    assertThat(report.passed()).isFalse();
    assertThat(report.lost()).isPositive();
    assertThat(report.verdictLine()).startsWith("crash-harness: FAIL iterations=1 kills=1 ");
  }
}
