package io.github.etlrpc.core.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Output of one pipeline process: a thread per stream reads it line by line, logs each line with
 * the round id (stdout at INFO, stderr at WARN) and appends it to the attempt's log file. Lines
 * longer than {@link #MAX_LINE_CHARS} are split. Thread-safe.
 */
final class ProcessOutput implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExternalProgramInvoker.class);

  /** Maximum line length in chars; longer lines are logged in pieces of this size. */
  static final int MAX_LINE_CHARS = 8192;

  private final String roundId;
  private final int attempt;
  private final Path logFile;
  private final Object fileLock = new Object();
  private @Nullable Writer file;
  private final Thread stdoutPump;
  private final Thread stderrPump;
  private volatile @Nullable String lastStderrLine;

  private ProcessOutput(String roundId, int attempt, Path logFile, Writer file, Process process) {
    this.roundId = roundId;
    this.attempt = attempt;
    this.logFile = logFile;
    this.file = file;
    this.stdoutPump = pump(process.getInputStream(), false);
    this.stderrPump = pump(process.getErrorStream(), true);
  }

  /**
   * Opens {@code logFile} for appending, writes {@code header} to it and starts the two pump
   * threads.
   */
  static ProcessOutput start(String roundId, int attempt, Path logFile, String header,
      Process process) throws IOException {
    Writer file = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    file.write(header);
    file.write('\n');
    file.flush();
    return new ProcessOutput(roundId, attempt, logFile, file, process);
  }

  /** Last line the process wrote to stderr, or null if it wrote none. */
  @Nullable String lastStderrLine() {
    return lastStderrLine;
  }

  /**
   * Waits up to {@code timeout} for both streams to reach end of file, which happens once the
   * process and every child that inherited its output have exited.
   *
   * @return true if both pumps finished
   */
  boolean awaitEnd(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    stdoutPump.join(Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis()));
    stderrPump.join(Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis()));
    return !stdoutPump.isAlive() && !stderrPump.isAlive();
  }

  /** Appends a line to the log file only, such as the exit code. */
  void note(String line) {
    writeToFile(line);
  }

  /** Closes the log file; lines that pumps still read afterwards are only logged. */
  @Override
  public void close() {
    synchronized (fileLock) {
      if (file == null) {
        return;
      }
      try {
        file.close();
      } catch (IOException e) {
        log.warn("Round {} attempt {}: cannot close pipeline log {}", roundId, attempt, logFile,
            e);
      }
      file = null;
    }
  }

  private Thread pump(InputStream stream, boolean stderr) {
    String name = "etl-pipeline-" + roundId + (stderr ? "-stderr" : "-stdout");
    Thread thread = new Thread(() -> readLines(stream, stderr), name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private void readLines(InputStream stream, boolean stderr) {
    Reader reader = new InputStreamReader(stream, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE));
    StringBuilder line = new StringBuilder();
    char[] chunk = new char[4096];
    try (reader) {
      int count;
      while ((count = reader.read(chunk)) >= 0) {
        for (int i = 0; i < count; i++) {
          char c = chunk[i];
          if (c == '\n') {
            emit(line, stderr);
          } else {
            line.append(c);
            if (line.length() >= MAX_LINE_CHARS) {
              emit(line, stderr);
            }
          }
        }
      }
      if (line.length() > 0) {
        emit(line, stderr);
      }
    } catch (IOException e) {
      log.debug("Round {} attempt {}: pipeline {} closed early", roundId, attempt,
          stderr ? "stderr" : "stdout", e);
    }
  }

  private void emit(StringBuilder buffer, boolean stderr) {
    int end = buffer.length();
    if (end > 0 && buffer.charAt(end - 1) == '\r') {
      end--;
    }
    String line = buffer.substring(0, end);
    buffer.setLength(0);
    if (stderr) {
      lastStderrLine = line;
      log.warn("Round {} attempt {} pipeline stderr: {}", roundId, attempt, line);
      writeToFile("[stderr] " + line);
    } else {
      log.info("Round {} attempt {} pipeline stdout: {}", roundId, attempt, line);
      writeToFile("[stdout] " + line);
    }
  }

  private void writeToFile(String line) {
    synchronized (fileLock) {
      if (file == null) {
        return;
      }
      try {
        file.write(line);
        file.write('\n');
        file.flush();
      } catch (IOException e) {
        log.warn("Round {} attempt {}: cannot write pipeline log {}; output goes only to this"
            + " log from now on", roundId, attempt, logFile, e);
        closeAfterFailure();
      }
    }
  }

  private void closeAfterFailure() {
    Writer failed = file;
    file = null;
    try {
      if (failed != null) {
        failed.close();
      }
    } catch (IOException e) {
      log.debug("Closing pipeline log {} after a write failure failed", logFile, e);
    }
  }
}
