package io.github.etlrpc.examples;

import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.core.store.SqliteRoundStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rounds}: lists the rounds of a server's durable store. */
@Command(
    name = "rounds",
    mixinStandardHelpOptions = true,
    description = "Lists the rounds in the SQLite store of a work directory, oldest first. Meant"
        + " for a stopped server; against a running one the list may miss the latest changes.")
final class RoundsCommand implements Callable<Integer> {
  @Option(names = "--work-dir", paramLabel = "DIR", defaultValue = "etl-work",
      description = "Work directory of the server. Default: ${DEFAULT-VALUE}.")
  private Path workDirectory;

  @Option(names = "--state", paramLabel = "STATE", split = ",",
      converter = CliConverters.RoundStateConverter.class,
      description = "Lists only rounds in these states, such as ESTACIONADA or"
          + " fechada,falhou. Default: all states.")
  private List<RoundState> states = List.of();

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Path database = storeFile(workDirectory);
    Set<RoundState> wanted =
        states.isEmpty() ? EnumSet.allOf(RoundState.class) : EnumSet.copyOf(states);
    PrintWriter out = spec.commandLine().getOut();
    try (SqliteRoundStore store = SqliteRoundStore.open(database)) {
      List<RoundInfo> rounds = store.list(wanted);
      for (RoundInfo round : rounds) {
        out.println(describe(round));
      }
      out.printf("%d round(s) in %s%n", rounds.size(), wanted);
    }
    return 0;
  }

  /**
   * Returns the store file of a work directory.
   *
   * @throws IllegalArgumentException if it does not exist, so no empty store is created
   */
  static Path storeFile(Path workDirectory) {
    Path database = workDirectory.resolve("etl.db");
    if (!Files.isRegularFile(database)) {
      throw new IllegalArgumentException("No round store at " + database.toAbsolutePath()
          + "; pass the --work-dir of a server that ran without --in-memory");
    }
    return database;
  }

  static String describe(RoundInfo round) {
    return round.roundId()
        + " key=" + (round.roundKey().isEmpty() ? "(default)" : round.roundKey())
        + " " + round.state()
        + " rows=" + new TreeMap<>(round.rowsBySource())
        + " attempts=" + round.attempts()
        + " updated=" + Instant.ofEpochMilli(round.updatedAtMs())
        + (round.error().isEmpty() ? "" : " error=" + round.error());
  }
}
