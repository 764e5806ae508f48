package io.github.etlrpc.bench.crash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One incarnation of the server child JVM: {@code EtlCli server} with the recording pipeline as
 * its external pipeline program. Its standard output and error go to a log file of its own.
 *
 * <p>{@link #kill} models a crash of the whole host or container: it sends SIGKILL to the server
 * and then to every recording pipeline process of this harness run, so no orphaned pipeline run
 * outlives the server it belonged to. Not thread-safe; the harness drives it from one thread.
 */
final class ServerProcess {
  private static final Logger log = LoggerFactory.getLogger(ServerProcess.class);
  private static final String PIPELINE_CLASS = RecordingPipeline.class.getName();
  /** Pause before the second search for pipeline processes after a kill. */
  private static final long SECOND_SWEEP_DELAY_MS = 100;

  private final int incarnation;
  private final Process process;
  private final Path logFile;
  private final Path ledgerDirectory;
  private final long startedNanos;

  private ServerProcess(int incarnation, Process process, Path logFile, Path ledgerDirectory,
      long startedNanos) {
    this.incarnation = incarnation;
    this.process = process;
    this.logFile = logFile;
    this.ledgerDirectory = ledgerDirectory;
    this.startedNanos = startedNanos;
  }

  /** Starts incarnation {@code incarnation} of the server with {@code command}. */
  static ServerProcess start(int incarnation, List<String> command, Path logFile,
      Path ledgerDirectory) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(logFile.toFile());
    long startedNanos = System.nanoTime();
    Process process = builder.start();
    log.info("Server incarnation {} started as pid {}; log {}", incarnation, process.pid(),
        logFile);
    return new ServerProcess(incarnation, process, logFile, ledgerDirectory, startedNanos);
  }

  int incarnation() {
    return incarnation;
  }

  long pid() {
    return process.pid();
  }

  long startedNanos() {
    return startedNanos;
  }

  Path logFile() {
    return logFile;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Returns the exit code, or empty while the process runs. */
  Optional<Integer> exitCode() {
    return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
  }

  /**
   * Returns the pids of recording pipeline processes the server is running now, with the round
   * folder of each, read from their command lines.
   */
  List<PipelineProcess> runningPipelines() {
    List<PipelineProcess> running = new ArrayList<>();
    process.toHandle().descendants().forEach(handle -> {
      Optional<String> commandLine = handle.info().commandLine();
      if (commandLine.isPresent() && isOurPipeline(commandLine.get())) {
        running.add(new PipelineProcess(handle.pid(), roundOf(commandLine.get())));
      }
    });
    return running;
  }

  /** A recording pipeline process and the round id taken from its hand-off file paths. */
  record PipelineProcess(long pid, String roundId) {}

  private boolean isOurPipeline(String commandLine) {
    return commandLine.contains(PIPELINE_CLASS)
        && commandLine.contains(ledgerDirectory.toString());
  }

  /** Returns the folder name of the first hand-off file, which the engine names by round id. */
  private static String roundOf(String commandLine) {
    for (String part : commandLine.split(" ")) {
      if (part.endsWith(".json")) {
        Path parent = Path.of(part).getParent();
        if (parent != null && parent.getFileName() != null) {
          return parent.getFileName().toString();
        }
      }
    }
    return "";
  }

  /**
   * Sends SIGKILL to the server and then to every recording pipeline process of this harness
   * run, including ones the server started after the pipelines were listed, and waits until
   * all of them are gone.
   *
   * @return pids of the pipeline processes that were killed
   * @throws IllegalStateException if a process is still alive 10 seconds after SIGKILL
   */
  List<Long> kill() throws InterruptedException {
    List<ProcessHandle> descendants = process.toHandle().descendants().toList();
    // On Linux, Process.destroyForcibly() sends SIGKILL.
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("Server pid " + process.pid() + " still alive 10 s after"
          + " SIGKILL");
    }
    List<Long> killed = new ArrayList<>();
    killAll(descendants, killed);
    // A pipeline started after the listing was reparented when the server died, and one still
    // between fork and exec does not show the pipeline's command line yet. Two sweeps by
    // command line, the second after such an exec has had time to finish, find both.
    killAll(pipelinesByCommandLine(), killed);
    Thread.sleep(SECOND_SWEEP_DELAY_MS);
    killAll(pipelinesByCommandLine(), killed);
    return killed;
  }

  private List<ProcessHandle> pipelinesByCommandLine() {
    return ProcessHandle.allProcesses()
        .filter(handle -> handle.info().commandLine().map(this::isOurPipeline).orElse(false))
        .toList();
  }

  private static void killAll(List<ProcessHandle> processes, List<Long> killed)
      throws InterruptedException {
    for (ProcessHandle handle : processes) {
      if (handle.destroyForcibly() && !killed.contains(handle.pid())) {
        killed.add(handle.pid());
      }
    }
    for (ProcessHandle handle : processes) {
      awaitTerminated(handle.pid());
    }
  }

  /**
   * Waits until {@code pid} has no running thread left: gone, or a zombie waiting for its new
   * parent to reap it. {@link ProcessHandle#onExit()} would poll a process that is not our child
   * every few hundred milliseconds and counts a zombie as alive, so this reads the state letter
   * in {@code /proc/<pid>/stat} instead.
   *
   * @throws IllegalStateException if it still runs 10 seconds after SIGKILL
   */
  private static void awaitTerminated(long pid) throws InterruptedException {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      String content;
      try {
        content = Files.readString(stat, StandardCharsets.US_ASCII);
      } catch (IOException e) {
        return;
      }
      // The state letter follows the command name, which is in parentheses and may hold spaces.
      int nameEnd = content.lastIndexOf(')');
      char state = nameEnd >= 0 && nameEnd + 2 < content.length() ? content.charAt(nameEnd + 2)
          : '?';
      if (state == 'Z' || state == 'X') {
        return;
      }
      if (System.nanoTime() > until) {
        throw new IllegalStateException(
            "Pipeline pid " + pid + " still in state " + state + " 10 s after SIGKILL");
      }
      Thread.sleep(1);
    }
  }

  /**
   * Sends SIGTERM so the server shuts down gracefully, and waits up to {@code timeoutSeconds}.
   *
   * @return the exit code, or empty if it did not exit in time and was killed
   */
  Optional<Integer> stop(long timeoutSeconds) throws InterruptedException {
    process.destroy();
    if (process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      return Optional.of(process.exitValue());
    }
    log.warn("Server pid {} did not stop {} s after SIGTERM; killing it", process.pid(),
        timeoutSeconds);
    kill();
    return Optional.empty();
  }

  /** Returns the last {@code lines} lines of the log, for failure reports. */
  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }
}
