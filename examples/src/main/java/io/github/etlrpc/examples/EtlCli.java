package io.github.etlrpc.examples;

import io.github.etlrpc.api.EtlException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code etl-examples.jar}: a server, simulated clients, the reference pipeline,
 * a self-contained demo and operator commands, as picocli subcommands.
 *
 * <p>Exit codes: 0 on success, 1 when the command failed (a failed call, a round that did not
 * conclude, an invalid file or setting), 2 for invalid command-line usage.
 */
@Command(
    name = "etl-examples",
    mixinStandardHelpOptions = true,
    version = "etl-rpc examples 0.1.0",
    description = "Collects data source batches over gRPC into rounds and runs a pipeline on each"
        + " complete round.",
    subcommands = {
      DemoCommand.class,
      ServerCommand.class,
      SimulateCommand.class,
      PipelineCommand.class,
      WatchCommand.class,
      RoundsCommand.class,
      RerunCommand.class,
      CommandLine.HelpCommand.class
    })
public final class EtlCli implements Runnable {
  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    boolean demo = args.length > 0 && args[0].equals("demo");
    setDefaultLogFormat(demo ? "warn" : "info");
    System.exit(commandLine().execute(args));
  }

  /**
   * Returns the configured command line. Failures that come from settings or input, such as an
   * unreadable certificate file, print one {@code error:} line and exit with 1; other exceptions
   * print their stack trace.
   */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new EtlCli());
    commandLine.setExecutionExceptionHandler((exception, cli, parseResult) -> {
      PrintWriter err = cli.getErr();
      if (exception instanceof IllegalArgumentException
          || exception instanceof IllegalStateException
          || exception instanceof UncheckedIOException
          || exception instanceof EtlException) {
        err.println("error: " + exception.getMessage());
      } else {
        exception.printStackTrace(err);
      }
      err.flush();
      return 1;
    });
    return commandLine;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Sets slf4j-simple to one-line output with time and thread at {@code level}, unless set
   * already. The demo logs only warnings so that its summary stays readable; run it with
   * {@code -Dorg.slf4j.simpleLogger.defaultLogLevel=info} to see every round's lifecycle.
   */
  private static void setDefaultLogFormat(String level) {
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", level);
    setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
    setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
