package io.github.etlrpc.core.pipeline;

import static io.github.etlrpc.core.pipeline.ExternalProgramInvoker.MAX_LOGGED_LINES;
import static io.github.etlrpc.core.pipeline.ExternalProgramInvoker.MAX_LOGGED_LINE_CHARS;
import static io.github.etlrpc.core.pipeline.ExternalProgramInvoker.MAX_LOG_FILE_BYTES;

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
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Output of one pipeline process: a thread per stream reads it line by line, logs each line with
 * the round id (stdout at INFO, stderr at WARN) and appends it to the attempt's log file.
 * Thread-safe.
 *
 * <p>Both streams together log at most {@link ExternalProgramInvoker#MAX_LOGGED_LINES} lines,
 * each cut after {@link ExternalProgramInvoker#MAX_LOGGED_LINE_CHARS} chars. The file takes at
 * most {@link ExternalProgramInvoker#MAX_LOG_FILE_BYTES} bytes of output lines, and lines longer
 * than {@link #MAX_FILE_LINE_CHARS} are split there. The threads read to the end of both streams
 * whatever the limits drop, so the program does not block on a full pipe.
 */
final class ProcessOutput implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExternalProgramInvoker.class);

  /** Maximum length in chars of a line in the log file; longer lines are written in pieces. */
  static final int MAX_FILE_LINE_CHARS = 8192;

  private final String roundId;
  private final int attempt;
  private final Path logFile;
  private final Thread stdoutPump;
  private final Thread stderrPump;
  private volatile @Nullable String lastStderrLine;
  /** Lines read from both streams so far; the first MAX_LOGGED_LINES of them are logged. */
  private final AtomicLong lineCount = new AtomicLong();

  private final Object fileLock = new Object();
  private @Nullable Writer file;
  /** Bytes of output lines written to the file, not counting the header and notes. */
  private long fileOutputBytes;
  /** Bytes of output lines left out of the file once it reached MAX_LOG_FILE_BYTES. */
  private long droppedBytes;
  private boolean summarized;

  private ProcessOutput(String roundId, int attempt, Path logFile, Writer file, Process process) {
    this.roundId = roundId;
    this.attempt = attempt;
    this.logFile = logFile;
    this.file = file;
    this.stdoutPump = pump(process.getInputStream(), Stream.STDOUT);
    this.stderrPump = pump(process.getErrorStream(), Stream.STDERR);
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

  /**
   * Returns {@code text} unchanged if it has at most {@code maxChars} chars, or else its first
   * {@code maxChars} chars followed by a marker with the number of chars cut.
   */
  static String abbreviate(String text, int maxChars) {
    if (text.length() <= maxChars) {
      return text;
    }
    return cut(text, maxChars, text.length());
  }

  /**
   * Returns the first {@code maxChars} chars of {@code head}, or one fewer so that a surrogate
   * pair stays whole, followed by a marker with the number of chars cut from a text of
   * {@code totalChars} chars that starts with {@code head}.
   */
  private static String cut(CharSequence head, int maxChars, long totalChars) {
    int end = maxChars;
    if (end > 0 && Character.isHighSurrogate(head.charAt(end - 1))) {
      end--;
    }
    return head.subSequence(0, end) + " [... cut " + (totalChars - end) + " more chars]";
  }

  /**
   * Last line the process wrote to stderr, cut like a logged line, or null if it wrote none.
   */
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

  /** Appends a line to the log file only, such as the exit code. The byte limit does not apply. */
  void note(String line) {
    synchronized (fileLock) {
      writeToFile(line);
    }
  }

  /**
   * Reports what the limits left out, once: a line in the file with the number of bytes dropped,
   * and an INFO line with the number of lines not logged. Call it after {@link #awaitEnd}; lines
   * read later are not counted.
   */
  void summarize() {
    long dropped;
    synchronized (fileLock) {
      if (summarized) {
        return;
      }
      summarized = true;
      dropped = droppedBytes;
      if (dropped > 0) {
        writeToFile("# dropped " + dropped + " more bytes of output lines; this file keeps at"
            + " most " + MAX_LOG_FILE_BYTES + " bytes of them");
      }
    }
    long notLogged = lineCount.get() - MAX_LOGGED_LINES;
    if (notLogged <= 0) {
      return;
    }
    if (dropped > 0) {
      log.info("Round {} attempt {}: pipeline wrote {} more lines after the first {}; they went"
          + " only to {} until it reached {} bytes of output, and the last {} bytes were dropped",
          roundId, attempt, notLogged, MAX_LOGGED_LINES, logFile, MAX_LOG_FILE_BYTES, dropped);
    } else {
      log.info("Round {} attempt {}: pipeline wrote {} more lines after the first {}; they went"
          + " only to {}", roundId, attempt, notLogged, MAX_LOGGED_LINES, logFile);
    }
  }

  /**
   * Writes the summary and closes the log file; lines that pumps still read afterwards are only
   * logged, within the line limit.
   */
  @Override
  public void close() {
    summarize();
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

  private Thread pump(InputStream stream, Stream kind) {
    String name = "etl-pipeline-" + roundId + "-" + kind.label;
    Thread thread = new Thread(() -> readLines(stream, kind), name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private void readLines(InputStream stream, Stream kind) {
    Reader reader = new InputStreamReader(stream, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE));
    LineSplitter lines = new LineSplitter(kind);
    char[] chunk = new char[4096];
    try (reader) {
      int count;
      while ((count = reader.read(chunk)) >= 0) {
        for (int i = 0; i < count; i++) {
          lines.accept(chunk[i]);
        }
      }
      lines.finish();
    } catch (IOException e) {
      log.debug("Round {} attempt {}: pipeline {} closed early", roundId, attempt, kind.label, e);
    }
  }

  /** Called by a pump at the end of each line, with the line's head and total length. */
  private void endLine(Stream kind, StringBuilder head, long lineChars) {
    String line = lineChars > MAX_LOGGED_LINE_CHARS
        ? cut(head, MAX_LOGGED_LINE_CHARS, lineChars)
        : head.toString();
    if (kind == Stream.STDERR) {
      lastStderrLine = line;
    }
    if (lineCount.incrementAndGet() > MAX_LOGGED_LINES) {
      return;
    }
    if (kind == Stream.STDERR) {
      log.warn("Round {} attempt {} pipeline stderr: {}", roundId, attempt, line);
    } else {
      log.info("Round {} attempt {} pipeline stdout: {}", roundId, attempt, line);
    }
  }

  /** Appends a line or a piece of a long line, unless the file reached its byte limit. */
  private void writeOutput(Stream kind, CharSequence text) {
    String line = kind.filePrefix + text;
    long bytes = utf8Length(line) + 1;
    synchronized (fileLock) {
      if (droppedBytes > 0 || fileOutputBytes + bytes > MAX_LOG_FILE_BYTES) {
        droppedBytes += bytes;
        return;
      }
      if (writeToFile(line)) {
        fileOutputBytes += bytes;
      }
    }
  }

  /** Writes one line and flushes it; returns false if the file is closed or failed. */
  private boolean writeToFile(String line) {
    if (file == null) {
      return false;
    }
    try {
      file.write(line);
      file.write('\n');
      file.flush();
      return true;
    } catch (IOException e) {
      log.warn("Round {} attempt {}: cannot write pipeline log {}; output goes only to this"
          + " log from now on", roundId, attempt, logFile, e);
      closeAfterFailure();
      return false;
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

  /** Number of bytes of {@code text} in UTF-8. */
  private static long utf8Length(String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  private enum Stream {
    STDOUT("stdout", "[stdout] "),
    STDERR("stderr", "[stderr] ");

    final String label;
    final String filePrefix;

    Stream(String label, String filePrefix) {
      this.label = label;
      this.filePrefix = filePrefix;
    }
  }

  /**
   * Splits one stream into lines at LF, dropping a CR before it. Writes each line to the file
   * in pieces of at most MAX_FILE_LINE_CHARS chars, and keeps only the first
   * MAX_LOGGED_LINE_CHARS chars of the line for the log, so memory stays bounded whatever the
   * line length. Used by one pump thread only.
   */
  private final class LineSplitter {
    private final Stream kind;
    private final StringBuilder piece = new StringBuilder();
    private final StringBuilder head = new StringBuilder();
    /** Chars of the current line so far, including pieces already written. */
    private long lineChars;
    private boolean pendingCarriageReturn;

    LineSplitter(Stream kind) {
      this.kind = kind;
    }

    void accept(char c) {
      if (c == '\n') {
        pendingCarriageReturn = false;
        endLine();
        return;
      }
      if (pendingCarriageReturn) {
        pendingCarriageReturn = false;
        append('\r');
      }
      if (c == '\r') {
        pendingCarriageReturn = true;
      } else {
        append(c);
      }
    }

    /** Ends the last line at end of stream, unless the stream ended with LF. */
    void finish() {
      if (pendingCarriageReturn) {
        pendingCarriageReturn = false;
        append('\r');
      }
      if (lineChars > 0) {
        endLine();
      }
    }

    private void append(char c) {
      piece.append(c);
      if (head.length() < MAX_LOGGED_LINE_CHARS) {
        head.append(c);
      }
      lineChars++;
      if (piece.length() >= MAX_FILE_LINE_CHARS) {
        // A high surrogate waits for the next piece, so that no piece ends inside a pair.
        int end = Character.isHighSurrogate(c) ? piece.length() - 1 : piece.length();
        writeOutput(kind, piece.subSequence(0, end));
        piece.delete(0, end);
      }
    }

    private void endLine() {
      // A line whose length is a multiple of MAX_FILE_LINE_CHARS is already written in full.
      if (piece.length() > 0 || lineChars == 0) {
        writeOutput(kind, piece);
      }
      ProcessOutput.this.endLine(kind, head, lineChars);
      piece.setLength(0);
      head.setLength(0);
      lineChars = 0;
    }
  }
}
