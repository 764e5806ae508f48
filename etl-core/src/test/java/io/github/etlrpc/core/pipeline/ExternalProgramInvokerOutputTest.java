package io.github.etlrpc.core.pipeline;

import static io.github.etlrpc.core.pipeline.ExternalProgramInvoker.MAX_LOG_FILE_BYTES;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.core.store.InMemoryRoundStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests the limits on pipeline output in the SLF4J log and in the attempt's log file. The log is
 * read from System.err, where slf4j-simple writes it in tests.
 */
class ExternalProgramInvokerOutputTest {
  @TempDir Path directory;

  private Path roundDirectory;
  private final InMemoryRoundStore store = new InMemoryRoundStore();

  @BeforeEach
  void createRoundDirectory() throws IOException {
    roundDirectory = Files.createDirectories(directory.resolve("rounds").resolve("r1"));
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void run_outputBeyondLimitsIsCapped() throws Exception {
    int shortLines = 1_500;
    int fillerLines = 120_000;
    Path script = script("loud.sh", """
        head -c 5000 /dev/zero | tr '\\0' y
        echo
        i=0
        while [ $i -lt %d ]; do echo "line $i"; i=$((i+1)); done
        yes "$(printf '%%099d' 0)" | head -n %d
        echo "final problem" >&2
        exit 5
        """.formatted(shortLines, fillerLines));
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    PipelineResult result = withLogCaptured(log, () -> invoker(script).run(run()));

    assertThat(result).isEqualTo(
        PipelineResult.failed(5, "exit code 5; last stderr line: final problem"));
    String logText = log.toString(StandardCharsets.UTF_8);
    long loggedLines = logText.lines()
        .filter(line -> line.contains("Round r1 attempt 1 pipeline std"))
        .count();
    assertThat(loggedLines).isEqualTo(ExternalProgramInvoker.MAX_LOGGED_LINES);
    assertThat(logText).contains(
        "Round r1 attempt 1 pipeline stdout: " + "y".repeat(2_000) + " [... cut 3000 more chars]");
    assertThat(logText).doesNotContain("y".repeat(2_001));
    long totalLines = 1 + shortLines + fillerLines + 1;
    assertThat(logText).contains("Round r1 attempt 1: pipeline wrote "
        + (totalLines - ExternalProgramInvoker.MAX_LOGGED_LINES) + " more lines after the first "
        + ExternalProgramInvoker.MAX_LOGGED_LINES + "; they went only to "
        + roundDirectory.resolve("pipeline-attempt-1.log"));

    List<String> fileLines = Files.readAllLines(roundDirectory.resolve("pipeline-attempt-1.log"));
    long writtenBytes = fileLines.stream()
        .filter(line -> line.startsWith("[stdout] ") || line.startsWith("[stderr] "))
        .mapToLong(line -> line.getBytes(StandardCharsets.UTF_8).length + 1)
        .sum();
    long expectedBytes = ("[stdout] " + "y".repeat(5_000) + "\n").length()
        + fillerLines * ("[stdout] " + "0".repeat(99) + "\n").length()
        + ("[stderr] final problem\n").length();
    for (int i = 0; i < shortLines; i++) {
      expectedBytes += ("[stdout] line " + i + "\n").length();
    }
    String marker = fileLines.stream()
        .filter(line -> line.startsWith("# dropped "))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no dropped-bytes line in the log file"));
    Matcher dropped = Pattern.compile("# dropped (\\d+) more bytes of output lines; this file"
        + " keeps at most " + MAX_LOG_FILE_BYTES + " bytes of them").matcher(marker);
    assertThat(dropped.matches()).as("marker line: %s", marker).isTrue();
    assertThat(writtenBytes).isLessThanOrEqualTo(MAX_LOG_FILE_BYTES);
    assertThat(writtenBytes).isGreaterThan(MAX_LOG_FILE_BYTES - 109);
    assertThat(writtenBytes + Long.parseLong(dropped.group(1))).isEqualTo(expectedBytes);
    assertThat(fileLines).contains("[stdout] " + "y".repeat(5_000));
    assertThat(fileLines.get(fileLines.size() - 1)).startsWith("# exit code 5 after ");
    assertThat(logText).contains(", and the last " + dropped.group(1) + " bytes were dropped");
  }

  @Test
  void run_longLineSplitAndCut() throws Exception {
    Path script = script("long.sh", """
        head -c 20000 /dev/zero | tr '\\0' x
        printf '\\r\\n'
        printf 'a\\rb\\r\\n'
        printf 'no newline at the end' >&2
        """);
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    PipelineResult result = withLogCaptured(log, () -> invoker(script).run(run()));

    assertThat(result).isEqualTo(PipelineResult.succeeded(0));
    List<String> fileLines = Files.readAllLines(roundDirectory.resolve("pipeline-attempt-1.log"));
    assertThat(fileLines).containsSubsequence(
        "[stdout] " + "x".repeat(ProcessOutput.MAX_FILE_LINE_CHARS),
        "[stdout] " + "x".repeat(ProcessOutput.MAX_FILE_LINE_CHARS),
        "[stdout] " + "x".repeat(20_000 - 2 * ProcessOutput.MAX_FILE_LINE_CHARS));
    assertThat(Files.readString(roundDirectory.resolve("pipeline-attempt-1.log")))
        .contains("[stdout] a\rb\n")
        .contains("[stderr] no newline at the end\n");
    String logText = log.toString(StandardCharsets.UTF_8);
    assertThat(logText).contains(
        "Round r1 attempt 1 pipeline stdout: " + "x".repeat(2_000) + " [... cut 18000 more chars]");
    assertThat(logText).doesNotContain("x".repeat(2_001));
    assertThat(logText).doesNotContain("more lines after the first");
  }

  @Test
  void run_longStderrLineCutInFailureMessage() throws Exception {
    Path script = script("fail.sh", """
        head -c 3000 /dev/zero | tr '\\0' e >&2
        exit 2
        """);

    PipelineResult result = invoker(script).run(run());

    assertThat(result).isEqualTo(PipelineResult.failed(2,
        "exit code 2; last stderr line: " + "e".repeat(2_000) + " [... cut 1000 more chars]"));
  }

  @Test
  void run_longCommandCutInLog() throws Exception {
    Path script = script("ok.sh", "exit 0");
    String longArgument = "--option=" + "c".repeat(3_000);
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    PipelineResult result = withLogCaptured(log, () -> ExternalProgramInvoker.newBuilder()
        .command(List.of("/bin/sh", script.toString(), longArgument))
        .build()
        .run(run()));

    assertThat(result).isEqualTo(PipelineResult.succeeded(0));
    String command = List.of("/bin/sh", script.toString(), longArgument).toString();
    String startLine = log.toString(StandardCharsets.UTF_8).lines()
        .filter(line -> line.contains("Round r1 attempt 1: starting pipeline "))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no start line in the log"));
    assertThat(startLine).contains("starting pipeline " + command.substring(0, 500)
        + " [... cut " + (command.length() - 500) + " more chars] in " + roundDirectory);
    assertThat(startLine).doesNotContain(longArgument);
    assertThat(Files.readString(roundDirectory.resolve("pipeline-attempt-1.log")))
        .startsWith("# round r1 attempt 1: " + command + "\n");
  }

  /** Runs {@code action} while System.err, and so the slf4j-simple log, goes to {@code sink}. */
  private static <T> T withLogCaptured(ByteArrayOutputStream sink, Callable<T> action)
      throws Exception {
    PrintStream original = System.err;
    System.setErr(new PrintStream(sink, true, StandardCharsets.UTF_8));
    try {
      return action.call();
    } finally {
      System.setErr(original);
    }
  }

  private ExternalProgramInvoker invoker(Path script) {
    return ExternalProgramInvoker.newBuilder()
        .command(List.of("/bin/sh", script.toString()))
        .build();
  }

  private TestPipelineRun run() {
    return new TestPipelineRun("r1", "key-a", 1, List.of(), Map.of(), roundDirectory, Map.of(),
        store);
  }

  private Path script(String name, String body) throws IOException {
    Path script = directory.resolve(name);
    Files.writeString(script, "#!/bin/sh\n" + body + "\n");
    return script;
  }
}
