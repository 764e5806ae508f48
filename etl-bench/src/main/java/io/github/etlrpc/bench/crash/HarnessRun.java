package io.github.etlrpc.bench.crash;

import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.core.store.SqliteRoundStore;
import io.github.etlrpc.grpc.EtlServiceDescriptors;
import io.github.etlrpc.grpc.proto.ConsultaRodada;
import io.github.etlrpc.grpc.proto.EstadoRodada;
import io.github.etlrpc.grpc.proto.Rodada;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One crash harness run. It starts the server child JVM and the clients, then kills and
 * restarts the server once per iteration. After the last restart it stops the clients, waits
 * until every round settled, shuts the server down gracefully and verifies. Used once, from one
 * thread.
 *
 * <p>Work folder layout: {@code server/} is the server's work directory (store and round
 * folders), {@code ledger/} contains the recording pipeline's files, {@code logs/server-N.log} the
 * output of each server incarnation, {@code pipeline-jvm.args} the pipeline's classpath,
 * {@code kills.csv} the kill times and {@code verdict.txt} the findings and the verdict line.
 */
final class HarnessRun {
  private static final Logger log = LoggerFactory.getLogger(HarnessRun.class);
  private static final String SERVER_MAIN = "io.github.etlrpc.examples.EtlCli";
  private static final String PROBE_ROUND_ID = "crash-harness-probe";
  /** Lowest port the harness picks for the server. */
  private static final int FIRST_PORT = 20_000;
  /** Deadline of one client call, including the wait for a restarting server. */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
  /** Maximum wait for a started server to respond to a call. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  /** Maximum wait for a round to seal, or for a pipeline process to appear, before a kill. */
  private static final Duration KILL_TRIGGER_TIMEOUT = Duration.ofSeconds(10);
  /** Maximum wait for the clients to get their last batch acknowledged. */
  private static final Duration CLIENT_STOP_TIMEOUT = Duration.ofSeconds(60);
  /** Maximum wait for the server to exit after SIGTERM, in seconds. */
  private static final long STOP_TIMEOUT_SECONDS = 60;

  private final HarnessSettings settings;
  private final long startNanos = System.nanoTime();
  private final long deadlineNanos;
  private final Random random;
  private final CrashReport report;
  private final AtomicInteger markerCounter = new AtomicInteger(1);
  private final AtomicLong acknowledged = new AtomicLong();
  private volatile CountDownLatch sealSignal = new CountDownLatch(1);
  private final List<MarkerClient> clients = new ArrayList<>();
  private final List<Thread> clientThreads = new ArrayList<>();
  private final List<KillMode> killPlan = new ArrayList<>();

  private Path workDirectory = Path.of(".");
  private Path serverDirectory = Path.of(".");
  private Path ledgerDirectory = Path.of(".");
  private Path logDirectory = Path.of(".");
  private int port;
  private List<String> serverCommand = List.of();
  private @Nullable ManagedChannel probeChannel;
  private volatile @Nullable ServerProcess server;
  private int incarnations;

  HarnessRun(HarnessSettings settings) {
    this.settings = settings;
    this.deadlineNanos = startNanos + settings.maxTime().toNanos();
    this.random = new Random(settings.seed());
    this.report = new CrashReport(settings.iterations(), settings.seed());
  }

  /** Runs the harness and returns its report; failures are in the report, not thrown. */
  CrashReport execute() throws InterruptedException {
    boolean temporary = settings.workDirectory() == null;
    boolean verified = false;
    Thread killOnExit = new Thread(this::killServerOnExit, "crash-harness-exit");
    Runtime.getRuntime().addShutdownHook(killOnExit);
    try {
      prepare();
      startClients();
      server = startServer();
      for (int iteration = 1; iteration <= settings.iterations(); iteration++) {
        checkTime("iteration " + iteration);
        KillRecord kill = killAt(killMode(iteration), iteration);
        report.kill(kill);
        appendKill(kill);
        log.info("Iteration {}/{}: {} kill of server pid {} {}; pipelines killed {}",
            iteration, settings.iterations(), kill.mode(), kill.serverPid(), kill.note(),
            kill.killedPipelinePids());
        Thread.sleep(random.nextInt(301));
        server = startServer();
        clients.forEach(MarkerClient::serverRestarted);
      }
      finish();
      verified = true;
    } catch (HarnessFailure e) {
      log.error("Crash harness stopped: {}", e.getMessage());
      report.failure(e.getMessage());
    } catch (IOException | RuntimeException e) {
      log.error("Crash harness stopped by an unexpected error", e);
      report.failure("harness error: " + e);
    } finally {
      cleanUp();
      try {
        Runtime.getRuntime().removeShutdownHook(killOnExit);
      } catch (IllegalStateException e) {
        log.debug("JVM shutting down; the exit hook stays registered");
      }
    }
    if (!verified) {
      report.failure("stopped before verification; the work folder " + workDirectory
          + " contains the logs");
    }
    report.wallTime(Duration.ofNanos(System.nanoTime() - startNanos));
    writeVerdict();
    if (temporary && report.passed()) {
      deleteRecursively(workDirectory);
    }
    return report;
  }

  // ---------------------------------------------------------------------------------------------
  // Setup

  private void prepare() throws IOException {
    workDirectory = settings.workDirectory() == null
        ? Files.createTempDirectory("etl-crash-")
        : settings.workDirectory().toAbsolutePath();
    serverDirectory = workDirectory.resolve("server");
    ledgerDirectory = workDirectory.resolve("ledger");
    logDirectory = workDirectory.resolve("logs");
    Files.createDirectories(serverDirectory);
    Files.createDirectories(ledgerDirectory);
    Files.createDirectories(logDirectory);
    port = freeLoopbackPort();
    serverCommand = serverCommand();
    probeChannel = Grpc.newChannelBuilderForAddress("127.0.0.1", port,
        InsecureChannelCredentials.create()).build();
    Files.writeString(workDirectory.resolve("kills.csv"), "iteration,mode,server_pid,"
        + "begin_nanos,end_nanos,epoch_ms,pipeline_rounds,killed_pipeline_pids,acked_batches,"
        + "note\n", StandardCharsets.UTF_8);
    log.info("Crash harness: {} iterations, seed {}, {} clients, work folder {}, port {}",
        settings.iterations(), settings.seed(), settings.clients(), workDirectory, port);
  }

  /**
   * Returns a free loopback port below the kernel's ephemeral range. The server rebinds the port
   * after every kill, and a port from the ephemeral range could meanwhile go to another
   * program's outgoing connection or port-0 listener.
   */
  private int freeLoopbackPort() throws IOException {
    int ephemeralLow = ephemeralRangeStart();
    for (int attempt = 0; attempt < 100 && ephemeralLow > FIRST_PORT; attempt++) {
      int candidate = ThreadLocalRandom.current().nextInt(FIRST_PORT, ephemeralLow);
      try (ServerSocket socket = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException e) {
        log.debug("Port {} is taken; trying another", candidate);
      }
    }
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Returns the first port of Linux's ephemeral range, or its default when unreadable. */
  private static int ephemeralRangeStart() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      return Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }

  /**
   * Builds the server command: this JVM's classpath, so the child runs the same classes, and the
   * recording pipeline as the external pipeline program. The pipeline gets its classpath from a
   * JVM argument file, because Linux shows other processes at most 4,096 bytes of a command
   * line and the harness finds pipeline processes by their class name and ledger folder.
   */
  private List<String> serverCommand() throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = absoluteClasspath();
    Path argumentFile = workDirectory.resolve("pipeline-jvm.args");
    Files.writeString(argumentFile, "-cp \"" + classpath.replace("\\", "\\\\") + "\"\n",
        StandardCharsets.UTF_8);
    String pipeline = String.join(" ", quote(java), "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-Xshare:auto", quote("@" + argumentFile),
        RecordingPipeline.class.getName(), "{oms}", "{secretaria}", "{hospital}",
        quote(ledgerDirectory.toString()));
    int batches = settings.minBatchesPerSource();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp",
        classpath, SERVER_MAIN,
        "server",
        "--bind", "127.0.0.1",
        "--port", Integer.toString(port),
        "--work-dir", serverDirectory.toString(),
        "--pipeline-command", pipeline,
        "--pipeline-timeout", "2m",
        "--max-attempts", "50",
        "--round-timeout", settings.roundTimeout().toMillis() + "ms",
        "--round-timeout-from", "last",
        "--on-round-timeout", "seal",
        "--min-batches", "oms=" + batches + ",hospital=" + batches + ",secretaria=" + batches,
        "--shutdown-grace", "30s"));
    if (settings.store() == HarnessSettings.Store.IN_MEMORY) {
      command.add("--in-memory");
    }
    return command;
  }

  /** Returns this JVM's classpath with absolute entries, since pipelines run in round folders. */
  private static String absoluteClasspath() {
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.isEmpty())
        .map(entry -> Path.of(entry).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** Quotes a command argument for the server's whitespace-splitting command template. */
  private static String quote(String argument) {
    if (argument.indexOf('"') >= 0) {
      throw new IllegalArgumentException(
          "Path " + argument + " contains a double quote, which the pipeline command cannot"
              + " carry; use a work folder and JDK without quotes in their paths");
    }
    return argument.chars().anyMatch(Character::isWhitespace) ? '"' + argument + '"' : argument;
  }

  private void startClients() {
    MarkerClient.Listener listener = (roundId, state, duplicate) -> {
      acknowledged.incrementAndGet();
      if (state == EstadoRodada.FECHADA && !duplicate) {
        sealSignal.countDown();
      }
    };
    for (int i = 0; i < settings.clients(); i++) {
      MarkerClient client = new MarkerClient(i, port, markerCounter, listener,
          settings.seed() * 31 + i, CALL_TIMEOUT, settings.maxPauseMs());
      Thread thread = new Thread(client, "crash-client-" + i);
      thread.setDaemon(true);
      clients.add(client);
      clientThreads.add(thread);
      thread.start();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Server lifecycle and kills

  private ServerProcess startServer() throws IOException, HarnessFailure, InterruptedException {
    incarnations++;
    ServerProcess started = ServerProcess.start(incarnations, serverCommand,
        logDirectory.resolve("server-" + incarnations + ".log"), ledgerDirectory);
    server = started;
    awaitServing(started);
    return started;
  }

  /** Waits until the server responds to a call; NOT_FOUND for an unknown round counts. */
  private void awaitServing(ServerProcess started) throws HarnessFailure, InterruptedException {
    long until = Math.min(deadlineNanos, System.nanoTime() + START_TIMEOUT.toNanos());
    EtlServiceDescriptors.BlockingStub stub = EtlServiceDescriptors.newBlockingStub(probe());
    ConsultaRodada query = ConsultaRodada.newBuilder().setRodadaId(PROBE_ROUND_ID).build();
    while (true) {
      requireAlive(started, "starting");
      try {
        stub.withWaitForReady().withDeadlineAfter(1, TimeUnit.SECONDS).consultarRodada(query);
        return;
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
          log.info("Server incarnation {} (pid {}) serving after {} ms", started.incarnation(),
              started.pid(), (System.nanoTime() - started.startedNanos()) / 1_000_000);
          return;
        }
        if (System.nanoTime() > until) {
          throw new HarnessFailure("server incarnation " + started.incarnation() + " (pid "
              + started.pid() + ") did not answer within " + START_TIMEOUT.toSeconds()
              + " s; last status " + e.getStatus() + "; log tail:\n" + started.logTail(30));
        }
        probe().resetConnectBackoff();
      }
    }
  }

  private static void requireAlive(ServerProcess process, String phase) throws HarnessFailure {
    if (!process.isAlive()) {
      throw new HarnessFailure("server incarnation " + process.incarnation() + " (pid "
          + process.pid() + ") exited with code " + process.exitCode().orElse(-1) + " while "
          + phase + "; log tail:\n" + process.logTail(30));
    }
  }

  /**
   * Returns the kill mode of an iteration: the first iterations go through the modes in
   * declaration order, later cycles through all modes in seeded random order.
   */
  private KillMode killMode(int iteration) {
    while (killPlan.size() < iteration) {
      List<KillMode> cycle = new ArrayList<>(List.of(KillMode.values()));
      if (!killPlan.isEmpty()) {
        Collections.shuffle(cycle, random);
      }
      killPlan.addAll(cycle);
    }
    return killPlan.get(iteration - 1);
  }

  private KillRecord killAt(KillMode mode, int iteration)
      throws InterruptedException, HarnessFailure, IOException {
    ServerProcess current = currentServer();
    String note;
    switch (mode) {
      case PIPELINE -> note = waitForPipeline(current);
      case SEAL -> {
        CountDownLatch signal = new CountDownLatch(1);
        sealSignal = signal;
        boolean sealed = signal.await(KILL_TRIGGER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        note = sealed ? "right after a round sealed"
            : "no round sealed within " + KILL_TRIGGER_TIMEOUT.toSeconds() + " s";
      }
      case LEDGER -> note = waitForLedgerWrite();
      case SEND -> {
        int delayMs = 300 + random.nextInt(2_201);
        Thread.sleep(delayMs);
        note = delayMs + " ms after serving";
      }
      case RECOVERY -> {
        int delayMs = random.nextInt(301);
        Thread.sleep(delayMs);
        note = delayMs + " ms after serving";
      }
      default -> throw new IllegalStateException("Unknown kill mode " + mode);
    }
    requireAlive(current, "waiting to be killed (" + mode + ")");
    return killNow(current, mode, iteration, note);
  }

  /** Waits for a recording pipeline process, then a random 0 to 1,000 ms more. */
  private String waitForPipeline(ServerProcess current) throws InterruptedException {
    long until = System.nanoTime() + KILL_TRIGGER_TIMEOUT.toNanos();
    // Polls the process table; a pipeline JVM lives about a second, so 10 ms polls see each one.
    while (current.runningPipelines().isEmpty()) {
      if (System.nanoTime() > until || !current.isAlive()) {
        return "no pipeline process within " + KILL_TRIGGER_TIMEOUT.toSeconds() + " s";
      }
      Thread.sleep(10);
    }
    int delayMs = random.nextInt(1_001);
    Thread.sleep(delayMs);
    return delayMs + " ms after a pipeline process appeared";
  }

  /** Waits for a new ledger file, then a random 0 to 150 ms more. */
  private String waitForLedgerWrite() throws InterruptedException, IOException {
    long until = System.nanoTime() + KILL_TRIGGER_TIMEOUT.toNanos();
    long before = ledgerFileCount();
    // A pipeline sleeps 0 to 300 ms after its ledger write, so 2 ms polls catch it in the act.
    while (ledgerFileCount() == before) {
      if (System.nanoTime() > until) {
        return "no ledger write within " + KILL_TRIGGER_TIMEOUT.toSeconds() + " s";
      }
      Thread.sleep(2);
    }
    int delayMs = random.nextInt(151);
    Thread.sleep(delayMs);
    return delayMs + " ms after a ledger write";
  }

  private long ledgerFileCount() throws IOException {
    try (Stream<Path> files = Files.list(ledgerDirectory)) {
      return files.filter(file -> file.getFileName().toString().endsWith(".txt")).count();
    }
  }

  private KillRecord killNow(ServerProcess current, KillMode mode, int iteration, String note)
      throws InterruptedException {
    List<String> running = current.runningPipelines().stream()
        .map(ServerProcess.PipelineProcess::roundId)
        .toList();
    long ackedBefore = acknowledged.get();
    long epochMillis = System.currentTimeMillis();
    long beginNanos = System.nanoTime();
    List<Long> killed = current.kill();
    long endNanos = System.nanoTime();
    return new KillRecord(iteration, mode, current.pid(), beginNanos, endNanos, epochMillis,
        running, killed, ackedBefore, note);
  }

  private void appendKill(KillRecord kill) throws IOException {
    String line = String.join(",", Integer.toString(kill.iteration()), kill.mode().name(),
        Long.toString(kill.serverPid()), Long.toString(kill.beginNanos()),
        Long.toString(kill.endNanos()), Long.toString(kill.epochMillis()),
        String.join(" ", kill.runningPipelineRounds()),
        kill.killedPipelinePids().stream().map(String::valueOf).collect(Collectors.joining(" ")),
        Long.toString(kill.ackedBatchesBefore()), kill.note().replace(',', ';')) + "\n";
    Files.writeString(workDirectory.resolve("kills.csv"), line, StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
  }

  // ---------------------------------------------------------------------------------------------
  // Final phase and verification

  private void finish() throws InterruptedException, HarnessFailure, IOException {
    log.info("Stopping clients after their current batch");
    clients.forEach(MarkerClient::requestStop);
    long until = Math.min(deadlineNanos, System.nanoTime() + CLIENT_STOP_TIMEOUT.toNanos());
    for (Thread thread : clientThreads) {
      thread.join(Math.max(1, (until - System.nanoTime()) / 1_000_000));
      if (thread.isAlive()) {
        throw new HarnessFailure(thread.getName() + " did not get its last batch acknowledged"
            + " within " + CLIENT_STOP_TIMEOUT.toSeconds() + " s");
      }
    }
    List<SentBatch> batches = new ArrayList<>();
    for (MarkerClient client : clients) {
      batches.addAll(client.batches());
    }
    awaitSettled(batches);

    ServerProcess last = currentServer();
    Optional<Integer> exit = last.stop(STOP_TIMEOUT_SECONDS);
    if (exit.isEmpty()) {
      report.failure("server pid " + last.pid() + " did not exit within "
          + STOP_TIMEOUT_SECONDS + " s after SIGTERM and was killed");
    } else {
      log.info("Server pid {} stopped with exit code {}", last.pid(), exit.get());
    }

    List<LedgerEntry> ledger = Ledger.readAll(ledgerDirectory);
    CrashVerifier verifier = new CrashVerifier(batches, ledger, report.kills(),
        markerCounter.get(), report);
    verifier.verify(readStore());
    for (MarkerClient client : clients) {
      client.failures().forEach(failure -> report.failure("client: " + failure));
      report.duplicateSends(client.repeatChecks());
      report.retriedSends(client.retriesByCode().values().stream().mapToLong(i -> i).sum());
    }
    if (report.ackedRows() == 0) {
      report.failure("no batch was acknowledged, so the run checked nothing");
    }
    log.info("Retried sends by status: {}", retriesByCode());
  }

  private Map<Status.Code, Integer> retriesByCode() {
    Map<Status.Code, Integer> total = new TreeMap<>();
    for (MarkerClient client : clients) {
      client.retriesByCode().forEach((code, count) -> total.merge(code, count, Integer::sum));
    }
    return total;
  }

  /**
   * Waits until every round a batch was acknowledged in is CONCLUIDA, polling ConsultarRodada.
   * The server seals the last open round once the round timeout passes after its last batch.
   */
  private void awaitSettled(List<SentBatch> batches) throws InterruptedException, HarnessFailure {
    Set<String> pending = new TreeSet<>();
    for (SentBatch batch : batches) {
      if (batch.acknowledged()) {
        pending.add(batch.roundId());
      }
    }
    log.info("Waiting for {} rounds to reach CONCLUIDA", pending.size());
    // Each pending round needs about one pipeline run of a second; allow 5 s each, at least 60.
    long boundNanos = Duration.ofSeconds(Math.max(60, 5L * pending.size())).toNanos();
    long until = Math.min(deadlineNanos, System.nanoTime() + boundNanos);
    EtlServiceDescriptors.BlockingStub stub = EtlServiceDescriptors.newBlockingStub(probe());
    Map<String, EstadoRodada> lastStates = new TreeMap<>();
    while (!pending.isEmpty()) {
      requireAlive(currentServer(), "finishing rounds");
      for (String roundId : List.copyOf(pending)) {
        Rodada round;
        try {
          round = stub.withDeadlineAfter(10, TimeUnit.SECONDS)
              .consultarRodada(ConsultaRodada.newBuilder().setRodadaId(roundId).build());
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
            pending.remove(roundId);
            report.failure("round " + roundId + " was named in an acknowledgement but the server"
                + " does not know it: " + e.getStatus().getDescription());
          } else {
            log.warn("ConsultarRodada for round {} failed with {}; asking again", roundId,
                e.getStatus());
          }
          continue;
        }
        lastStates.put(roundId, round.getEstado());
        if (round.getEstado() == EstadoRodada.CONCLUIDA) {
          pending.remove(roundId);
        } else if (round.getEstado() == EstadoRodada.ESTACIONADA) {
          pending.remove(roundId);
          report.failure("round " + roundId + " was parked: " + round.getErro());
        }
      }
      if (pending.isEmpty()) {
        break;
      }
      if (System.nanoTime() > until) {
        report.failure(pending.size() + " rounds did not reach CONCLUIDA in time: "
            + pending.stream().limit(10).map(id -> id + "=" + lastStates.get(id))
                .collect(Collectors.joining(", ")));
        return;
      }
      Thread.sleep(250);
    }
    log.info("Every round reached CONCLUIDA or was parked");
  }

  /** Reads every round from the store; returns null and reports when it cannot be read. */
  private @Nullable List<RoundInfo> readStore() {
    Path database = serverDirectory.resolve("etl.db");
    if (!Files.exists(database)) {
      report.failure("the server left no round store at " + database);
      return null;
    }
    try (SqliteRoundStore store = SqliteRoundStore.open(database)) {
      return store.list(EnumSet.allOf(RoundState.class));
    } catch (RuntimeException e) {
      log.error("Cannot read the round store {}", database, e);
      report.failure("cannot read the round store " + database + ": " + e);
      return null;
    }
  }

  private void writeVerdict() {
    if (!Files.isDirectory(workDirectory)) {
      return;
    }
    List<String> lines = new ArrayList<>(report.failures());
    lines.add(report.verdictLine());
    try {
      Files.write(workDirectory.resolve("verdict.txt"), lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      log.warn("Cannot write {}", workDirectory.resolve("verdict.txt"), e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private ServerProcess currentServer() {
    ServerProcess running = server;
    if (running == null) {
      throw new IllegalStateException("No server started yet");
    }
    return running;
  }

  private ManagedChannel probe() {
    if (probeChannel == null) {
      throw new IllegalStateException("Harness not prepared");
    }
    return probeChannel;
  }

  private void checkTime(String phase) throws HarnessFailure {
    if (System.nanoTime() > deadlineNanos) {
      throw new HarnessFailure("time limit of " + settings.maxTime() + " passed before "
          + phase);
    }
  }

  /** Stops clients, the server and the probe channel, whatever state the run is in. */
  private void cleanUp() throws InterruptedException {
    clients.forEach(MarkerClient::abort);
    for (Thread thread : clientThreads) {
      thread.join(TimeUnit.SECONDS.toMillis(20));
    }
    for (MarkerClient client : clients) {
      client.close();
    }
    ServerProcess running = server;
    if (running != null && running.isAlive()) {
      log.warn("Killing server pid {} left running by a failed run", running.pid());
      running.kill();
    }
    if (probeChannel != null) {
      probeChannel.shutdownNow();
      probeChannel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Kills the server when this JVM exits mid-run, so no server child outlives the harness. */
  private void killServerOnExit() {
    ServerProcess running = server;
    if (running != null && running.isAlive()) {
      try {
        running.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        log.warn("Cannot kill server pid {} on exit", running.pid(), e);
      }
    }
  }

  private static void deleteRecursively(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Collections.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException | UncheckedIOException e) {
      log.warn("Cannot delete the temporary work folder {}", directory, e);
    }
  }

  /** A condition that ends the run early, with a message for the report. */
  static final class HarnessFailure extends Exception {
    HarnessFailure(String message) {
      super(message);
    }
  }
}
