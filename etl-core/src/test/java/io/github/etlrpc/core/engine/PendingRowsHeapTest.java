package io.github.etlrpc.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link PendingRowsHeapMain} in a child JVM limited to 256 MiB of heap: one million rows
 * pending in an open round, then sealed and written to JSON hand-off files of about 100 MB. The
 * engine keeps only counts in memory and streams rows from the store, so this fits.
 */
class PendingRowsHeapTest {
  @TempDir Path work;

  @Test
  void millionPendingRows_fitIn256MiBHeap() throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), PendingRowsHeapMain.class.getName(),
        work.toString()))
        .redirectErrorStream(true)
        .start();
    String output;
    boolean exited;
    try {
      exited = child.waitFor(4, TimeUnit.MINUTES);
    } finally {
      output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      child.destroyForcibly();
    }

    assertThat(exited).as("child finished in time; output:%n%s", output).isTrue();
    assertThat(child.exitValue()).as("exit code; output:%n%s", output).isZero();
    assertThat(output).contains("OK pendingRows=1000001").doesNotContain("OutOfMemoryError");
    output.lines().filter(line -> line.startsWith("OK")).forEach(System.out::println);
  }
}
