package io.github.etlrpc.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.core.store.InMemoryRoundStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests the pid file {@code pipeline.pid} through {@link ExternalProgramInvoker}: a pipeline left
 * running by a killed JVM is stopped before the round runs again, and nothing else is.
 */
class ExternalProgramInvokerLeftoverTest {
  @TempDir Path directory;

  private Path roundDirectory;
  private Path pidFile;
  private final InMemoryRoundStore store = new InMemoryRoundStore();
  /** Processes a test started; killed after it, in case an assertion failed first. */
  private final List<ProcessHandle> started = new ArrayList<>();

  @BeforeEach
  void createRoundDirectory() throws IOException {
    roundDirectory = Files.createDirectories(directory.resolve("rounds").resolve("r1"));
    pidFile = roundDirectory.resolve("pipeline.pid");
  }

  @AfterEach
  void cleanUp() {
    started.forEach(ProcessHandle::destroyForcibly);
    store.close();
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void run_killsPipelineOfCrashedJvm() throws Exception {
    Path oldScript = script("old.sh", """
        sleep 30 &
        echo $! > old-child.pid
        echo $$ > old-parent.pid
        wait
        """);
    Process crashingJvm = startChildJvm(oldScript);
    started.add(crashingJvm.toHandle());
    await().atMost(Duration.ofSeconds(60)).until(() -> hasPid("old-parent.pid")
        && hasPid("old-child.pid") && Files.exists(pidFile));
    long oldParent = readPid("old-parent.pid");
    long oldChild = readPid("old-child.pid");
    ProcessHandle.of(oldParent).ifPresent(started::add);
    ProcessHandle.of(oldChild).ifPresent(started::add);

    crashingJvm.destroyForcibly();
    assertThat(crashingJvm.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(ProcessTree.isRunning(handle(oldParent))).as("old pipeline after crash").isTrue();
    assertThat(ProcessTree.isRunning(handle(oldChild))).as("old child after crash").isTrue();
    assertThat(Files.readAllLines(pidFile)).first().isEqualTo("pid=" + oldParent);

    Path newScript = script("new.sh", """
        for pid in $(cat old-parent.pid) $(cat old-child.pid); do
          state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c1)
          case "$state" in
            ''|Z|X) echo "$pid stopped" ;;
            *) echo "$pid running $state" ;;
          esac
        done > observed.txt
        """);
    PipelineResult result = ExternalProgramInvoker.newBuilder()
        .command(List.of("/bin/sh", newScript.toString()))
        .build()
        .run(run());

    assertThat(result).isEqualTo(PipelineResult.succeeded(0));
    assertThat(Files.readAllLines(roundDirectory.resolve("observed.txt")))
        .containsExactly(oldParent + " stopped", oldChild + " stopped");
    assertThat(ProcessHandle.of(oldParent).filter(ProcessTree::isRunning)).isEmpty();
    assertThat(ProcessHandle.of(oldChild).filter(ProcessTree::isRunning)).isEmpty();
    assertThat(pidFile).doesNotExist();
  }

  @Test
  void run_killsRecordedProcessWithSameStart() throws Exception {
    Process leftover = new ProcessBuilder("sleep", "30").start();
    started.add(leftover.toHandle());
    writePidFile(leftover.pid(), startMillis(leftover));

    PipelineResult result = invoker(script("ok.sh", "exit 0")).run(run());

    assertThat(result).isEqualTo(PipelineResult.succeeded(0));
    assertThat(leftover.waitFor(10, TimeUnit.SECONDS)).as("leftover exited").isTrue();
    assertThat(pidFile).doesNotExist();
  }

  @Test
  void run_leavesReusedPidAlone() throws Exception {
    Process unrelated = new ProcessBuilder("sleep", "30").start();
    started.add(unrelated.toHandle());
    writePidFile(unrelated.pid(), startMillis(unrelated) - 60_000);

    PipelineResult result = invoker(script("ok.sh", "exit 0")).run(run());

    assertThat(result).isEqualTo(PipelineResult.succeeded(0));
    assertThat(unrelated.isAlive()).isTrue();
    assertThat(pidFile).doesNotExist();
  }

  @Test
  void run_leavesOwnJvmAlone() throws Exception {
    ProcessHandle self = ProcessHandle.current();
    writePidFile(self.pid(), self.info().startInstant().orElseThrow().toEpochMilli() - 1);

    PipelineResult result = invoker(script("ok.sh", "exit 0")).run(run());

    assertThat(result).isEqualTo(PipelineResult.succeeded(0));
    assertThat(pidFile).doesNotExist();
  }

  @Test
  void run_recordsPidWhileRunning() throws Exception {
    Files.writeString(pidFile, "not a pid file\n");
    Instant before = Instant.now();
    Path script = script("record.sh", """
        i=0
        while ! grep -q '^startMillis=' pipeline.pid 2>/dev/null && [ $i -lt 200 ]; do
          sleep 0.05
          i=$((i+1))
        done
        cp pipeline.pid seen.pid
        echo $$ > script.pid
        exit 3
        """);

    PipelineResult result = invoker(script).run(run());

    assertThat(result.exitCode()).isEqualTo(3);
    List<String> seen = Files.readAllLines(roundDirectory.resolve("seen.pid"));
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).isEqualTo("pid=" + readPid("script.pid"));
    assertThat(seen.get(1)).startsWith("startMillis=");
    long startMillis = Long.parseLong(seen.get(1).substring("startMillis=".length()));
    // The operating system reports start instants with a boot time in whole seconds.
    assertThat(startMillis).isBetween(before.toEpochMilli() - 2_000,
        Instant.now().toEpochMilli() + 2_000);
    assertThat(pidFile).doesNotExist();
  }

  private Process startChildJvm(Path script) throws IOException {
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classPath, PipelineAttemptMain.class.getName(), roundDirectory.toString(),
        script.toString())
        .redirectOutput(directory.resolve("child-stdout.txt").toFile())
        .redirectError(directory.resolve("child-stderr.txt").toFile())
        .start();
  }

  private ExternalProgramInvoker invoker(Path script) {
    return ExternalProgramInvoker.newBuilder()
        .command(List.of("/bin/sh", script.toString()))
        .build();
  }

  private TestPipelineRun run() {
    return new TestPipelineRun("r1", "key-a", 2, List.of(), Map.of(), roundDirectory, Map.of(),
        store);
  }

  private void writePidFile(long pid, long startMillis) throws IOException {
    Files.writeString(pidFile, "pid=" + pid + "\nstartMillis=" + startMillis + "\n");
  }

  private static long startMillis(Process process) {
    return process.info().startInstant().orElseThrow().toEpochMilli();
  }

  private static ProcessHandle handle(long pid) {
    return ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
  }

  private boolean hasPid(String name) throws IOException {
    Path file = roundDirectory.resolve(name);
    return Files.exists(file) && Files.readString(file).strip().matches("\\d+");
  }

  private long readPid(String name) throws IOException {
    return Long.parseLong(Files.readString(roundDirectory.resolve(name)).strip());
  }

  private Path script(String name, String body) throws IOException {
    Path script = directory.resolve(name);
    Files.writeString(script, "#!/bin/sh\n" + body + "\n");
    return script;
  }
}
