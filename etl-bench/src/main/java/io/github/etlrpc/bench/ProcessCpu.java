package io.github.etlrpc.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CPU time of a Linux process, user plus system, read from {@code /proc/<pid>/stat}. The kernel
 * counts it in clock ticks; {@code getconf CLK_TCK} gives the ticks per second (100 on common
 * Linux builds), so the resolution is 10 ms. Thread-safe.
 */
public final class ProcessCpu {
  private static final Logger log = LoggerFactory.getLogger(ProcessCpu.class);
  /** Linux's USER_HZ on x86 and arm builds, used when {@code getconf} is not available. */
  private static final long DEFAULT_TICKS_PER_SECOND = 100;

  private final long ticksPerSecond;

  private ProcessCpu(long ticksPerSecond) {
    this.ticksPerSecond = ticksPerSecond;
  }

  /** Returns a reader that asks {@code getconf CLK_TCK} for the tick rate. */
  public static ProcessCpu create() {
    return new ProcessCpu(readTicksPerSecond());
  }

  /** Clock ticks per second used to convert the counters. */
  public long ticksPerSecond() {
    return ticksPerSecond;
  }

  /**
   * Returns the CPU seconds, user plus system, that process {@code pid} has used so far. Time of
   * its threads that ended is included; time of child processes is not.
   *
   * @throws IOException if the process does not exist or {@code /proc} is not mounted
   */
  public double cpuSeconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"),
        StandardCharsets.US_ASCII);
    return (double) cpuTicks(stat) / ticksPerSecond;
  }

  /**
   * Returns utime plus stime, fields 14 and 15 of a {@code /proc/<pid>/stat} line. The second
   * field, the command name in parentheses, may itself contain spaces and parentheses, so fields
   * are counted from the last {@code ')'}.
   *
   * @throws IllegalArgumentException if the line does not have that shape
   */
  static long cpuTicks(String statLine) {
    int end = statLine.lastIndexOf(')');
    if (end < 0) {
      throw new IllegalArgumentException("Not a /proc/<pid>/stat line: " + abbreviate(statLine));
    }
    String[] fields = statLine.substring(end + 1).trim().split("\\s+");
    // fields[0] is field 3 (state), so field n is fields[n - 3].
    if (fields.length < 13) {
      throw new IllegalArgumentException(
          "A /proc/<pid>/stat line has fewer than 15 fields: " + abbreviate(statLine));
    }
    try {
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "utime or stime is not a number in " + abbreviate(statLine), e);
    }
  }

  private static long readTicksPerSecond() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String output;
      try (InputStream in = getconf.getInputStream()) {
        output = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
      }
      if (getconf.waitFor(10, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
        long ticks = Long.parseLong(output);
        if (ticks > 0) {
          return ticks;
        }
      }
      log.warn("getconf CLK_TCK printed '{}'; assuming {} ticks per second", output,
          DEFAULT_TICKS_PER_SECOND);
    } catch (IOException | NumberFormatException e) {
      log.warn("getconf CLK_TCK failed ({}); assuming {} ticks per second", e.toString(),
          DEFAULT_TICKS_PER_SECOND);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return DEFAULT_TICKS_PER_SECOND;
  }

  private static String abbreviate(String text) {
    return text.length() <= 120 ? text : text.substring(0, 120) + "...";
  }
}
