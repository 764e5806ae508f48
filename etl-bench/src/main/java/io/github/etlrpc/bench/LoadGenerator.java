package io.github.etlrpc.bench;

import io.github.etlrpc.examples.FileSizes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Loopback load generator. For each server under test it starts a {@link BenchServer} in a
 * child JVM, then for each client count N runs N concurrent clients that each send R rounds of
 * the seed workload (an OMS file of 10,000 rows, a hospital file of 5,000 to 8,000 rows and a
 * secretaria file of 20,000 rows per round, from the examples' {@code SimulatedSource}). Per N it
 * reports client call latency (mean, median, p95, max), rows per second of wall time, round
 * latency (first accepted batch to pipeline end, from the server's {@code Rodada} timestamps) and
 * the server's CPU seconds per million rows from {@code /proc/<pid>/stat}. Ratios compare each
 * server with the bare parse-and-acknowledge server at the same N.
 *
 * <p>Servers: {@code bare}; {@code etl-sqlite}, the durable acknowledgement path (SQLite store,
 * no-op pipeline, no hand-off files); {@code etl-sqlite-handoff}, the same plus the JSON hand-off
 * files of every round; {@code etl-memory}, the in-memory store. Runs of the servers are
 * interleaved, so slow phases of a noisy machine hit all of them alike, and each measure is the
 * median over {@code --runs} repetitions. Writes {@code load-runs.csv} (every run),
 * {@code load-results.csv} (medians) and {@code load-chart.png} to {@code --out-dir}.
 *
 * <p>Run: {@code java -cp etl-bench/target/benchmarks.jar io.github.etlrpc.bench.LoadGenerator
 * --help}.
 */
@Command(name = "LoadGenerator", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Measures latency, throughput and server CPU of etl.ETLService servers under"
        + " concurrent loopback clients.")
public final class LoadGenerator implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(LoadGenerator.class);
  private static final Duration SERVER_START_TIMEOUT = Duration.ofSeconds(60);
  /**
   * Distinct rounds of files generated per client, about 1.2 MB each at the default sizes. Later
   * rounds send the same rows again under new round keys and send ids.
   */
  private static final int MAX_DISTINCT_ROUNDS = 10;
  private static final List<String> KNOWN_SERVERS =
      List.of("bare", "etl-sqlite", "etl-sqlite-handoff", "etl-memory");

  @Option(names = "--clients", split = ",", defaultValue = "1,5,7,10",
      description = "Concurrent client counts to measure, comma-separated."
          + " Default: ${DEFAULT-VALUE}.")
  private List<Integer> clientCounts = new ArrayList<>();

  @Option(names = "--rounds", defaultValue = "10",
      description = "Rounds (three files each) every client sends per run, back to back. With"
          + " 10 clients and 10 rounds the 100 rounds fit the engine's default queue of sealed"
          + " rounds, so a durable server need not push back. Default: ${DEFAULT-VALUE}.")
  private int rounds;

  @Option(names = "--runs", defaultValue = "5",
      description = "Repetitions of every server and client count; results are medians."
          + " Default: ${DEFAULT-VALUE}.")
  private int runs;

  @Option(names = "--warmup-rounds", defaultValue = "20",
      description = "Rounds per client, at the largest client count, sent to each server before"
          + " measuring, so that its JIT has compiled the hot path. Default: ${DEFAULT-VALUE}.")
  private int warmupRounds;

  @Option(names = "--servers", split = ",",
      description = "Servers to start in child JVMs: bare, etl-sqlite, etl-sqlite-handoff,"
          + " etl-memory. Default: all four, or none when --target is given.")
  private @Nullable List<String> servers;

  @Option(names = "--target",
      description = "host:port of a running server of the same contract to measure instead of"
          + " the child servers, for example 127.0.0.1:50051. Add --servers bare for ratios to"
          + " the baseline.")
  private @Nullable String target;

  @Option(names = "--target-label", defaultValue = "target",
      description = "Name of the --target server in reports. Default: ${DEFAULT-VALUE}.")
  private String targetLabel = "target";

  @Option(names = "--target-pid",
      description = "Process id of the --target server on this machine, to measure its CPU."
          + " Default: CPU not measured.")
  private @Nullable Long targetPid;

  @Option(names = "--server-jvm-args", defaultValue = "-Xms1g -Xmx1g",
      description = "JVM options of the child servers, space-separated; {server} is replaced by"
          + " the server's name, e.g. for a JFR file per server. Default: ${DEFAULT-VALUE}.")
  private String serverJvmArgs = "";

  @Option(names = "--out-dir", defaultValue = "docs/bench",
      description = "Folder for load-runs.csv, load-results.csv and load-chart.png. Default:"
          + " ${DEFAULT-VALUE}.")
  private Path outDir = Path.of("docs/bench");

  @Option(names = "--seed", defaultValue = "1",
      description = "Seed of the generated rows. Default: ${DEFAULT-VALUE}.")
  private long seed;

  @Option(names = "--settle-timeout", defaultValue = "120",
      description = "Seconds to wait after a run's last call for its rounds to settle."
          + " Default: ${DEFAULT-VALUE}.")
  private int settleTimeoutSeconds;

  @Option(names = "--call-deadline", defaultValue = "120",
      description = "Deadline of each call, in seconds. Default: ${DEFAULT-VALUE}.")
  private int callDeadlineSeconds;

  @Option(names = "--oms-rows", defaultValue = "10000", hidden = true)
  private int omsRows;

  @Option(names = "--hospital-rows", defaultValue = "5000-8000", hidden = true)
  private String hospitalRows = "5000-8000";

  @Option(names = "--secretaria-rows", defaultValue = "20000", hidden = true)
  private int secretariaRows;

  @Option(names = "--class-path", hidden = true,
      description = "Class path of the child servers. Default: this JVM's.")
  private @Nullable String classPath;

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  private final PrintStream out;

  public LoadGenerator() {
    this(System.out);
  }

  LoadGenerator(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(new CommandLine(new LoadGenerator()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<String> childServers = chosenServers();
    checkOptions(childServers);
    List<Integer> counts = clientCounts.stream().distinct().sorted().toList();
    int maxClients = Collections.max(counts);
    String runId = UUID.randomUUID().toString().substring(0, 8);
    Path logDir = Files.createTempDirectory("etl-bench-load-");

    long generateStart = System.nanoTime();
    int distinctRounds = Math.min(Math.max(rounds, warmupRounds), MAX_DISTINCT_ROUNDS);
    LoadWorkload workload =
        LoadWorkload.generate(maxClients, distinctRounds, fileSizes(), seed);
    out.printf(Locale.ROOT, "Generated %d clients x %d rounds of files in %.1f s%n", maxClients,
        distinctRounds, (System.nanoTime() - generateStart) / 1e9);

    out.println("Load average at start: " + loadAverage());
    ProcessCpu cpu = ProcessCpu.create();
    List<ServerUnderTest> started = new ArrayList<>();
    List<LoadSample> samples = new ArrayList<>();
    try {
      for (String server : childServers) {
        started.add(startChild(server, logDir, maxClients));
      }
      if (target != null) {
        started.add(ServerUnderTest.external(targetLabel, target, targetPid, maxClients,
            callDeadline(), cpu));
      }
      for (ServerUnderTest server : started) {
        server.clients().run(server.label(), maxClients, 0, warmupRounds, workload,
            "lg-" + runId + "-" + server.label() + "-warmup", server.cpu(), settleTimeout());
        out.println("Warmed up " + server.label());
      }
      for (int run = 1; run <= runs; run++) {
        for (int clients : counts) {
          for (ServerUnderTest server : started) {
            server.checkAlive();
            String prefix = "lg-" + runId + "-" + server.label() + "-n" + clients + "-k" + run;
            LoadSample sample = server.clients().run(server.label(), clients, run, rounds,
                workload, prefix, server.cpu(), settleTimeout());
            samples.add(sample);
            out.println(progressLine(sample));
          }
        }
      }
    } finally {
      for (ServerUnderTest server : started) {
        server.close();
      }
    }

    out.println("Load average at end: " + loadAverage());
    List<LoadReport.Row> rows = LoadReport.summarize(samples);
    LoadReport.table(rows).forEach(out::println);
    LoadReport.targets(rows).forEach(out::println);
    Path runsCsv = outDir.resolve("load-runs.csv");
    Path resultsCsv = outDir.resolve("load-results.csv");
    Path chart = outDir.resolve("load-chart.png");
    LoadReport.writeSamplesCsv(samples, runsCsv);
    LoadReport.writeResultsCsv(rows, resultsCsv);
    LoadChart.write(rows, String.format(Locale.ROOT,
        "etl.ETLService on loopback: %d rounds per client, medians of %d runs", rounds, runs),
        chart);
    out.println("Wrote " + runsCsv + ", " + resultsCsv + " and " + chart + "; server logs in "
        + logDir);
    int failed = samples.stream().mapToInt(LoadSample::failedCalls).sum();
    int unsettled = samples.stream().mapToInt(LoadSample::roundsUnsettled).sum();
    if (failed > 0 || unsettled > 0) {
      out.println("FAILED: " + failed + " calls failed and " + unsettled
          + " rounds did not conclude; see the server logs");
      return 1;
    }
    return 0;
  }

  private List<String> chosenServers() {
    if (servers != null) {
      return servers;
    }
    return target == null ? KNOWN_SERVERS : List.of();
  }

  private void checkOptions(List<String> childServers) {
    if (clientCounts.isEmpty() || clientCounts.stream().anyMatch(count -> count < 1)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--clients is " + clientCounts + "; use counts of 1 or more");
    }
    if (rounds < 1 || runs < 1 || warmupRounds < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--rounds " + rounds
          + ", --runs " + runs + ", --warmup-rounds " + warmupRounds
          + ": use 1 or more rounds and runs and 0 or more warmup rounds");
    }
    for (String server : childServers) {
      if (!KNOWN_SERVERS.contains(server)) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "Unknown server '" + server + "' in --servers; use " + KNOWN_SERVERS);
      }
    }
    if (childServers.isEmpty() && target == null) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "Nothing to measure; name --servers or a --target");
    }
  }

  private FileSizes fileSizes() {
    String[] range = hospitalRows.split("-", 2);
    int min = Integer.parseInt(range[0].trim());
    int max = range.length == 2 ? Integer.parseInt(range[1].trim()) : min;
    return new FileSizes(omsRows, min, max, secretariaRows);
  }

  private ServerUnderTest startChild(String server, Path logDir, int maxClients)
      throws IOException, InterruptedException {
    List<String> serverArgs = new ArrayList<>();
    switch (server) {
      case "bare" -> serverArgs.addAll(List.of("--mode", "bare"));
      case "etl-sqlite" -> serverArgs.addAll(List.of("--mode", "etl-sqlite"));
      case "etl-sqlite-handoff" ->
          serverArgs.addAll(List.of("--mode", "etl-sqlite", "--handoff-files"));
      case "etl-memory" -> serverArgs.addAll(List.of("--mode", "etl-memory"));
      default -> throw new IllegalArgumentException("Unknown server '" + server + "'");
    }
    serverArgs.addAll(List.of("--port", "0", "--bind", "127.0.0.1"));
    List<String> jvmArgs = Arrays.stream(serverJvmArgs.trim().split("\\s+"))
        .filter(arg -> !arg.isEmpty())
        .map(arg -> arg.replace("{server}", server))
        .toList();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    String childClassPath = classPath != null ? classPath : System.getProperty("java.class.path");
    ChildServer child = ChildServer.start(server, java, childClassPath, jvmArgs, serverArgs,
        logDir.resolve(server + ".log"), SERVER_START_TIMEOUT);
    out.println("Started " + server + " server: pid " + child.pid() + ", port " + child.port());
    return ServerUnderTest.child(child, maxClients, callDeadline(), ProcessCpu.create());
  }

  /**
   * Returns the first three fields of {@code /proc/loadavg} (runnable processes averaged over 1, 5
   * and 15 minutes), which show whether other work competed for the CPUs, or "unknown".
   */
  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields.length < 3 ? "unknown" : String.join(" ", fields[0], fields[1], fields[2]);
    } catch (IOException e) {
      return "unknown";
    }
  }

  private Duration settleTimeout() {
    return Duration.ofSeconds(settleTimeoutSeconds);
  }

  private Duration callDeadline() {
    return Duration.ofSeconds(callDeadlineSeconds);
  }

  private static String progressLine(LoadSample sample) {
    return String.format(Locale.ROOT,
        "run %d %-19s N=%-2d %8d rows in %6.2f s = %8.0f rows/s; call p50 %7.1f ms, p95 %7.1f"
            + " ms; round p50 %7.1f ms; cpu %6.2f s = %5.2f s/M rows%s",
        sample.run(), sample.server(), sample.clients(), sample.rows(), sample.wallNanos() / 1e9,
        sample.rowsPerSecond(), sample.latency().medianMillis(),
        sample.latency().percentileMillis(95), sample.roundLatencyMs(50), sample.cpuSeconds(),
        sample.cpuSecondsPerMillionRows(),
        (sample.backpressureRetries() == 0 ? "" : "; " + sample.backpressureRetries()
            + " retries after RESOURCE_EXHAUSTED")
            + (sample.failedCalls() == 0 ? "" : "; " + sample.failedCalls()
                + " FAILED calls, first: " + sample.firstError()));
  }

  /** A server being measured: its clients, its CPU reading and how to stop it. */
  private static final class ServerUnderTest implements AutoCloseable {
    private final String label;
    private final LoadClients clients;
    private final LoadClients.CpuReading cpu;
    private final @Nullable ChildServer child;

    private ServerUnderTest(String label, LoadClients clients, LoadClients.CpuReading cpu,
        @Nullable ChildServer child) {
      this.label = label;
      this.clients = clients;
      this.cpu = cpu;
      this.child = child;
    }

    static ServerUnderTest child(ChildServer child, int maxClients, Duration deadline,
        ProcessCpu cpu) {
      LoadClients clients = new LoadClients("127.0.0.1:" + child.port(), maxClients, deadline);
      return new ServerUnderTest(child.label(), clients, () -> readCpu(cpu, child.pid()), child);
    }

    static ServerUnderTest external(String label, String target, @Nullable Long pid,
        int maxClients, Duration deadline, ProcessCpu cpu) {
      LoadClients clients = new LoadClients(target, maxClients, deadline);
      LoadClients.CpuReading reading = pid == null ? () -> Double.NaN : () -> readCpu(cpu, pid);
      return new ServerUnderTest(label, clients, reading, null);
    }

    private static double readCpu(ProcessCpu cpu, long pid) {
      try {
        return cpu.cpuSeconds(pid);
      } catch (IOException e) {
        log.warn("Cannot read the CPU time of process {}: {}", pid, e.toString());
        return Double.NaN;
      }
    }

    String label() {
      return label;
    }

    LoadClients clients() {
      return clients;
    }

    LoadClients.CpuReading cpu() {
      return cpu;
    }

    void checkAlive() {
      if (child != null && !child.isAlive()) {
        throw new IllegalStateException("The " + label + " server (pid " + child.pid()
            + ") exited; see " + child.logFile());
      }
    }

    @Override
    public void close() throws InterruptedException {
      try {
        clients.close();
      } finally {
        if (child != null) {
          child.close();
        }
      }
    }
  }
}
