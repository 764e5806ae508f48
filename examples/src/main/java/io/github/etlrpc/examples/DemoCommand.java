package io.github.etlrpc.examples;

import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.core.EtlEngines;
import io.github.etlrpc.grpc.EtlClient;
import io.github.etlrpc.grpc.EtlServer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code demo}: engine, loopback server, simulated clients and the in-JVM reference pipeline in
 * one process, ending with each round's outcome.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Starts the engine and a gRPC server on 127.0.0.1 (free port) in this process, sends"
          + " simulated files from several clients, each client's three files forming a round of"
          + " their own, waits until every round's reference pipeline has finished, then prints"
          + " the latency summary, each round's outcome and where its CSV files are.",
      "Exits with 1 if a call failed or a round did not reach CONCLUIDA."
    })
final class DemoCommand implements Callable<Integer> {
  @Mixin private FileSizeOptions sizes;

  @Option(names = "--clients", paramLabel = "N", defaultValue = "5",
      description = "Concurrent clients. Default: ${DEFAULT-VALUE}.")
  private int clients;

  @Option(names = "--rounds", paramLabel = "R", defaultValue = "1",
      description = "Rounds per client. Default: ${DEFAULT-VALUE}.")
  private int rounds;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Work directory; kept after the demo. Default: a new temporary directory.")
  private @Nullable Path workDirectory;

  @Option(names = "--settle-timeout", paramLabel = "DURATION", defaultValue = "5m",
      converter = CliConverters.DurationConverter.class,
      description = "How long to wait for all pipelines after the last call."
          + " Default: ${DEFAULT-VALUE}.")
  private Duration settleTimeout;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    OptionChecks.atLeast(clients, 1, "--clients");
    OptionChecks.atLeast(rounds, 1, "--rounds");
    OptionChecks.positive(settleTimeout, "--settle-timeout");
    PrintWriter out = spec.commandLine().getOut();
    Path work = workDirectory != null ? workDirectory : Files.createTempDirectory("etl-demo-");
    Path outputRoot = work.resolve("output");
    EtlEngine engine = EtlEngines.newBuilder()
        .workDirectory(work)
        .pipeline(ReferencePipeline.invoker(outputRoot))
        .build();
    EtlServer server = null;
    try {
      server = EtlServer.newBuilder(engine).bindAddress("127.0.0.1").port(0).build();
      server.start();
      String target = "127.0.0.1:" + server.port();
      out.printf("Demo server on %s, work directory %s%n", target, work.toAbsolutePath());
      out.flush();

      SimulationResult result = Simulation.newBuilder(
              clientIndex -> EtlClient.forTarget(target).usePlaintext().build())
          .clients(clients)
          .rounds(rounds)
          .perClientKeys()
          .fileSizes(sizes.toFileSizes())
          .progress(line -> SimulateCommand.printLine(out, line))
          .build()
          .run();
      for (String line : result.summaryLines()) {
        out.println(line);
      }

      List<RoundInfo> settled = awaitRounds(engine, result.roundIds(), outputRoot, out);
      boolean allConcluded = settled.size() == result.roundIds().size()
          && settled.stream().allMatch(round -> round.state() == RoundState.CONCLUIDA);
      out.printf("%d round(s) concluded of %d; CSV files under %s%n",
          settled.stream().filter(round -> round.state() == RoundState.CONCLUIDA).count(),
          result.roundIds().size(), outputRoot.toAbsolutePath());
      out.flush();
      return allConcluded && !result.hasFailures() ? 0 : 1;
    } finally {
      if (server != null) {
        server.shutdown(Duration.ofSeconds(30));
      } else {
        engine.close();
      }
    }
  }

  /** Waits for each round to settle within the timeout and prints one line per round. */
  private List<RoundInfo> awaitRounds(EtlEngine engine, List<String> roundIds, Path outputRoot,
      PrintWriter out) throws InterruptedException {
    long deadline = System.nanoTime() + settleTimeout.toNanos();
    List<RoundInfo> settled = new ArrayList<>();
    for (String roundId : roundIds) {
      long remaining = Math.max(0, deadline - System.nanoTime());
      try {
        RoundInfo round = engine.settled(roundId).get(remaining, TimeUnit.NANOSECONDS);
        settled.add(round);
        out.printf("round %s key %s: %s, rows %s, attempts %d, %s%n", round.roundId(),
            round.roundKey(), round.state(), new TreeMap<>(round.rowsBySource()), round.attempts(),
            round.error().isEmpty()
                ? "CSV files in " + outputRoot.resolve(round.roundId()).toAbsolutePath()
                : "error: " + round.error());
      } catch (TimeoutException e) {
        RoundState state = engine.round(roundId).map(RoundInfo::state).orElse(null);
        out.printf("round %s: not settled within %s, state %s%n", roundId, settleTimeout, state);
      } catch (ExecutionException e) {
        out.printf("round %s: waiting failed: %s%n", roundId, e.getCause());
      }
    }
    return settled;
  }
}
