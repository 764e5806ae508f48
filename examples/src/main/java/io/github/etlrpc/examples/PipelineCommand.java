package io.github.etlrpc.examples;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pipeline}: the reference pipeline as a standalone program, taking the three hand-off
 * files in the order the server passes them to {@code --pipeline-command}.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the reference pipeline on three JSON hand-off files and writes five CSV files:"
          + " per-island OMS totals with the islands above the mean deaths flagged, admissions"
          + " per hospital and per island, secretariat totals per island, and a merged table.",
      "The server runs the same code in-JVM when it has no --pipeline-command. As an external"
          + " program: --pipeline-command \"java -jar /abs/etl-examples.jar pipeline {oms}"
          + " {secretaria} {hospital} --out /abs/results/{round}\"."
    })
final class PipelineCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "OMS.json", description = "OMS hand-off file.")
  private Path omsFile;

  @Parameters(index = "1", paramLabel = "SECRETARIA.json",
      description = "Secretariat hand-off file.")
  private Path secretariaFile;

  @Parameters(index = "2", paramLabel = "HOSPITAL.json", description = "Hospital hand-off file.")
  private Path hospitalFile;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Folder for the CSV files; created if missing, existing files replaced.")
  private Path outputDirectory;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    try {
      ReferencePipeline.Summary summary =
          ReferencePipeline.fromFiles(omsFile, secretariaFile, hospitalFile, outputDirectory);
      spec.commandLine().getOut().println(summary.describe());
      return 0;
    } catch (NoSuchFileException e) {
      spec.commandLine().getErr().println("error: file not found: " + e.getFile());
      return 1;
    } catch (IOException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 1;
    }
  }
}
