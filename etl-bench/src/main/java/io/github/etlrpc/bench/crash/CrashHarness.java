package io.github.etlrpc.bench.crash;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Crash harness: checks that a batch the server acknowledged survives SIGKILL and reaches
 * exactly one completed round.
 *
 * <p>It runs {@code EtlCli server} as a child JVM with a durable SQLite store and the
 * {@link RecordingPipeline} as its external pipeline program, and drives several simulated
 * sources over loopback. Each iteration kills the server and its pipeline processes with SIGKILL
 * at a chosen moment and restarts it on the same work directory, while the clients resend
 * unacknowledged batches with the same {@code id_envio}. The moments are during a pipeline run,
 * right after a seal, right after a pipeline run wrote its ledger, during sends, and during
 * recovery (see {@link KillMode}). At the end the server restarts once more, the clients stop,
 * the last round seals on its timeout, every round is awaited and the server is stopped with
 * SIGTERM. The ledger, the clients' acknowledgements and the store are then checked (see
 * {@link CrashVerifier}), and one verdict line is printed.
 *
 * <p>Linux only: it relies on SIGKILL semantics of {@link Process#destroyForcibly()}, on
 * {@code /proc} and on {@link System#nanoTime()} being comparable across processes.
 *
 * <p>Run: {@code java -cp etl-bench/target/benchmarks.jar
 * io.github.etlrpc.bench.crash.CrashHarness --iterations 20}. Exit code 0 on PASS, 1 on FAIL with
 * the findings printed above the verdict line, 2 for invalid options.
 */
@Command(
    name = "crash-harness",
    mixinStandardHelpOptions = true,
    description = "Kills the server with SIGKILL repeatedly under load and checks that no"
        + " acknowledged row is lost, duplicated or placed in the wrong round.")
public final class CrashHarness implements Callable<Integer> {
  @Spec private CommandLine.Model.@Nullable CommandSpec spec;

  @Option(names = "--iterations", paramLabel = "N", defaultValue = "20",
      description = "Kills of the server, each followed by a restart. Default: ${DEFAULT-VALUE}.")
  private int iterations;

  @Option(names = "--seed", paramLabel = "N",
      description = "Seed of kill moments, batch sizes and pauses. Default: random, printed in"
          + " the verdict line.")
  private @Nullable Long seed;

  @Option(names = "--clients", paramLabel = "N", defaultValue = "4",
      description = "Concurrent simulated sources. Default: ${DEFAULT-VALUE}.")
  private int clients;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Folder for the server's work directory, the ledger and logs; kept after"
          + " the run. Default: a temporary folder, deleted after a passing run.")
  private @Nullable Path workDirectory;

  @Option(names = "--max-minutes", paramLabel = "MINUTES", defaultValue = "20",
      description = "Time limit of the whole run in minutes; past it the run fails."
          + " Default: ${DEFAULT-VALUE}.")
  private int maxMinutes;

  @Option(names = "--min-batches-per-source", paramLabel = "N", defaultValue = "8",
      description = "Batches each source must send before a round is complete; fewer means more"
          + " rounds and pipeline runs. Default: ${DEFAULT-VALUE}.")
  private int minBatchesPerSource;

  @Option(names = "--max-pause-ms", paramLabel = "MS", defaultValue = "100",
      description = "Maximum pause of a client between two sends, in milliseconds; the pause is"
          + " uniform from 0. Default: ${DEFAULT-VALUE}.")
  private int maxPauseMs;

  @Option(names = "--in-memory-store",
      description = "Control run: the server keeps rounds in memory, so kills lose acknowledged"
          + " rows and the run must end in FAIL. Default: the durable SQLite store.")
  private boolean inMemoryStore;

  public static void main(String[] args) {
    System.exit(new CommandLine(new CrashHarness()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    long chosenSeed = seed != null ? seed : new SecureRandom().nextLong();
    HarnessSettings settings;
    try {
      settings = new HarnessSettings(iterations, chosenSeed, clients, workDirectory,
          Duration.ofMinutes(maxMinutes), minBatchesPerSource, maxPauseMs,
          HarnessSettings.DEFAULT_ROUND_TIMEOUT,
          inMemoryStore ? HarnessSettings.Store.IN_MEMORY : HarnessSettings.Store.SQLITE);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(Objects.requireNonNull(spec).commandLine(),
          "Invalid option: " + e.getMessage());
    }
    CrashReport report = run(settings);
    for (String failure : report.failures()) {
      System.out.println("FAILURE: " + failure);
    }
    System.out.println(report.verdictLine());
    return report.passed() ? 0 : 1;
  }

  /** Runs the harness with {@code settings} and real child JVMs; the report has the verdict. */
  static CrashReport run(HarnessSettings settings) throws InterruptedException {
    return new HarnessRun(settings).execute();
  }
}
