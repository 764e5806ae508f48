package io.github.etlrpc.core.engine;

import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlException;

/**
 * Checks client-chosen identifiers: round keys and send ids. They reach logs, the store and the
 * pipeline's environment ({@code ETL_ROUND_KEY}), so control characters, which would forge log
 * lines or be refused as environment values, and very long values are rejected up front.
 */
final class BatchIds {
  /** Maximum length of a round key or send id, in UTF-16 code units. */
  static final int MAX_LENGTH = 256;

  private BatchIds() {}

  static void check(String name, String value) {
    if (value.length() > MAX_LENGTH) {
      throw new EtlException(ErrorKind.INVALID_ARGUMENT,
          name + " is " + value.length() + " characters long; use at most " + MAX_LENGTH);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c)) {
        throw new EtlException(ErrorKind.INVALID_ARGUMENT, String.format(
            "%s contains the control character U+%04X at index %d; use printable characters",
            name, (int) c, i));
      }
    }
  }
}
