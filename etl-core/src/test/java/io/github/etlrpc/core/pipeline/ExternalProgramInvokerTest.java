package io.github.etlrpc.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.SourceCatalog;
import io.github.etlrpc.core.store.InMemoryRoundStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalProgramInvokerTest {
  @TempDir Path directory;

  private Path roundDirectory;
  private Map<String, Path> files;
  private final InMemoryRoundStore store = new InMemoryRoundStore();

  @BeforeEach
  void writeHandoffFiles() throws IOException {
    roundDirectory = Files.createDirectories(directory.resolve("rounds").resolve("r1"));
    files = new LinkedHashMap<>();
    for (String source : List.of("oms", "hospital", "secretaria")) {
      Path file = roundDirectory.resolve(source + ".json");
      Files.writeString(file, "[\n{\"source\": \"" + source + "\"}\n]");
      files.put(source, file);
    }
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void run_placeholdersBecomeAbsolutePaths() throws Exception {
    Path script = script("args.sh", "for a in \"$@\"; do echo \"$a\"; done > args.txt");
    ExternalProgramInvoker invoker = ExternalProgramInvoker.newBuilder()
        .command("/bin/sh \"" + script + "\" {hospital} --round={round} {OMS}")
        .sources(SourceCatalog.defaults())
        .build();

    PipelineResult result = invoker.run(run(1));

    assertThat(result).isEqualTo(PipelineResult.succeeded(0));
    assertThat(Files.readAllLines(roundDirectory.resolve("args.txt"))).containsExactly(
        files.get("hospital").toAbsolutePath().toString(), "--round=r1",
        files.get("oms").toAbsolutePath().toString());
  }

  @Test
  void run_noPlaceholderAppendsDefaultOrder() throws Exception {
    Path extra = roundDirectory.resolve("clinica.json");
    Files.writeString(extra, "[]");
    files.put("clinica", extra);
    Path script = script("args.sh", "for a in \"$@\"; do echo \"$a\"; done > args.txt");
    ExternalProgramInvoker invoker = ExternalProgramInvoker.newBuilder()
        .command(List.of("/bin/sh", script.toString()))
        .build();

    PipelineResult result = invoker.run(run(1));

    assertThat(result.isSuccess()).isTrue();
    assertThat(Files.readAllLines(roundDirectory.resolve("args.txt"))).containsExactly(
        files.get("oms").toString(), files.get("secretaria").toString(),
        files.get("hospital").toString(), extra.toString());
  }

  @Test
  void run_programReadsFilesAndEnvironment() throws Exception {
    Path script = script("check.sh", """
        [ "$ETL_ROUND_ID" = r1 ] || { echo "ETL_ROUND_ID=$ETL_ROUND_ID" >&2; exit 9; }
        [ "$ETL_ROUND_KEY" = key-a ] || { echo "ETL_ROUND_KEY=$ETL_ROUND_KEY" >&2; exit 8; }
        [ "$ETL_ATTEMPT" = 2 ] || { echo "ETL_ATTEMPT=$ETL_ATTEMPT" >&2; exit 7; }
        [ "$CUSTOM" = yes ] || { echo "CUSTOM=$CUSTOM" >&2; exit 6; }
        cat "$1"
        echo "warning from the pipeline" >&2
        """);
    ExternalProgramInvoker invoker = ExternalProgramInvoker.newBuilder()
        .command("/bin/sh " + script + " {oms}")
        .environment(Map.of("CUSTOM", "yes", "ETL_ROUND_ID", "overridden"))
        .build();

    PipelineResult result = invoker.run(run(2));

    assertThat(result).isEqualTo(PipelineResult.succeeded(0));
    String log = Files.readString(roundDirectory.resolve("pipeline-attempt-2.log"));
    assertThat(log).contains("[stdout] {\"source\": \"oms\"}\n");
    assertThat(log).contains("[stderr] warning from the pipeline\n");
    assertThat(log).contains("# exit code 0 after ");
    assertThat(log).startsWith("# round r1 attempt 2: [/bin/sh, " + script);
  }

  @Test
  void run_exitCodeFailsWithLastStderrLine() throws Exception {
    Path script = script("fail.sh", """
        echo "first problem" >&2
        echo "some output"
        printf 'second problem' >&2
        exit 3
        """);
    ExternalProgramInvoker invoker =
        ExternalProgramInvoker.newBuilder().command("/bin/sh " + script).build();

    PipelineResult result = invoker.run(run(1));

    assertThat(result).isEqualTo(
        PipelineResult.failed(3, "exit code 3; last stderr line: second problem"));
  }

  @Test
  void run_exitCodeWithoutStderr() throws Exception {
    Path script = script("quiet.sh", "exit 4");
    ExternalProgramInvoker invoker =
        ExternalProgramInvoker.newBuilder().command("/bin/sh " + script).build();

    assertThat(invoker.run(run(1)))
        .isEqualTo(PipelineResult.failed(4, "exit code 4; no stderr output"));
  }

  @Test
  void run_timeoutKillsProcessTree() throws Exception {
    Path script = script("slow.sh", """
        sleep 300 &
        echo $! > child.pid
        echo $$ > parent.pid
        sleep 300
        """);
    ExternalProgramInvoker invoker = ExternalProgramInvoker.newBuilder()
        .command("/bin/sh " + script)
        .timeout(Duration.ofSeconds(3))
        .build();

    PipelineResult result = invoker.run(run(1));

    assertThat(result.outcome()).isEqualTo(PipelineResult.Outcome.TIMED_OUT);
    assertThat(result.message()).startsWith("pipeline did not finish within the timeout of PT3S;"
        + " killed the process tree of pid ");
    long childPid = Long.parseLong(Files.readString(roundDirectory.resolve("child.pid")).trim());
    long parentPid = Long.parseLong(Files.readString(roundDirectory.resolve("parent.pid")).trim());
    await().atMost(Duration.ofSeconds(20)).until(() -> !isRunning(childPid));
    await().atMost(Duration.ofSeconds(20)).until(() -> !isRunning(parentPid));
    assertThat(Files.readString(roundDirectory.resolve("pipeline-attempt-1.log")))
        .contains("# pipeline did not finish within the timeout of PT3S");
    assertThat(roundDirectory.resolve("pipeline.pid")).doesNotExist();
  }

  @Test
  void run_timeoutKillsShellBeforeItsNextStep() throws Exception {
    Path script = script("steps.sh", """
        sleep 300 &
        echo $! > child.pid
        wait
        echo "next step ran" > after-kill.txt
        """);
    ExternalProgramInvoker invoker = ExternalProgramInvoker.newBuilder()
        .command("/bin/sh " + script)
        .timeout(Duration.ofSeconds(2))
        .build();

    for (int attempt = 1; attempt <= 5; attempt++) {
      PipelineResult result = invoker.run(run(attempt));

      assertThat(result.outcome()).isEqualTo(PipelineResult.Outcome.TIMED_OUT);
      long childPid = Long.parseLong(Files.readString(roundDirectory.resolve("child.pid")).trim());
      await().atMost(Duration.ofSeconds(20)).until(() -> !isRunning(childPid));
      assertThat(roundDirectory.resolve("after-kill.txt"))
          .as("attempt %d: the shell ran its next command after its child was killed", attempt)
          .doesNotExist();
    }
  }

  @Test
  void run_interruptKillsProcessTree() throws Exception {
    Path script = script("slow.sh", """
        sleep 300 &
        echo $! > child.pid
        sleep 300
        """);
    ExternalProgramInvoker invoker =
        ExternalProgramInvoker.newBuilder().command("/bin/sh " + script).build();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread runner = new Thread(() -> {
      try {
        invoker.run(run(1));
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    runner.start();
    Path pidFile = roundDirectory.resolve("child.pid");
    await().atMost(Duration.ofSeconds(20))
        .until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
    long childPid = Long.parseLong(Files.readString(pidFile).trim());

    runner.interrupt();
    runner.join(Duration.ofSeconds(30).toMillis());

    assertThat(runner.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    await().atMost(Duration.ofSeconds(20)).until(() -> !isRunning(childPid));
    assertThat(roundDirectory.resolve("pipeline.pid")).doesNotExist();
  }

  @Test
  void run_workingDirectoryDefaultsToRoundDirectory() throws Exception {
    Path script = script("where.sh", "pwd > where.txt");
    Path elsewhere = Files.createDirectories(directory.resolve("elsewhere"));

    ExternalProgramInvoker.newBuilder().command("/bin/sh " + script).build().run(run(1));
    ExternalProgramInvoker.newBuilder().command("/bin/sh " + script)
        .workingDirectory(elsewhere).build().run(run(1));

    assertThat(Path.of(Files.readString(roundDirectory.resolve("where.txt")).trim()))
        .isEqualTo(roundDirectory.toRealPath());
    assertThat(Path.of(Files.readString(elsewhere.resolve("where.txt")).trim()))
        .isEqualTo(elsewhere.toRealPath());
  }

  @Test
  void build_unknownPlaceholderRejectedWithCatalog() {
    ExternalProgramInvoker.Builder builder = ExternalProgramInvoker.newBuilder()
        .command("prog {oms} {clinica}")
        .sources(SourceCatalog.defaults());

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Pipeline command placeholder {clinica} names no known source; use one of"
            + " [oms, hospital, secretaria] or {round}");
  }

  @Test
  void run_unknownPlaceholderFailsWithoutStarting() throws Exception {
    Path script = script("marker.sh", "touch started.txt");
    ExternalProgramInvoker invoker = ExternalProgramInvoker.newBuilder()
        .command("/bin/sh " + script + " {clinica}")
        .build();

    PipelineResult result = invoker.run(run(1));

    assertThat(result.outcome()).isEqualTo(PipelineResult.Outcome.FAILED);
    assertThat(result.message()).contains("placeholder {clinica} names no source of round r1");
    assertThat(roundDirectory.resolve("started.txt")).doesNotExist();
  }

  @Test
  void run_missingProgramFails() throws Exception {
    ExternalProgramInvoker invoker = ExternalProgramInvoker.newBuilder()
        .command(List.of(directory.resolve("no-such-program").toString()))
        .build();

    PipelineResult result = invoker.run(run(1));

    assertThat(result.outcome()).isEqualTo(PipelineResult.Outcome.FAILED);
    assertThat(result.exitCode()).isEqualTo(-1);
    assertThat(result.message()).startsWith("cannot start " + directory.resolve("no-such-program"));
  }

  @Test
  void builder_rejectsBadOptions() {
    ExternalProgramInvoker.Builder builder = ExternalProgramInvoker.newBuilder();

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("No pipeline command set");
    assertThatThrownBy(() -> builder.timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Pipeline timeout is PT0S; use a positive duration");
    assertThatThrownBy(() -> builder.command(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private TestPipelineRun run(int attempt) {
    return new TestPipelineRun("r1", "key-a", attempt, List.copyOf(files.keySet()),
        Map.of("oms", 2L), roundDirectory, files, store);
  }

  private Path script(String name, String body) throws IOException {
    Path script = directory.resolve(name);
    Files.writeString(script, "#!/bin/sh\n" + body + "\n");
    return script;
  }

  /** Returns whether the process runs; a zombie waiting to be reaped does not count. */
  private static boolean isRunning(long pid) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }
}
