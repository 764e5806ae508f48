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
 * and both are appended to {@code <roundDirectory>/pipeline-attempt-<N>.log}. Exit code 0 is
 * success. Any other code is a failure whose message contains the code and the last stderr
 * line.
 * A run that outlasts the timeout is killed with its child processes and reported as timed out.
 *
 * <p>Immutable and thread-safe, so runs of several rounds may overlap.
 */
public final class ExternalProgramInvoker implements PipelineInvoker {
  private static final Logger log = LoggerFactory.getLogger(ExternalProgramInvoker.class);

  /** Timeout used when the builder sets none. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

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
   * Starts the program and waits for it to exit or time out.
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
    List<String> arguments;
    try {
      arguments = command.resolve(roundId, run.handoffFiles());
    } catch (IllegalArgumentException e) {
      log.warn("Round {} attempt {}: pipeline not started: {}", roundId, attempt, e.getMessage());
      return PipelineResult.failed(-1, e.getMessage());
    }
    Path directory = workingDirectory != null ? workingDirectory : run.roundDirectory();
    Path logFile = run.roundDirectory().resolve("pipeline-attempt-" + attempt + ".log");
    ProcessBuilder processBuilder = new ProcessBuilder(arguments).directory(directory.toFile());
    Map<String, String> processEnvironment = processBuilder.environment();
    processEnvironment.putAll(environment);
    processEnvironment.put("ETL_ROUND_ID", roundId);
    processEnvironment.put("ETL_ROUND_KEY", run.roundKey());
    processEnvironment.put("ETL_ATTEMPT", Integer.toString(attempt));

    log.info("Round {} attempt {}: starting pipeline {} in {} with rows per source {}", roundId,
        attempt, arguments, directory, run.rowsBySource());
    long startNanos = System.nanoTime();
    Process process;
    ProcessOutput output;
    try {
      Files.createDirectories(run.roundDirectory());
      process = processBuilder.start();
    } catch (IOException e) {
      log.warn("Round {} attempt {}: cannot start pipeline {}", roundId, attempt, arguments, e);
      return PipelineResult.failed(-1, "cannot start " + arguments.get(0) + ": " + e.getMessage());
    }
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
      String message = "pipeline did not finish within the timeout of " + timeout
          + "; killed the process tree of pid " + process.pid();
      output.note("# " + message);
      log.warn("Round {} attempt {}: {}", roundId, attempt, message);
      return PipelineResult.timedOut(message);
    }
    if (!output.awaitEnd(CLEANUP_WAIT)) {
      log.warn("Round {} attempt {}: pipeline exited but a child process still has its output"
          + " open; later output is logged but may miss the log file", roundId, attempt);
    }
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
   * Kills the process and all its descendants with SIGKILL on Unix. Descendants go first, from a
   * snapshot taken before any kill, because a child whose parent dies is re-parented and no longer
   * listed. The snapshot is repeated to catch children forked meanwhile.
   *
   * <p>NOTE: a descendant that detached itself before the first snapshot, for example by a double
   * fork, is no longer a descendant and keeps running.
   */
  private static void killTree(Process process) throws InterruptedException {
    ProcessHandle root = process.toHandle();
    for (int pass = 0; pass < 3; pass++) {
      List<ProcessHandle> descendants = root.descendants().toList();
      if (descendants.isEmpty()) {
        break;
      }
      descendants.forEach(ProcessHandle::destroyForcibly);
    }
    process.destroyForcibly();
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
