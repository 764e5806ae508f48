package io.github.etlrpc.core.pipeline;

import io.github.etlrpc.api.PipelineInvoker;
import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.PipelineRun;
import io.github.etlrpc.api.SourceCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an external program on the JSON hand-off files of a round.
 *
 * <p>The command's placeholders {@code {oms}}, {@code {hospital}}, {@code {secretaria}}, or any
 * other source name in braces, become the absolute path of that source's file, and
 * {@code {round}} becomes the round id. A command with no source placeholder gets the files
 * appended in the order oms, secretaria, hospital, then any other source, which is the argument
 * order of the original C++ pipeline. The invoker also sets {@code ETL_ROUND_ID},
 * {@code ETL_ROUND_KEY} and {@code ETL_ATTEMPT} in the process environment.
 *
 * <p>Each line of stdout is logged at INFO and each line of stderr at WARN, with the round id,
 * and both are appended to {@code <roundDirectory>/pipeline-attempt-<N>.log}. Limits keep a
 * program that prints a lot from flooding either: {@link #MAX_LOGGED_LINES},
 * {@link #MAX_LOGGED_LINE_CHARS} and {@link #MAX_LOG_FILE_BYTES}. Exit code 0 is success. Any
 * other code is a failure whose message contains the code and the last stderr line. A run that
 * outlasts the timeout is killed with its child processes and reported as timed out.
 *
 * <p>While the program runs, {@code <roundDirectory>/pipeline.pid} contains its pid and start
 * instant. If the JVM dies without deleting it, for example after {@code kill -9}, the program
 * may still run. The next run of the round then kills that process and its descendants before
 * it starts the program again, but only if the process with that pid started at the recorded
 * instant, so a pid the operating system reused is left alone.
 *
 * <p>Immutable and thread-safe, so runs of several rounds may overlap.
 */
public final class ExternalProgramInvoker implements PipelineInvoker {
  private static final Logger log = LoggerFactory.getLogger(ExternalProgramInvoker.class);

  /** Timeout used when the builder sets none. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

  /**
   * Maximum number of output lines of one attempt, stdout and stderr together, that are logged
   * through SLF4J. Later lines go only to the attempt's log file, and one INFO line at the end
   * gives their number.
   */
  public static final int MAX_LOGGED_LINES = 1_000;

  /**
   * Maximum chars of one output line in an SLF4J log entry and in a failure message. A longer
   * line is cut there and ends with a marker that gives the number of chars cut.
   */
  public static final int MAX_LOGGED_LINE_CHARS = 2_000;

  /**
   * Maximum bytes of output lines in the log file of one attempt, 10 MiB. Once a line would
   * pass it, the file takes no more output, and a line at the end gives the number of bytes
   * dropped. The output is still read to its end, so the program does not block on a full pipe.
   */
  public static final long MAX_LOG_FILE_BYTES = 10L * 1024 * 1024;

  /** Maximum chars of the command line in a log entry; the log file header has all of it. */
  private static final int MAX_LOGGED_COMMAND_CHARS = 500;

  /** How long to wait for killed processes to exit and for output pumps to drain. */
  private static final Duration CLEANUP_WAIT = Duration.ofSeconds(10);

  private final CommandTemplate command;
  private final @Nullable Path workingDirectory;
  private final Duration timeout;
  private final Map<String, String> environment;

  private ExternalProgramInvoker(Builder builder, CommandTemplate command) {
    this.command = command;
    this.workingDirectory = builder.workingDirectory;
    this.timeout = builder.timeout;
    this.environment = Map.copyOf(builder.environment);
  }

  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * Stops a leftover process of an earlier run of the round, as described in the class
   * documentation, then starts the program and waits for it to exit or time out.
   *
   * @return succeeded for exit code 0. Failed for another exit code, an unknown placeholder or a
   *     program that cannot start. Timed out when the timeout passed, after the process tree was
   *     killed.
   * @throws InterruptedException if the calling thread is interrupted while waiting, after the
   *     process tree was killed
   */
  @Override
  public PipelineResult run(PipelineRun run) throws InterruptedException {
    String roundId = run.roundId();
    int attempt = run.attempt();
    PipelinePidFile pidFile = new PipelinePidFile(run.roundDirectory(), roundId, attempt);
    pidFile.killLeftover();
    List<String> arguments;
    try {
      arguments = command.resolve(roundId, run.handoffFiles());
    } catch (IllegalArgumentException e) {
      log.warn("Round {} attempt {}: pipeline not started: {}", roundId, attempt, e.getMessage());
      return PipelineResult.failed(-1, e.getMessage());
    }
    Path directory = workingDirectory != null ? workingDirectory : run.roundDirectory();
    ProcessBuilder processBuilder = new ProcessBuilder(arguments).directory(directory.toFile());
    Map<String, String> processEnvironment = processBuilder.environment();
    processEnvironment.putAll(environment);
    processEnvironment.put("ETL_ROUND_ID", roundId);
    processEnvironment.put("ETL_ROUND_KEY", run.roundKey());
    processEnvironment.put("ETL_ATTEMPT", Integer.toString(attempt));

    String loggedCommand =
        ProcessOutput.abbreviate(arguments.toString(), MAX_LOGGED_COMMAND_CHARS);
    log.info("Round {} attempt {}: starting pipeline {} in {} with rows per source {}", roundId,
        attempt, loggedCommand, directory, run.rowsBySource());
    long startNanos = System.nanoTime();
    Process process;
    try {
      Files.createDirectories(run.roundDirectory());
      process = processBuilder.start();
    } catch (IOException e) {
      log.warn("Round {} attempt {}: cannot start pipeline {}", roundId, attempt, loggedCommand,
          e);
      return PipelineResult.failed(-1, "cannot start " + arguments.get(0) + ": " + e.getMessage());
    }
    try {
      recordPid(pidFile, run, process);
      return watch(run, process, arguments, startNanos);
    } finally {
      pidFile.delete();
    }
  }

  private static void recordPid(PipelinePidFile pidFile, PipelineRun run, Process process) {
    try {
      pidFile.write(process.toHandle());
    } catch (IOException e) {
      log.warn("Round {} attempt {}: cannot write the pid file of pipeline process {}; if this"
          + " JVM dies first, the next run of the round cannot stop the process", run.roundId(),
          run.attempt(), process.pid(), e);
    }
  }

  /** Copies the output of the started process to the logs and waits for its end. */
  private PipelineResult watch(PipelineRun run, Process process, List<String> arguments,
      long startNanos) throws InterruptedException {
    String roundId = run.roundId();
    int attempt = run.attempt();
    Path logFile = run.roundDirectory().resolve("pipeline-attempt-" + attempt + ".log");
    ProcessOutput output;
    try {
      process.getOutputStream().close();
      output = ProcessOutput.start(roundId, attempt, logFile,
          "# round " + roundId + " attempt " + attempt + ": " + arguments, process);
    } catch (IOException e) {
      killTree(process);
      log.warn("Round {} attempt {}: cannot open pipeline log {}", roundId, attempt, logFile, e);
      return PipelineResult.failed(-1, "cannot write pipeline log " + logFile + ": " + e);
    }

    try (output) {
      return await(run, process, output, startNanos);
    }
  }

  private PipelineResult await(PipelineRun run, Process process, ProcessOutput output,
      long startNanos) throws InterruptedException {
    String roundId = run.roundId();
    int attempt = run.attempt();
    boolean exited;
    try {
      exited = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      killTree(process);
      output.note("# interrupted; killed the process tree of pid " + process.pid());
      log.warn("Round {} attempt {}: interrupted; killed the pipeline process tree of pid {}",
          roundId, attempt, process.pid());
      throw e;
    }
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    if (!exited) {
      killTree(process);
      output.awaitEnd(CLEANUP_WAIT);
      output.summarize();
      String message = "pipeline did not finish within the timeout of " + timeout
          + "; killed the process tree of pid " + process.pid();
      output.note("# " + message);
      log.warn("Round {} attempt {}: {}", roundId, attempt, message);
      return PipelineResult.timedOut(message);
    }
    if (!output.awaitEnd(CLEANUP_WAIT)) {
      log.warn("Round {} attempt {}: pipeline exited but a child process still has its output"
          + " open; its later output may miss this log and the log file", roundId, attempt);
    }
    output.summarize();
    int exitCode = process.exitValue();
    output.note("# exit code " + exitCode + " after " + elapsedMs + " ms");
    if (exitCode == 0) {
      log.info("Round {} attempt {}: pipeline finished with exit code 0 in {} ms", roundId,
          attempt, elapsedMs);
      return PipelineResult.succeeded(0);
    }
    String lastLine = output.lastStderrLine();
    String message = "exit code " + exitCode
        + (lastLine == null ? "; no stderr output" : "; last stderr line: " + lastLine);
    log.warn("Round {} attempt {}: pipeline failed with {} after {} ms", roundId, attempt,
        message, elapsedMs);
    return PipelineResult.failed(exitCode, message);
  }

  /**
   * Kills the process and its descendants with SIGKILL on Unix, as described in
   * {@link ProcessTree#killForcibly}, and waits for the process to exit.
   */
  private static void killTree(Process process) throws InterruptedException {
    ProcessTree.killForcibly(process.toHandle());
    if (!process.waitFor(CLEANUP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      log.warn("Pipeline process {} still runs {} after SIGKILL", process.pid(), CLEANUP_WAIT);
    }
  }

  @Override
  public String toString() {
    return "ExternalProgramInvoker{command=" + command + ", timeout=" + timeout + "}";
  }

  /** Builder of {@link ExternalProgramInvoker}. Not thread-safe. */
  public static final class Builder {
    private @Nullable CommandTemplate command;
    private @Nullable SourceCatalog sources;
    private @Nullable Path workingDirectory;
    private Duration timeout = DEFAULT_TIMEOUT;
    private final Map<String, String> environment = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Sets the command as one line, split on whitespace. Double quotes keep spaces inside one
     * argument, as in {@code prog "my file" {oms}}. Required, or {@link #command(List)}.
     *
     * @throws IllegalArgumentException if the line is blank or has an unterminated quote
     */
    public Builder command(String commandLine) {
      this.command = CommandTemplate.parse(commandLine);
      return this;
    }

    /**
     * Sets the command as the program followed by its arguments, used as given apart from the
     * placeholders.
     *
     * @throws IllegalArgumentException if the list is empty or the program is blank
     */
    public Builder command(List<String> programAndArguments) {
      this.command = new CommandTemplate(new ArrayList<>(programAndArguments));
      return this;
    }

    /**
     * Sets the known sources, so that {@link #build()} rejects a placeholder that names none of
     * them. Without it, such a placeholder fails each run instead.
     */
    public Builder sources(SourceCatalog sources) {
      this.sources = Objects.requireNonNull(sources, "sources");
      return this;
    }

    /** Sets the directory the program runs in. Default: the round's directory. */
    public Builder workingDirectory(Path workingDirectory) {
      this.workingDirectory = Objects.requireNonNull(workingDirectory, "workingDirectory");
      return this;
    }

    /**
     * Sets how long one run may take before its process tree is killed. Default: 30 minutes.
     *
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException(
            "Pipeline timeout is " + timeout + "; use a positive duration");
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Adds environment variables on top of this JVM's environment. {@code ETL_ROUND_ID},
     * {@code ETL_ROUND_KEY} and {@code ETL_ATTEMPT} are always set by the invoker and override
     * entries of the same name.
     */
    public Builder environment(Map<String, String> variables) {
      variables.forEach((name, value) -> environment.put(
          Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value")));
      return this;
    }

    /**
     * Builds the invoker.
     *
     * @throws IllegalStateException if no command was set
     * @throws IllegalArgumentException if {@link #sources} was set and a placeholder names an
     *     unknown source
     */
    public ExternalProgramInvoker build() {
      if (command == null) {
        throw new IllegalStateException("No pipeline command set; call command(...) first");
      }
      if (sources != null) {
        for (String name : command.sourcePlaceholders()) {
          if (!sources.rowTypes().containsKey(name)) {
            throw new IllegalArgumentException("Pipeline command placeholder {" + name
                + "} names no known source; use one of " + sources.rowTypes().keySet()
                + " or {round}");
          }
        }
      }
      return new ExternalProgramInvoker(this, command);
    }
  }
}
