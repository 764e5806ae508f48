package io.github.etlrpc.examples;

import io.github.etlrpc.api.PipelineInvoker;
import io.github.etlrpc.api.PipelineRun;
import io.github.etlrpc.api.RowType;
import io.github.etlrpc.core.pipeline.InJvmPipelineInvoker;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reference downstream pipeline: per-island OMS totals with the islands above the mean death
 * count flagged, hospital admissions per hospital and per island, secretariat vaccinations and
 * diagnoses per island, and one merged per-island table. It reads rows as a stream, from JSON
 * hand-off files or from a {@link PipelineRun}, so memory stays flat whatever the round size.
 *
 * <p>Writes five CSV files, comma-separated with a header line and {@code \n} line ends, islands
 * and hospitals in ascending order; flags are 1 or 0:
 *
 * <ul>
 *   <li>{@value #OMS_CSV}: {@code ilha,obitos,recuperados,vacinados,obitos_acima_da_media}
 *   <li>{@value #HOSPITAL_CSV}: {@code id_hospital,registros,internacoes}
 *   <li>{@value #ISLAND_ADMISSIONS_CSV}: {@code ilha,registros,internacoes}
 *   <li>{@value #SECRETARIA_CSV}: {@code ilha,registros,vacinados,diagnosticados}
 *   <li>{@value #SUMMARY_CSV}: {@code ilha,obitos,recuperados,vacinados_oms,
 *       obitos_acima_da_media,internacoes,vacinados_secretaria,diagnosticados}, one line per
 *       island seen in any source, 0 where a source has no row for it
 * </ul>
 *
 * <p>Hospital and secretariat islands are {@code cep / 1000}; an admission is a hospital row with
 * {@code internado = 1}. Thread-safe: each call works on its own state.
 */
public final class ReferencePipeline {
  public static final String OMS_CSV = "oms_por_ilha.csv";
  public static final String HOSPITAL_CSV = "internacoes_por_hospital.csv";
  public static final String ISLAND_ADMISSIONS_CSV = "internacoes_por_ilha.csv";
  public static final String SECRETARIA_CSV = "secretaria_por_ilha.csv";
  public static final String SUMMARY_CSV = "resumo_por_ilha.csv";

  private static final Logger log = LoggerFactory.getLogger(ReferencePipeline.class);

  private ReferencePipeline() {}

  /**
   * Outcome of one pipeline run.
   *
   * @param outputDirectory folder holding the five CSV files
   * @param rowsByType rows read of each row type
   * @param islands islands in the merged table
   * @param meanDeaths mean of the islands' OMS death totals
   * @param flaggedIslands islands with more deaths than the mean, ascending
   */
  public record Summary(Path outputDirectory, Map<RowType, Long> rowsByType, int islands,
      double meanDeaths, List<Integer> flaggedIslands) {

    public Summary {
      rowsByType = Map.copyOf(rowsByType);
      flaggedIslands = List.copyOf(flaggedIslands);
    }

    /** Returns a few lines for a terminal: rows per source, islands, flagged islands. */
    public String describe() {
      return String.format(Locale.ROOT,
          "rows read: oms=%d, secretaria=%d, hospital=%d%n"
              + "islands: %d; mean OMS deaths per island: %.2f%n"
              + "islands above the mean: %s%n"
              + "CSV files in %s",
          rowsByType.getOrDefault(RowType.OMS, 0L),
          rowsByType.getOrDefault(RowType.SECRETARIA, 0L),
          rowsByType.getOrDefault(RowType.HOSPITAL, 0L),
          islands, meanDeaths, flaggedIslands.isEmpty() ? "none" : flaggedIslands,
          outputDirectory);
    }
  }

  /**
   * Runs the pipeline on three JSON hand-off files, in the argument order of the original
   * pipeline program, and writes the CSV files to {@code outputDirectory} (created if missing).
   *
   * @throws java.nio.file.NoSuchFileException if an input file does not exist
   * @throws IOException if an input is not a valid hand-off file or an output cannot be written
   */
  public static Summary fromFiles(Path omsFile, Path secretariaFile, Path hospitalFile,
      Path outputDirectory) throws IOException {
    RoundAggregates aggregates = new RoundAggregates();
    HandoffJsonReader.read(omsFile, RowType.OMS, aggregates);
    HandoffJsonReader.read(secretariaFile, RowType.SECRETARIA, aggregates);
    HandoffJsonReader.read(hospitalFile, RowType.HOSPITAL, aggregates);
    return write(aggregates, outputDirectory);
  }

  /**
   * Runs the pipeline on the rows of every source of {@code run}, read through
   * {@link PipelineRun#forEachRow}, and writes the CSV files to {@code outputDirectory}.
   *
   * @throws Exception if reading the rows or writing an output fails
   */
  public static Summary fromRun(PipelineRun run, Path outputDirectory) throws Exception {
    RoundAggregates aggregates = new RoundAggregates();
    for (String source : run.sources()) {
      run.forEachRow(source, aggregates);
    }
    return write(aggregates, outputDirectory);
  }

  /**
   * Returns an in-JVM pipeline that runs {@link #fromRun} on each round and writes its CSV files
   * to {@code outputRoot/<round id>/}. It reads rows from the store, so the engine writes no
   * hand-off files for it.
   */
  public static PipelineInvoker invoker(Path outputRoot) {
    Path root = outputRoot.toAbsolutePath();
    return InJvmPipelineInvoker.of(run -> {
      Summary summary = fromRun(run, root.resolve(run.roundId()));
      log.info("Round {}: reference pipeline read {} rows, {} islands, above the mean deaths: {};"
          + " CSV files in {}", run.roundId(), summary.rowsByType(), summary.islands(),
          summary.flaggedIslands(), summary.outputDirectory());
    });
  }

  private static Summary write(RoundAggregates aggregates, Path outputDirectory)
      throws IOException {
    Files.createDirectories(outputDirectory);
    writeOms(aggregates, outputDirectory.resolve(OMS_CSV));
    writeHospitals(aggregates, outputDirectory.resolve(HOSPITAL_CSV));
    writeIslandAdmissions(aggregates, outputDirectory.resolve(ISLAND_ADMISSIONS_CSV));
    writeSecretaria(aggregates, outputDirectory.resolve(SECRETARIA_CSV));
    writeSummary(aggregates, outputDirectory.resolve(SUMMARY_CSV));
    Map<RowType, Long> rows = Map.of(
        RowType.OMS, aggregates.omsRows(),
        RowType.HOSPITAL, aggregates.hospitalRows(),
        RowType.SECRETARIA, aggregates.secretariaRows());
    return new Summary(outputDirectory, rows, aggregates.allIslands().size(),
        aggregates.meanDeaths(), aggregates.islandsAboveMeanDeaths());
  }

  private static void writeOms(RoundAggregates aggregates, Path file) throws IOException {
    List<Integer> flagged = aggregates.islandsAboveMeanDeaths();
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("ilha,obitos,recuperados,vacinados,obitos_acima_da_media\n");
      for (var entry : aggregates.omsByIsland().entrySet()) {
        RoundAggregates.OmsTotals totals = entry.getValue();
        writeLine(out, entry.getKey(), totals.deaths, totals.recovered, totals.vaccinated,
            flagged.contains(entry.getKey()) ? 1 : 0);
      }
    }
  }

  private static void writeHospitals(RoundAggregates aggregates, Path file) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("id_hospital,registros,internacoes\n");
      for (var entry : aggregates.admissionsByHospital().entrySet()) {
        writeLine(out, entry.getKey(), entry.getValue().records, entry.getValue().admissions);
      }
    }
  }

  private static void writeIslandAdmissions(RoundAggregates aggregates, Path file)
      throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("ilha,registros,internacoes\n");
      for (var entry : aggregates.admissionsByIsland().entrySet()) {
        writeLine(out, entry.getKey(), entry.getValue().records, entry.getValue().admissions);
      }
    }
  }

  private static void writeSecretaria(RoundAggregates aggregates, Path file) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("ilha,registros,vacinados,diagnosticados\n");
      for (var entry : aggregates.secretariaByIsland().entrySet()) {
        RoundAggregates.SecretariaTotals totals = entry.getValue();
        writeLine(out, entry.getKey(), totals.records, totals.vaccinated, totals.diagnosed);
      }
    }
  }

  private static void writeSummary(RoundAggregates aggregates, Path file) throws IOException {
    List<Integer> flagged = aggregates.islandsAboveMeanDeaths();
    RoundAggregates.OmsTotals noOms = new RoundAggregates.OmsTotals();
    RoundAggregates.AdmissionTotals noAdmissions = new RoundAggregates.AdmissionTotals();
    RoundAggregates.SecretariaTotals noSecretaria = new RoundAggregates.SecretariaTotals();
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("ilha,obitos,recuperados,vacinados_oms,obitos_acima_da_media,internacoes,"
          + "vacinados_secretaria,diagnosticados\n");
      for (int island : aggregates.allIslands()) {
        RoundAggregates.OmsTotals oms = aggregates.omsByIsland().getOrDefault(island, noOms);
        RoundAggregates.AdmissionTotals admissions =
            aggregates.admissionsByIsland().getOrDefault(island, noAdmissions);
        RoundAggregates.SecretariaTotals secretaria =
            aggregates.secretariaByIsland().getOrDefault(island, noSecretaria);
        writeLine(out, island, oms.deaths, oms.recovered, oms.vaccinated,
            flagged.contains(island) ? 1 : 0, admissions.admissions, secretaria.vaccinated,
            secretaria.diagnosed);
      }
    }
  }

  private static void writeLine(Writer out, long... values) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        line.append(',');
      }
      line.append(values[i]);
    }
    out.write(line.append('\n').toString());
  }
}
