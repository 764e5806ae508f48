package io.github.etlrpc.examples;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code simulate}: concurrent data source clients sending generated files to a server. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Runs simulated data source clients against a server. Per round each client sends an"
          + " OMS file of 10,000 rows, a hospital file of 5,000 to 8,000 rows and a secretariat"
          + " file of 20,000 rows, then prints a progress line; at the end it prints the mean,"
          + " median and max call latency and rows per second of each client and in total.",
      "Exits with 1 if any call failed."
    })
final class SimulateCommand implements Callable<Integer> {
  @Mixin private ClientOptions client;

  @Mixin private FileSizeOptions sizes;

  @Option(names = "--clients", paramLabel = "N", defaultValue = "5",
      description = "Concurrent clients, one thread and one connection each."
          + " Default: ${DEFAULT-VALUE}.")
  private int clients;

  @Option(names = "--rounds", paramLabel = "R", defaultValue = "1",
      description = "Rounds per client, three files each. Default: ${DEFAULT-VALUE}.")
  private int rounds;

  @Option(names = "--round-key", paramLabel = "K", defaultValue = "",
      description = "Correlation key sent as rodada. Empty (the default) joins the shared"
          + " default round, where concurrent clients' files mix in arrival order.")
  private String roundKey;

  @Option(names = "--per-client-keys",
      description = "Each client uses the key K-<client>-<round>, so its three files form a"
          + " round of their own (K defaults to sim-<random run id>).")
  private boolean perClientKeys;

  @Option(names = "--stream-chunk-rows", paramLabel = "N", defaultValue = "0",
      description = "Sends each file over EnviarDadosStream in chunks of N rows; 0 (the"
          + " default) sends each file in one EnviarDados call.")
  private int streamChunkRows;

  @Option(names = "--seed", defaultValue = "1",
      description = "Seed of the generated rows. Default: ${DEFAULT-VALUE}.")
  private long seed;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    OptionChecks.atLeast(clients, 1, "--clients");
    OptionChecks.atLeast(rounds, 1, "--rounds");
    OptionChecks.atLeast(streamChunkRows, 0, "--stream-chunk-rows");
    PrintWriter out = spec.commandLine().getOut();
    Simulation.Builder builder = Simulation.newBuilder(clientIndex -> client.open())
        .clients(clients)
        .rounds(rounds)
        .roundKey(roundKey)
        .streamChunkRows(streamChunkRows)
        .seed(seed)
        .fileSizes(sizes.toFileSizes())
        .progress(line -> printLine(out, line));
    if (perClientKeys) {
      builder.perClientKeys();
    }
    out.printf("Simulating %d client(s) x %d round(s) against %s%n", clients, rounds,
        client.target);
    SimulationResult result = builder.build().run();
    for (String line : result.summaryLines()) {
      out.println(line);
    }
    out.flush();
    return result.hasFailures() ? 1 : 0;
  }

  /** Prints one line from any thread; PrintWriter methods lock the writer. */
  static void printLine(PrintWriter out, String line) {
    out.println(line);
    out.flush();
  }
}
