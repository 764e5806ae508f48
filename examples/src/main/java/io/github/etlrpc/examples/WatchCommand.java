package io.github.etlrpc.examples;

import io.github.etlrpc.grpc.EtlClient;
import io.github.etlrpc.grpc.proto.Rodada;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code watch}: prints round changes from a running server (AcompanharRodadas). */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description = "Prints the current state of the matching rounds of a running server, then"
        + " every change, one line each, until the server ends the stream or Ctrl-C. Watching"
        + " every round lists the rounds not yet CONCLUIDA; a round watched by id is listed in"
        + " any state, and its stream ends once it is CONCLUIDA. Exits with 1 when the stream"
        + " ends with an error, such as a server shutdown.")
final class WatchCommand implements Callable<Integer> {
  @Mixin private ClientOptions client;

  @Option(names = "--round", paramLabel = "ROUND_ID", defaultValue = "",
      description = "Round id to watch. Default: every round.")
  private String roundId;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (EtlClient etl = client.open()) {
      Iterator<Rodada> changes = etl.watch(roundId);
      while (changes.hasNext()) {
        out.println(describe(changes.next()));
        out.flush();
      }
    } catch (StatusRuntimeException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("error: watch ended with " + e.getStatus().getCode() + ": "
          + e.getStatus().getDescription());
      err.flush();
      return 1;
    }
    return 0;
  }

  /** Returns one line: update time, round id, key, state, rows per origin, attempts, error. */
  static String describe(Rodada round) {
    return Instant.ofEpochMilli(round.getAtualizadaEmMs()) + " " + round.getRodadaId()
        + " key=" + (round.getRodada().isEmpty() ? "(default)" : round.getRodada())
        + " " + round.getEstado()
        + " rows=" + new java.util.TreeMap<>(round.getRegistrosPorOrigemMap())
        + " attempts=" + round.getTentativas()
        + (round.getErro().isEmpty() ? "" : " error=" + round.getErro());
  }
}
