package io.github.etlrpc.core;

import io.github.etlrpc.api.Batch;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.Row;
import io.github.etlrpc.api.RowType;
import io.github.etlrpc.core.internal.PayloadReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Encodes, validates and decodes batch payloads: the protobuf encoding of {@code repeated Linha
 * dados = 3}, as described in {@link Batch}. The protobuf wire format is written and read by hand
 * here, so etl-core needs no protobuf library.
 *
 * <p>Parsing follows proto3 as protobuf-java does: unknown fields inside {@code Linha} and the
 * row messages are skipped, the last {@code Linha.linha} case of a row wins, int32 varints are
 * truncated to 32 bits and strings must be well-formed UTF-8. A known field with the wrong wire
 * type is rejected, which protobuf-java would keep as an unknown field. So every payload that
 * {@link #validate} accepts also parses with the generated protobuf classes.
 *
 * <p>Thread-safe: all methods are static and keep no state.
 */
public final class RowCodec {
  private RowCodec() {}

  /**
   * Checks that every row of the payload is a well-formed {@code Linha} of type {@code expected}
   * and counts the rows, in one pass that allocates nothing per row.
   *
   * @param source normalized source name, used in error messages
   * @return number of rows
   * @throws EtlException INVALID_ARGUMENT naming the zero-based row index and {@code source}: for
   *     a row with no {@code Linha.linha} case set, a row of another type, or malformed bytes
   * @throws IndexOutOfBoundsException if the range lies outside {@code buffer}
   */
  public static long validate(byte[] buffer, int offset, int length, RowType expected,
      String source) {
    PayloadReader reader = new PayloadReader(buffer, offset, length, "the " + source + " batch");
    long rows = 0;
    while (reader.next()) {
      RowType type = reader.rowType();
      if (type != expected) {
        throw wrongRowType(reader, type, expected, withArticle(source) + " batch");
      }
      rows++;
    }
    return rows;
  }

  /**
   * Decodes every row of the payload into {@link Row} records, in order. Absent fields decode as
   * 0 and {@code ""}.
   *
   * @throws EtlException INVALID_ARGUMENT naming the zero-based row index, for a row with no
   *     {@code Linha.linha} case set or malformed bytes
   * @throws IndexOutOfBoundsException if the range lies outside {@code buffer}
   */
  public static void decode(byte[] buffer, int offset, int length,
      Consumer<? super Row> action) {
    Objects.requireNonNull(action, "action");
    PayloadReader reader = new PayloadReader(buffer, offset, length, "the payload");
    while (reader.next()) {
      RowType type = reader.rowType();
      if (type == null) {
        throw reader.rowError("has no row set (empty oneof Linha.linha); set linha_oms,"
            + " linha_hospital or linha_secretaria");
      }
      action.accept(toRow(reader, type));
    }
  }

  /**
   * Encodes rows as a payload, byte for byte as protobuf-java serializes them in field 3 of a
   * {@code DadosRequest}: one record per row, fields in number order, fields with the default
   * value 0 or {@code ""} left out. Unpaired surrogates in strings become {@code '?'}, as in
   * protobuf-java.
   *
   * @throws NullPointerException if a row or its {@code data} is null
   */
  public static byte[] encode(List<? extends Row> rows) {
    byte[][] strings = new byte[rows.size()][];
    int[] messageSizes = new int[rows.size()];
    int total = 0;
    for (int i = 0; i < rows.size(); i++) {
      int index = i;
      Row row = Objects.requireNonNull(rows.get(i), () -> "row " + index + " is null");
      strings[i] = Objects.requireNonNull(data(row), () -> "row " + index + " has null data")
          .getBytes(StandardCharsets.UTF_8);
      messageSizes[i] = rowMessageSize(row, strings[i].length);
      int linhaSize = 1 + WireWriter.varintSize(messageSizes[i]) + messageSizes[i];
      total = Math.addExact(total, 1 + WireWriter.varintSize(linhaSize) + linhaSize);
    }
    WireWriter out = new WireWriter(total);
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      int messageSize = messageSizes[i];
      int linhaSize = 1 + WireWriter.varintSize(messageSize) + messageSize;
      out.tag(3, WireWriter.LENGTH_DELIMITED);
      out.varint(linhaSize);
      out.tag(row.type().fieldNumber(), WireWriter.LENGTH_DELIMITED);
      out.varint(messageSize);
      writeRowMessage(out, row, strings[i]);
    }
    return out.toByteArray();
  }

  private static EtlException wrongRowType(PayloadReader reader, @Nullable RowType actual,
      RowType expected, String takesOnly) {
    if (actual == null) {
      return reader.rowError("has no row set (empty oneof Linha.linha); set "
          + expected.fieldName());
    }
    return reader.rowError("is a " + actual.fieldName() + "; " + takesOnly + " takes only "
        + expected.fieldName() + " rows");
  }

  /** Prefixes "a" or "an", so messages read "an oms batch" and "a hospital batch". */
  private static String withArticle(String word) {
    boolean vowel = !word.isEmpty() && "aeiouAEIOU".indexOf(word.charAt(0)) >= 0;
    return (vowel ? "an " : "a ") + word;
  }

  private static Row toRow(PayloadReader reader, RowType type) {
    return switch (type) {
      case OMS -> new Row.Oms(reader.intField(1), reader.intField(2), reader.intField(3),
          reader.intField(4), reader.intField(5), reader.stringField());
      case HOSPITAL -> new Row.Hospital(reader.intField(1), reader.stringField(),
          reader.intField(3), reader.intField(4), reader.intField(5), reader.intField(6),
          reader.intField(7), reader.intField(8), reader.intField(9), reader.intField(10));
      case SECRETARIA -> new Row.Secretaria(reader.intField(1), reader.intField(2),
          reader.intField(3), reader.intField(4), reader.intField(5), reader.stringField());
    };
  }

  private static String data(Row row) {
    if (row instanceof Row.Oms oms) {
      return oms.data();
    } else if (row instanceof Row.Hospital hospital) {
      return hospital.data();
    }
    return ((Row.Secretaria) row).data();
  }

  /** Returns the int32 fields of {@code row}, indexed by field number; the string slot is 0. */
  private static int[] intFields(Row row) {
    if (row instanceof Row.Oms r) {
      return new int[] {0, r.numObitos(), r.populacao(), r.cep(), r.numRecuperados(),
          r.numVacinados(), 0};
    } else if (row instanceof Row.Hospital r) {
      return new int[] {0, r.idHospital(), 0, r.internado(), r.idade(), r.sexo(), r.cep(),
          r.sintoma1(), r.sintoma2(), r.sintoma3(), r.sintoma4()};
    }
    Row.Secretaria r = (Row.Secretaria) row;
    return new int[] {0, r.diagnostico(), r.vacinado(), r.cep(), r.escolaridade(),
        r.populacao(), 0};
  }

  private static int rowMessageSize(Row row, int stringLength) {
    int[] fields = intFields(row);
    int stringField = PayloadReader.stringFieldNumber(row.type());
    int size = 0;
    for (int field = 1; field < fields.length; field++) {
      if (field == stringField) {
        if (stringLength > 0) {
          size += 1 + WireWriter.varintSize(stringLength) + stringLength;
        }
      } else if (fields[field] != 0) {
        size += 1 + WireWriter.int32Size(fields[field]);
      }
    }
    return size;
  }

  private static void writeRowMessage(WireWriter out, Row row, byte[] string) {
    int[] fields = intFields(row);
    int stringField = PayloadReader.stringFieldNumber(row.type());
    for (int field = 1; field < fields.length; field++) {
      if (field == stringField) {
        if (string.length > 0) {
          out.tag(field, WireWriter.LENGTH_DELIMITED);
          out.varint(string.length);
          out.bytes(string);
        }
      } else if (fields[field] != 0) {
        out.tag(field, WireWriter.VARINT);
        out.int32(fields[field]);
      }
    }
  }

  /**
   * Fixed-size output buffer for the protobuf wire format. Every field number in these messages
   * is below 16, so each tag takes 1 byte.
   */
  private static final class WireWriter {
    static final int VARINT = 0;
    static final int LENGTH_DELIMITED = 2;

    private final byte[] bytes;
    private int position;

    WireWriter(int size) {
      bytes = new byte[size];
    }

    /** Size of {@code value} as an unsigned varint. */
    static int varintSize(long value) {
      int size = 1;
      while ((value & ~0x7FL) != 0) {
        value >>>= 7;
        size++;
      }
      return size;
    }

    /** Size of an int32 field value: negative values are sign-extended to 10 bytes. */
    static int int32Size(int value) {
      return varintSize(value);
    }

    void tag(int fieldNumber, int wireType) {
      varint((fieldNumber << 3) | wireType);
    }

    void int32(int value) {
      varint(value);
    }

    void varint(long value) {
      while ((value & ~0x7FL) != 0) {
        bytes[position++] = (byte) ((value & 0x7F) | 0x80);
        value >>>= 7;
      }
      bytes[position++] = (byte) value;
    }

    void bytes(byte[] source) {
      System.arraycopy(source, 0, bytes, position, source.length);
      position += source.length;
    }

    byte[] toByteArray() {
      if (position != bytes.length) {
        throw new IllegalStateException(
            "Encoded " + position + " bytes but computed " + bytes.length);
      }
      return bytes;
    }
  }
}
