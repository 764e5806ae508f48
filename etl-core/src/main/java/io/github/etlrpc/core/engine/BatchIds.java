package io.github.etlrpc.core.engine;

import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlException;

/**
 * Checks client-chosen identifiers: round keys and send ids. They reach logs, the store and the
 * pipeline's environment ({@code ETL_ROUND_KEY}), so control and format characters, which would
 * forge log lines or be refused as environment values, and very long values are rejected up front.
 */
final class BatchIds {
  /** Maximum length of a round key or send id, in Unicode code points. */
  static final int MAX_LENGTH = 256;

  private BatchIds() {}

  static void check(String name, String value) {
    int length = value.codePointCount(0, value.length());
    if (length > MAX_LENGTH) {
      throw new EtlException(ErrorKind.INVALID_ARGUMENT,
          name + " is " + length + " characters long; use at most " + MAX_LENGTH);
    }
    for (int i = 0; i < value.length(); ) {
      int c = value.codePointAt(i);
      if (isForbidden(c)) {
        throw new EtlException(ErrorKind.INVALID_ARGUMENT, String.format(
            "%s contains the control or format character U+%04X at index %d; use printable"
                + " characters", name, c, i));
      }
      i += Character.charCount(c);
    }
  }

  /**
   * Returns whether a character would break or disguise a log line: controls (including
   * U+0085), line and paragraph separators, and format characters such as the right-to-left
   * override.
   */
  private static boolean isForbidden(int c) {
    int type = Character.getType(c);
    return Character.isISOControl(c)
        || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }
}
