package io.github.etlrpc.examples;

import io.github.etlrpc.api.RowType;
import java.util.SplittableRandom;

/**
 * Rows per simulated file of each source. The hospital size is drawn uniformly from
 * {@code hospitalMinRows..hospitalMaxRows} for each file.
 *
 * @param omsRows rows of each OMS file
 * @param hospitalMinRows minimum rows of a hospital file
 * @param hospitalMaxRows maximum rows of a hospital file
 * @param secretariaRows rows of each secretariat file
 */
public record FileSizes(int omsRows, int hospitalMinRows, int hospitalMaxRows,
    int secretariaRows) {

  /** Sizes the clients of the original system send: 10,000, 5,000 to 8,000 and 20,000 rows. */
  public static final FileSizes ORIGINAL_CLIENTS = new FileSizes(10_000, 5_000, 8_000, 20_000);

  /**
   * Checks the sizes.
   *
   * @throws IllegalArgumentException if a size is negative or the hospital range is empty
   */
  public FileSizes {
    if (omsRows < 0 || hospitalMinRows < 0 || secretariaRows < 0) {
      throw new IllegalArgumentException("Row counts must be 0 or more; got oms=" + omsRows
          + ", hospital-min=" + hospitalMinRows + ", secretaria=" + secretariaRows);
    }
    if (hospitalMaxRows < hospitalMinRows) {
      throw new IllegalArgumentException("Hospital row range " + hospitalMinRows + ".."
          + hospitalMaxRows + " is empty; use min <= max");
    }
  }

  /** Returns the row count of the next file of {@code type}, drawing the hospital size. */
  public int rowsFor(RowType type, SplittableRandom random) {
    return switch (type) {
      case OMS -> omsRows;
      case HOSPITAL -> random.nextInt(hospitalMinRows, hospitalMaxRows + 1);
      case SECRETARIA -> secretariaRows;
    };
  }
}
