package io.github.etlrpc.core.internal;

import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.RowType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Cursor over a batch payload: the protobuf encoding of {@code repeated Linha dados = 3}, read one
 * {@code Linha} at a time without allocating per row. After {@link #next()} returns true, the
 * accessors describe that row: its type, its int32 fields by field number and the byte range of
 * its one string field inside {@link #buffer()}.
 *
 * <p>Parsing follows proto3 as protobuf-java does for the generated classes, with one stricter
 * rule:
 *
 * <ul>
 *   <li>Unknown fields inside {@code Linha} and the row messages are skipped, groups included.
 *   <li>When several {@code Linha.linha} cases appear in one row, the last one wins. Repeated
 *       occurrences of the same case merge field by field, and each scalar keeps its last value.
 *   <li>int32 fields are varints of up to 10 bytes truncated to their low 32 bits, so a negative
 *       int32 sent as a 10-byte varint reads back as the same int.
 *   <li>Every string occurrence must be well-formed UTF-8, the check protobuf-java applies to
 *       proto3 strings.
 *   <li>Stricter than protobuf-java: a known field with the wrong wire type is rejected instead
 *       of being kept as an unknown field, because only a corrupt payload or another schema
 *       produces one.
 * </ul>
 *
 * <p>A reader made by {@link #ofValidated} skips the UTF-8 check, for payloads that passed it
 * before they were stored; every other rule still applies.
 *
 * <p>Every failure is an {@link EtlException} of kind INVALID_ARGUMENT whose message names the
 * row index, the subject given to the constructor and the payload byte offset.
 *
 * <p>Internal to etl-rpc: used by {@code RowCodec} and the JSON hand-off writer, with no
 * compatibility promise. Not thread-safe.
 */
public final class PayloadReader {
  /** Tag of a {@code dados} record: field 3, wire type 2. */
  private static final int DADOS_TAG = (3 << 3) | 2;

  /** Message nesting limit, counted from DadosRequest, as protobuf-java's default of 100. */
  private static final int MAX_DEPTH = 100;

  private static final int WIRE_VARINT = 0;
  private static final int WIRE_FIXED64 = 1;
  private static final int WIRE_LENGTH_DELIMITED = 2;
  private static final int WIRE_START_GROUP = 3;
  private static final int WIRE_END_GROUP = 4;
  private static final int WIRE_FIXED32 = 5;

  /** Row types indexed by their {@code Linha} field number. */
  private static final @Nullable RowType[] TYPE_BY_FIELD =
      {null, RowType.OMS, RowType.HOSPITAL, RowType.SECRETARIA};

  /** Largest field number of any row message: LinhaHospital's sintoma4 = 10. */
  private static final int MAX_ROW_FIELD = 10;

  /** Reads 8 bytes of a byte array as one long, for the ASCII scan of UTF-8 strings. */
  private static final VarHandle LONG_VIEW =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** High bit of each of 8 bytes. A long without any of them is 8 ASCII bytes. */
  private static final long NON_ASCII_BITS = 0x8080808080808080L;

  private final byte[] buffer;
  private final int start;
  private final int limit;
  private final String subject;
  private final boolean checkUtf8;
  private int position;

  private long rowIndex = -1;
  private @Nullable RowType rowType;
  private final int[] ints = new int[MAX_ROW_FIELD + 1];
  /**
   * Value of {@link #fieldsVersion} when each slot of {@link #ints} was last set. A slot with an
   * older version is absent, so clearing the fields for a new row is one increment. Each
   * increment follows a tag and a length read from the payload, so an int cannot wrap within
   * one payload.
   */
  private final int[] intVersions = new int[MAX_ROW_FIELD + 1];
  private int fieldsVersion;
  private int stringOffset;
  private int stringLength;

  /**
   * Creates a reader over {@code length} bytes of {@code buffer} from {@code offset}.
   *
   * @param subject what the payload is, for error messages, such as {@code "the hospital
   *     batch"}, which gives messages like "row 3 of the hospital batch ..."
   */
  public PayloadReader(byte[] buffer, int offset, int length, String subject) {
    this(buffer, offset, length, subject, true);
  }

  private PayloadReader(byte[] buffer, int offset, int length, String subject,
      boolean checkUtf8) {
    Objects.checkFromIndexSize(offset, length, buffer.length);
    this.buffer = buffer;
    this.start = offset;
    this.limit = offset + length;
    this.position = offset;
    this.subject = subject;
    this.checkUtf8 = checkUtf8;
  }

  /**
   * Creates a reader that does not check strings for well-formed UTF-8, for a payload that an
   * ordinary reader accepted before it was stored. Its string fields are then still the bytes
   * that were checked. Every other check stays, so corrupt bytes still throw.
   *
   * @see #PayloadReader(byte[], int, int, String)
   */
  public static PayloadReader ofValidated(byte[] buffer, int offset, int length, String subject) {
    return new PayloadReader(buffer, offset, length, subject, false);
  }

  /**
   * Parses the next row.
   *
   * @return false at the end of the payload
   * @throws EtlException INVALID_ARGUMENT if the bytes are not a valid encoding
   */
  public boolean next() {
    if (position >= limit) {
      return false;
    }
    rowIndex++;
    rowType = null;
    clearRowFields();
    int tagPosition = position;
    int tag = readTag(limit);
    if (tag != DADOS_TAG) {
      throw unexpectedTopLevelTag(tag, tagPosition);
    }
    int length = readLength(limit);
    parseLinha(position + length);
    return true;
  }

  /** Zero-based index of the current row. */
  public long rowIndex() {
    return rowIndex;
  }

  /** Type of the current row, or null when its {@code Linha.linha} oneof is empty. */
  public @Nullable RowType rowType() {
    return rowType;
  }

  /** Value of the current row's int32 field with this field number; 0 when absent. */
  public int intField(int fieldNumber) {
    return intVersions[fieldNumber] == fieldsVersion ? ints[fieldNumber] : 0;
  }

  /** Array that contains the string bytes at {@link #stringOffset()}. */
  public byte[] buffer() {
    return buffer;
  }

  /** Offset in {@link #buffer()} of the current row's UTF-8 string field. */
  public int stringOffset() {
    return stringOffset;
  }

  /** Byte length of the current row's string field; 0 when absent or empty. */
  public int stringLength() {
    return stringLength;
  }

  /** Decodes the current row's string field. */
  public String stringField() {
    return stringLength == 0
        ? ""
        : new String(buffer, stringOffset, stringLength, StandardCharsets.UTF_8);
  }

  /** Field number of the string field of {@code type}: {@code data} in each row message. */
  public static int stringFieldNumber(RowType type) {
    return type == RowType.HOSPITAL ? 2 : 6;
  }

  /** Largest field number of {@code type}'s row message. */
  public static int maxFieldNumber(RowType type) {
    return type == RowType.HOSPITAL ? 10 : 6;
  }

  /** Returns an INVALID_ARGUMENT exception whose message starts "row N of SUBJECT ". */
  public EtlException rowError(String problem) {
    return new EtlException(
        ErrorKind.INVALID_ARGUMENT, "row " + rowIndex + " of " + subject + " " + problem);
  }

  private void parseLinha(int end) {
    while (position < end) {
      int tagPosition = position;
      int tag = readTag(end);
      int fieldNumber = tag >>> 3;
      int wireType = tag & 7;
      if (fieldNumber >= 1 && fieldNumber <= 3) {
        RowType type = TYPE_BY_FIELD[fieldNumber];
        if (wireType != WIRE_LENGTH_DELIMITED) {
          throw malformed("Linha field " + fieldNumber + " (" + type.fieldName()
              + ") has wire type " + wireType + " instead of 2 (length-delimited)", tagPosition);
        }
        int length = readLength(end);
        // NOTE: protobuf-java 4.33.2 keeps an earlier occurrence's fields across a case switch,
        // so linha_oms, linha_hospital, linha_oms merges both linha_oms there. This reader
        // follows the proto3 rule and starts the new case from defaults.
        if (type != rowType) {
          clearRowFields();
          rowType = type;
        }
        parseRowMessage(type, position + length);
      } else {
        skipField(tag, tagPosition, end, 2);
      }
    }
  }

  private void clearRowFields() {
    fieldsVersion++;
    stringOffset = 0;
    stringLength = 0;
  }

  private void parseRowMessage(RowType type, int end) {
    int stringField = stringFieldNumber(type);
    int maxField = maxFieldNumber(type);
    while (position < end) {
      int tagPosition = position;
      int tag = readTag(end);
      int fieldNumber = tag >>> 3;
      int wireType = tag & 7;
      if (fieldNumber == stringField) {
        if (wireType != WIRE_LENGTH_DELIMITED) {
          throw wrongWireType(type, fieldNumber, wireType, WIRE_LENGTH_DELIMITED, tagPosition);
        }
        int length = readLength(end);
        if (checkUtf8 && !isValidUtf8(buffer, position, length)) {
          throw malformed(type.fieldName() + " field " + fieldNumber
              + " (data) is not valid UTF-8", position);
        }
        stringOffset = position;
        stringLength = length;
        position += length;
      } else if (fieldNumber >= 1 && fieldNumber <= maxField) {
        if (wireType != WIRE_VARINT) {
          throw wrongWireType(type, fieldNumber, wireType, WIRE_VARINT, tagPosition);
        }
        ints[fieldNumber] = (int) readVarint(end);
        intVersions[fieldNumber] = fieldsVersion;
      } else {
        skipField(tag, tagPosition, end, 3);
      }
    }
  }

  /**
   * Skips one unknown field whose tag was just read.
   *
   * @param depth message nesting level of the field's value, DadosRequest being level 0
   */
  private void skipField(int tag, int tagPosition, int end, int depth) {
    int wireType = tag & 7;
    switch (wireType) {
      case WIRE_VARINT -> readVarint(end);
      case WIRE_FIXED64 -> skipBytes(8, end);
      case WIRE_LENGTH_DELIMITED -> {
        int length = readLength(end);
        position += length;
      }
      case WIRE_START_GROUP -> skipGroup(tag >>> 3, tagPosition, end, depth);
      case WIRE_END_GROUP -> throw malformed(
          "end-group tag of field " + (tag >>> 3) + " has no matching start-group tag",
          tagPosition);
      case WIRE_FIXED32 -> skipBytes(4, end);
      default -> throw malformed("tag of field " + (tag >>> 3) + " has invalid wire type "
          + wireType, tagPosition);
    }
  }

  private void skipGroup(int fieldNumber, int startPosition, int end, int depth) {
    if (depth > MAX_DEPTH) {
      throw malformed("groups are nested deeper than " + MAX_DEPTH + " levels", startPosition);
    }
    while (position < end) {
      int tagPosition = position;
      int tag = readTag(end);
      if ((tag & 7) == WIRE_END_GROUP) {
        if ((tag >>> 3) != fieldNumber) {
          throw malformed("end-group tag of field " + (tag >>> 3)
              + " does not close the group of field " + fieldNumber, tagPosition);
        }
        return;
      }
      skipField(tag, tagPosition, end, depth + 1);
    }
    throw malformed("group of field " + fieldNumber + " has no end-group tag", startPosition);
  }

  private void skipBytes(int count, int end) {
    if (end - position < count) {
      throw malformed("fixed-size field needs " + count + " bytes but " + (end - position)
          + " remain in its message", position);
    }
    position += count;
  }

  /** Reads a tag, truncated to 32 bits as protobuf-java does, and rejects field number 0. */
  private int readTag(int end) {
    int tagPosition = position;
    int tag = (int) readVarint(end);
    if ((tag >>> 3) == 0) {
      throw malformed("tag has field number 0", tagPosition);
    }
    return tag;
  }

  private int readLength(int end) {
    int lengthPosition = position;
    int length = (int) readVarint(end);
    if (length < 0) {
      throw malformed("length " + length + " is negative", lengthPosition);
    }
    if (length > end - position) {
      throw malformed("length " + length + " runs past the end of its message, which has "
          + (end - position) + " bytes left", lengthPosition);
    }
    return length;
  }

  private long readVarint(int end) {
    int varintPosition = position;
    if (varintPosition < end && buffer[varintPosition] >= 0) {
      position++;
      return buffer[varintPosition];
    }
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (position >= end) {
        throw malformed("varint is truncated", varintPosition);
      }
      byte b = buffer[position++];
      value |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return value;
      }
    }
    throw malformed("varint is longer than 10 bytes", varintPosition);
  }

  private EtlException unexpectedTopLevelTag(int tag, int tagPosition) {
    int fieldNumber = tag >>> 3;
    if (fieldNumber == 3) {
      return malformed("field 3 (dados) has wire type " + (tag & 7)
          + " instead of 2 (length-delimited)", tagPosition);
    }
    return malformed("found field " + fieldNumber
        + " where only field 3 (dados) records may appear", tagPosition);
  }

  private EtlException wrongWireType(RowType type, int fieldNumber, int actual, int expected,
      int tagPosition) {
    String expectedName = expected == WIRE_VARINT ? "varint" : "length-delimited";
    return malformed(type.fieldName() + " field " + fieldNumber + " has wire type " + actual
        + " instead of " + expected + " (" + expectedName + ")", tagPosition);
  }

  private EtlException malformed(String problem, int bytePosition) {
    return rowError("is malformed: " + problem + " at payload byte " + (bytePosition - start)
        + "; send rows as protobuf-encoded Linha messages, as DadosRequest field 3");
  }

  /**
   * Checks well-formed UTF-8 as Unicode defines it: no overlong forms, no surrogates, nothing
   * above U+10FFFF, no truncated sequence.
   */
  static boolean isValidUtf8(byte[] bytes, int offset, int length) {
    int i = offset;
    int end = offset + length;
    // Skips ASCII 8 bytes at a time. The first word with a non-ASCII byte, and the tail shorter
    // than a word, go to the byte-by-byte check from i, which is still a character boundary.
    while (end - i >= Long.BYTES
        && ((long) LONG_VIEW.get(bytes, i) & NON_ASCII_BITS) == 0) {
      i += Long.BYTES;
    }
    while (i < end) {
      int b0 = bytes[i];
      if (b0 >= 0) {
        i++;
        continue;
      }
      b0 &= 0xFF;
      if (b0 < 0xC2) {
        return false;
      }
      if (b0 < 0xE0) {
        if (end - i < 2 || !isContinuation(bytes[i + 1])) {
          return false;
        }
        i += 2;
      } else if (b0 < 0xF0) {
        if (end - i < 3) {
          return false;
        }
        int b1 = bytes[i + 1] & 0xFF;
        if (!isContinuation(bytes[i + 1]) || !isContinuation(bytes[i + 2])
            || (b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 >= 0xA0)) {
          return false;
        }
        i += 3;
      } else if (b0 <= 0xF4) {
        if (end - i < 4) {
          return false;
        }
        int b1 = bytes[i + 1] & 0xFF;
        if (!isContinuation(bytes[i + 1]) || !isContinuation(bytes[i + 2])
            || !isContinuation(bytes[i + 3])
            || (b0 == 0xF0 && b1 < 0x90) || (b0 == 0xF4 && b1 >= 0x90)) {
          return false;
        }
        i += 4;
      } else {
        return false;
      }
    }
    return true;
  }

  private static boolean isContinuation(byte b) {
    return (b & 0xC0) == 0x80;
  }
}
