package io.github.etlrpc.core.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file {@code <roundDirectory>/pipeline.pid} that names the running pipeline process of a
 * round, so that a server restarted after a crash can stop a pipeline the crash left running
 * before it starts the round again. The file contains two lines, {@code pid=<pid>} and
 * {@code startMillis=<start instant in epoch milliseconds>}. The start instant tells the process
 * apart from a later one that the operating system gave the same pid.
 *
 * <p>NOTE: only the recorded process and its current descendants are killed. A child that
 * outlived the recorded process was re-parented and keeps running. Linux derives start instants
 * from a boot time stated in wall-clock seconds, so a clock step between the two runs may make
 * the leftover process look like another one and leave it running.
 */
final class PipelinePidFile {
  private static final Logger log = LoggerFactory.getLogger(ExternalProgramInvoker.class);

  static final String FILE_NAME = "pipeline.pid";

  /** How long to wait for a killed leftover pipeline and its descendants to exit. */
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private final Path file;
  private final String roundId;
  private final int attempt;

  PipelinePidFile(Path roundDirectory, String roundId, int attempt) {
    this.file = roundDirectory.resolve(FILE_NAME);
    this.roundId = roundId;
    this.attempt = attempt;
  }

  /**
   * Kills the process that the file names, with its descendants, if that process still runs and
   * started at the recorded instant. Then deletes the file. A process with the same pid but
   * another start instant is left alone, and so is this JVM. A malformed file is logged and left
   * in place; the next {@link #write} replaces it.
   */
  void killLeftover() throws InterruptedException {
    if (!Files.exists(file)) {
      return;
    }
    Recorded recorded;
    try {
      recorded = Recorded.parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (IOException | IllegalArgumentException e) {
      log.warn("Round {} attempt {}: ignoring unreadable pid file {}: {}", roundId, attempt, file,
          e.toString());
      return;
    }
    Optional<ProcessHandle> process =
        ProcessHandle.of(recorded.pid()).filter(ProcessTree::isRunning);
    Optional<Instant> started = process.flatMap(handle -> handle.info().startInstant());
    if (process.isEmpty()) {
      log.debug("Round {} attempt {}: pipeline pid {} from {} no longer runs", roundId, attempt,
          recorded.pid(), file);
    } else if (started.isEmpty() || started.get().toEpochMilli() != recorded.startMillis()) {
      log.info("Round {} attempt {}: pid {} from {} now belongs to another process, started at"
          + " {} instead of {}; leaving it alone", roundId, attempt, recorded.pid(), file,
          started.map(Instant::toString).orElse("an unknown instant"),
          Instant.ofEpochMilli(recorded.startMillis()));
    } else if (recorded.pid() == ProcessHandle.current().pid()) {
      log.warn("Round {} attempt {}: pid file {} names this JVM, pid {}; leaving it alone",
          roundId, attempt, file, recorded.pid());
    } else {
      kill(process.get());
    }
    delete();
  }

  private void kill(ProcessHandle process) throws InterruptedException {
    log.warn("Round {} attempt {}: pipeline process {} of an earlier run of this round still"
        + " runs, probably left by a server crash; killing it and its descendants", roundId,
        attempt, process.pid());
    List<ProcessHandle> killed = ProcessTree.killForcibly(process);
    if (!ProcessTree.awaitGone(killed, KILL_WAIT)) {
      log.warn("Round {} attempt {}: leftover pipeline process {} or a descendant still runs {}"
          + " after SIGKILL; starting the new run anyway", roundId, attempt, process.pid(),
          KILL_WAIT);
    }
  }

  /**
   * Records the started process, writing a temporary file and moving it into place, so a reader
   * never sees half a file. Writes nothing if the process already exited and was reaped, because
   * its start instant is then unknown and there is nothing left to stop.
   *
   * @throws IOException if the file cannot be written, or the start instant of the running
   *     process is unknown
   */
  void write(ProcessHandle process) throws IOException {
    Optional<Instant> startInstant = process.info().startInstant();
    if (startInstant.isEmpty() && !process.isAlive()) {
      return;
    }
    Instant started = startInstant.orElseThrow(() -> new IOException(
        "the operating system reports no start instant for pid " + process.pid()));
    Path temporary = file.resolveSibling(FILE_NAME + ".tmp");
    Files.writeString(temporary, "pid=" + process.pid() + "\nstartMillis="
        + started.toEpochMilli() + "\n", StandardCharsets.UTF_8);
    try {
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Deletes the file if it exists; a failure is logged, because the next run checks the pid. */
  void delete() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("Round {} attempt {}: cannot delete pid file {}", roundId, attempt, file, e);
    }
  }

  /** Contents of a pid file. */
  private record Recorded(long pid, long startMillis) {
    /**
     * Parses the {@code pid=} and {@code startMillis=} lines.
     *
     * @throws IllegalArgumentException if a line is missing or not a number
     */
    static Recorded parse(List<String> lines) {
      Long pid = null;
      Long startMillis = null;
      for (String line : lines) {
        String trimmed = line.strip();
        if (trimmed.startsWith("pid=")) {
          pid = parseNumber(trimmed, "pid=");
        } else if (trimmed.startsWith("startMillis=")) {
          startMillis = parseNumber(trimmed, "startMillis=");
        }
      }
      if (pid == null || startMillis == null) {
        throw new IllegalArgumentException("expected lines pid=<number> and"
            + " startMillis=<number>, found " + ProcessOutput.abbreviate(lines.toString(), 200));
      }
      return new Recorded(pid, startMillis);
    }

    private static long parseNumber(String line, String key) {
      try {
        return Long.parseLong(line.substring(key.length()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("invalid number in line '" + line + "'", e);
      }
    }
  }
}
