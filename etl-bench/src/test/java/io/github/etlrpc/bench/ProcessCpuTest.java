package io.github.etlrpc.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessCpuTest {

  @Test
  void cpuTicks_sumsUtimeAndStime() {
    String line = "4242 (java) S 1 4242 4242 0 -1 4194560 9000 0 0 0 1234 567 0 0 20 0 40 0"
        + " 100 8000000 5000 18446744073709551615";

    assertThat(ProcessCpu.cpuTicks(line)).isEqualTo(1234 + 567);
  }

  @Test
  void cpuTicks_commandWithSpacesAndParentheses() {
    String line = "77 (my (odd) cmd) R 1 77 77 0 -1 0 0 0 0 0 10 20 0 0 20 0 1 0 5 0 0";

    assertThat(ProcessCpu.cpuTicks(line)).isEqualTo(30);
  }

  @Test
  void cpuTicks_rejectsTruncatedLine() {
    assertThatThrownBy(() -> ProcessCpu.cpuTicks("12 (java) S 1 2 3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fewer than 15 fields");
    assertThatThrownBy(() -> ProcessCpu.cpuTicks("no parentheses here"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Not a /proc/<pid>/stat line");
  }

  @Test
  void cpuSeconds_growsWhileThisProcessWorks() throws IOException {
    ProcessCpu cpu = ProcessCpu.create();
    long pid = ProcessHandle.current().pid();
    double before = cpu.cpuSeconds(pid);

    // Work until the counters move by at least two ticks; the deadline only bounds a broken case.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    double after = before;
    long sink = 0;
    while (after < before + 2.0 / cpu.ticksPerSecond() && System.nanoTime() < deadline) {
      for (int i = 0; i < 1_000_000; i++) {
        sink += Long.rotateLeft(sink ^ i, 7);
      }
      after = cpu.cpuSeconds(pid);
    }

    assertThat(cpu.ticksPerSecond()).isPositive();
    assertThat(after).as("CPU seconds after work (sink %d)", sink)
        .isGreaterThanOrEqualTo(before + 2.0 / cpu.ticksPerSecond());
  }

  @Test
  void cpuSeconds_unknownProcessFails() {
    ProcessCpu cpu = ProcessCpu.create();

    assertThatThrownBy(() -> cpu.cpuSeconds(Long.MAX_VALUE)).isInstanceOf(IOException.class);
  }
}
