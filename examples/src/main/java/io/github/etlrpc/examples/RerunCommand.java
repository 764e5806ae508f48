package io.github.etlrpc.examples;

import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rerun}: runs the pipeline again on a parked round of a stopped server's store. */
@Command(
    name = "rerun",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the pipeline again, with a fresh attempt budget, on a round parked as ESTACIONADA in"
          + " the store of a stopped server, and waits for the outcome. Pass the same pipeline"
          + " options the server uses.",
      "Starting the engine also resumes the store's other unfinished rounds (FECHADA, FALHOU,"
          + " EXECUTANDO), as a server start would.",
      "Exits with 1 unless the round reaches CONCLUIDA."
    })
final class RerunCommand implements Callable<Integer> {
  @Mixin private EngineOptions engineOptions;

  @Parameters(index = "0", paramLabel = "ROUND_ID", description = "Id of the parked round.")
  private String roundId;

  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "30m",
      converter = CliConverters.DurationConverter.class,
      description = "How long to wait for the pipeline. Default: ${DEFAULT-VALUE}.")
  private Duration wait;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    OptionChecks.positive(wait, "--wait");
    if (engineOptions.inMemory) {
      throw new IllegalArgumentException(
          "--in-memory has no parked rounds to rerun; use the server's durable --work-dir");
    }
    RoundsCommand.storeFile(engineOptions.workDirectory);
    PrintWriter out = spec.commandLine().getOut();
    EtlEngine engine = engineOptions.buildEngine(null);
    try {
      RoundInfo started = engine.rerun(roundId);
      out.println("rerunning " + RoundsCommand.describe(started));
      out.flush();
      RoundInfo settled = engine.settled(roundId).get(wait.toNanos(), TimeUnit.NANOSECONDS);
      out.println(RoundsCommand.describe(settled));
      return settled.state() == RoundState.CONCLUIDA ? 0 : 1;
    } catch (TimeoutException e) {
      out.println("round " + roundId + " did not settle within " + wait
          + "; it runs again on the next server start");
      return 1;
    } catch (ExecutionException e) {
      throw new IllegalStateException("Waiting for round " + roundId + " failed", e.getCause());
    } finally {
      engine.shutdown(Duration.ofSeconds(30));
    }
  }
}
