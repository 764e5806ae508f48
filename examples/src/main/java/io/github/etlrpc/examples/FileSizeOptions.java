package io.github.etlrpc.examples;

import picocli.CommandLine.Option;

/**
 * Hidden options that shrink or grow the simulated files, for tests and experiments; the
 * defaults are the sizes of {@link FileSizes#ORIGINAL_CLIENTS}.
 */
final class FileSizeOptions {
  @Option(names = "--oms-rows", hidden = true, defaultValue = "10000",
      description = "Rows per OMS file.")
  int omsRows;

  @Option(names = "--hospital-min-rows", hidden = true, defaultValue = "5000",
      description = "Minimum rows per hospital file.")
  int hospitalMinRows;

  @Option(names = "--hospital-max-rows", hidden = true, defaultValue = "8000",
      description = "Maximum rows per hospital file.")
  int hospitalMaxRows;

  @Option(names = "--secretaria-rows", hidden = true, defaultValue = "20000",
      description = "Rows per secretariat file.")
  int secretariaRows;

  /** Returns the sizes; throws IllegalArgumentException for a negative count or empty range. */
  FileSizes toFileSizes() {
    return new FileSizes(omsRows, hospitalMinRows, hospitalMaxRows, secretariaRows);
  }
}
