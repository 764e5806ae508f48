package io.github.etlrpc.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM running {@link EtlCli} with the test classpath, its stdout and stderr going to one file
 * so a stuck child never blocks the test on a full pipe.
 */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final Path output;

  private ChildJvm(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** Starts {@code EtlCli args} with extra environment variables; output goes to {@code log}. */
  static ChildJvm start(Path log, Map<String, String> environment, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(javaCommand());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    return new ChildJvm(builder.start(), log);
  }

  /** Returns the command that starts {@link EtlCli} in a new JVM with the test classpath. */
  static List<String> javaCommand() {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        testClasspath(), EtlCli.class.getName());
  }

  /** Surefire may put only a manifest jar on java.class.path; it passes the full one here. */
  private static String testClasspath() {
    String classpath = System.getProperty("surefire.test.class.path");
    if (classpath == null || classpath.isBlank()) {
      classpath = System.getProperty("java.class.path");
    }
    return classpath;
  }

  Process process() {
    return process;
  }

  /** Output so far. */
  String output() throws IOException {
    return Files.readString(output, StandardCharsets.UTF_8);
  }

  /**
   * Waits up to {@code seconds} for the exit code.
   *
   * @throws AssertionError if the process is still running then
   */
  int exitCode(long seconds) throws InterruptedException, IOException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError("Child JVM still running after " + seconds + " s; output:\n"
          + output());
    }
    return process.exitValue();
  }

  /** Kills the process if it still runs and waits up to 10 seconds for it to exit. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
