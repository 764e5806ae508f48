package io.github.etlrpc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.Row;
import io.github.etlrpc.api.RowType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RowCodecTest {
  private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

  private static final Row.Oms OMS = new Row.Oms(12, 4000, 11, 3, 900, "01-12-2026");
  private static final Row.Hospital HOSPITAL =
      new Row.Hospital(300, "São \"Tomé\"", 1, -5, 0, 11003, 0, 0, 0, 1);
  private static final Row.Secretaria SECRETARIA =
      new Row.Secretaria(1, 0, 30005, 5, Integer.MAX_VALUE, "x\ud800y");

  /**
   * Field 3 of a DadosRequest with the rows OMS, an all-default LinhaOMS, HOSPITAL, SECRETARIA,
   * as protobuf-java 4.33.2 serializes it. Each record starts with 1a, and 0a, 12 or 1a then
   * opens Linha case 1, 2 or 3. The idade -5 is the 10-byte varint fb ff ff ff ff ff ff ff ff 01.
   * The unpaired surrogate U+D800 in SECRETARIA's data is written as '?' (3f).
   */
  private static final String PROTOBUF_JAVA_BYTES = "1a 1a 0a 18 08 0c 10 a0 1f 18 0b 20 03 28 84"
      + " 07 32 0a 30 31 2d 31 32 2d 32 30 32 36 1a 02 0a 00 1a 25 12 23 08 ac 02 12 0c 53 c3 a3"
      + " 6f 20 22 54 6f 6d c3 a9 22 18 01 20 fb ff ff ff ff ff ff ff ff 01 30 fb 55 50 01 1a 15"
      + " 1a 13 08 01 18 b5 ea 01 20 05 28 ff ff ff ff 07 32 03 78 3f 79";

  @Test
  void encode_matchesProtobufJava() {
    byte[] payload = RowCodec.encode(List.of(OMS, new Row.Oms(0, 0, 0, 0, 0, ""), HOSPITAL,
        SECRETARIA));

    assertThat(HEX.formatHex(payload)).isEqualTo(PROTOBUF_JAVA_BYTES);
  }

  @Test
  void encode_emptyListGivesEmptyPayload() {
    assertThat(RowCodec.encode(List.of())).isEmpty();
  }

  @Test
  void encode_nullDataNamesRow() {
    List<Row> rows = List.of(OMS, new Row.Oms(1, 2, 3, 4, 5, null));

    assertThatThrownBy(() -> RowCodec.encode(rows))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("row 1 has null data");
  }

  @Test
  void decode_readsProtobufJavaBytes() {
    byte[] payload = HEX.parseHex(PROTOBUF_JAVA_BYTES);

    assertThat(decodeAll(payload)).containsExactly(OMS, new Row.Oms(0, 0, 0, 0, 0, ""), HOSPITAL,
        new Row.Secretaria(1, 0, 30005, 5, Integer.MAX_VALUE, "x?y"));
  }

  @Test
  void roundTrip_randomRows() {
    Random random = new Random(20261204);
    for (int trial = 0; trial < 200; trial++) {
      List<Row> rows = new ArrayList<>();
      int count = random.nextInt(20);
      for (int i = 0; i < count; i++) {
        rows.add(randomRow(random));
      }
      byte[] payload = RowCodec.encode(rows);

      assertThat(decodeAll(payload)).as("trial %d", trial).containsExactlyElementsOf(rows);
    }
  }

  @Test
  void validate_countsRowsOfExpectedType() {
    byte[] payload = RowCodec.encode(List.of(HOSPITAL, HOSPITAL, HOSPITAL));

    assertThat(RowCodec.validate(payload, 0, payload.length, RowType.HOSPITAL, "hospital"))
        .isEqualTo(3);
  }

  @Test
  void validate_respectsOffsetAndLength() {
    byte[] rows = RowCodec.encode(List.of(OMS, OMS));
    byte[] framed = new byte[rows.length + 7];
    framed[0] = (byte) 0xFF;
    System.arraycopy(rows, 0, framed, 3, rows.length);
    framed[framed.length - 1] = (byte) 0xFF;

    assertThat(RowCodec.validate(framed, 3, rows.length, RowType.OMS, "oms")).isEqualTo(2);
    List<Row> decoded = new ArrayList<>();
    RowCodec.decode(framed, 3, rows.length, decoded::add);
    assertThat(decoded).containsExactly(OMS, OMS);
  }

  @Test
  void validate_emptyPayloadHasNoRows() {
    assertThat(RowCodec.validate(new byte[0], 0, 0, RowType.OMS, "oms")).isZero();
  }

  @Test
  void validate_rangeOutsideArrayThrows() {
    assertThatThrownBy(() -> RowCodec.validate(new byte[4], 2, 5, RowType.OMS, "oms"))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void validate_emptyOneofNamesRowAndFix() {
    byte[] payload = concat(RowCodec.encode(List.of(HOSPITAL, HOSPITAL, HOSPITAL)),
        HEX.parseHex("1a 00"));

    assertInvalid(payload, RowType.HOSPITAL, "hospital",
        "row 3 of the hospital batch has no row set (empty oneof Linha.linha);"
            + " set linha_hospital");
  }

  @Test
  void validate_linhaWithOnlyUnknownFieldsIsEmpty() {
    byte[] payload = HEX.parseHex("1a 02 20 01");

    assertInvalid(payload, RowType.OMS, "oms",
        "row 0 of the oms batch has no row set (empty oneof Linha.linha); set linha_oms");
  }

  @Test
  void validate_rowOfOtherTypeNamesBothTypes() {
    byte[] payload = RowCodec.encode(List.of(HOSPITAL, HOSPITAL, HOSPITAL, OMS));

    assertInvalid(payload, RowType.HOSPITAL, "hospital", "row 3 of the hospital batch is a"
        + " linha_oms; a hospital batch takes only linha_hospital rows");
  }

  @Test
  void validate_articleFollowsSourceName() {
    byte[] payload = RowCodec.encode(List.of(HOSPITAL));

    assertInvalid(payload, RowType.OMS, "oms",
        "row 0 of the oms batch is a linha_hospital; an oms batch takes only linha_oms rows");
  }

  /** Hand-built bad bytes, each after one valid OMS row so the failing row index is 1. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      record past end     | 1a 05 0a 00                   | length 5 runs past the end
      length cut short    | 1a 80                         | varint is truncated at payload byte
      11-byte varint      | 1a ff ff ff ff ff ff ff ff ff ff 01 | longer than 10 bytes
      negative length     | 1a ff ff ff ff 0f             | length -1 is negative
      dados as varint     | 18 01                         | field 3 (dados) has wire type 0
      top-level field 4   | 22 00                         | found field 4 where only field 3
      field 0 at top      | 02 00                         | tag has field number 0
      field 0 in Linha    | 1a 02 00 00                   | tag has field number 0
      case as varint      | 1a 02 08 01                   | field 1 (linha_oms) has wire type 0
      int32 as bytes      | 1a 05 0a 03 0a 01 41          | field 1 has wire type 2 instead of 0
      string as varint    | 1a 04 0a 02 30 01             | field 6 has wire type 0 instead of 2
      nested past parent  | 1a 03 0a 05 08                | length 5 runs past the end of its
      int32 missing       | 1a 03 0a 01 08                | varint is truncated
      int32 cut short     | 1a 04 0a 02 08 80             | varint is truncated
      wire type 6         | 1a 02 26 00                   | tag of field 4 has invalid wire type 6
      wire type 7         | 1a 04 0a 02 3f 00             | tag of field 7 has invalid wire type 7
      stray end group     | 1a 01 24                      | end-group tag of field 4 has no matching
      wrong end group     | 1a 06 0a 04 3b 08 01 44       | end-group tag of field 8 does not close
      group never ends    | 1a 05 0a 03 3b 08 01          | group of field 7 has no end-group tag
      fixed64 cut short   | 1a 06 0a 04 39 01 02 03       | needs 8 bytes but 3 remain
      fixed32 cut short   | 1a 04 0a 02 3d 01             | needs 4 bytes but 1 remain
      UTF-8 bad byte      | 1a 06 0a 04 32 02 c3 28       | field 6 (data) is not valid UTF-8
      UTF-8 overlong      | 1a 06 0a 04 32 02 c0 80       | field 6 (data) is not valid UTF-8
      UTF-8 surrogate     | 1a 07 0a 05 32 03 ed a0 80    | field 6 (data) is not valid UTF-8
      UTF-8 too large     | 1a 08 0a 06 32 04 f4 90 80 80 | field 6 (data) is not valid UTF-8
      UTF-8 cut short     | 1a 05 0a 03 32 01 e2          | field 6 (data) is not valid UTF-8
      """)
  void validate_malformedBytesNameRow(String name, String hex, String detail) {
    byte[] payload = concat(RowCodec.encode(List.of(OMS)), HEX.parseHex(hex));

    assertThatThrownBy(() -> RowCodec.validate(payload, 0, payload.length, RowType.OMS, "oms"))
        .isInstanceOfSatisfying(EtlException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessageStartingWith("row 1 of the oms batch is malformed: ")
        .hasMessageContaining(detail)
        .hasMessageEndingWith(
            "; send rows as protobuf-encoded Linha messages, as DadosRequest field 3");
    assertThatThrownBy(() -> decodeAll(payload))
        .isInstanceOf(EtlException.class)
        .hasMessageStartingWith("row 1 of the payload is malformed: ")
        .hasMessageContaining(detail);
  }

  @Test
  void validate_errorNamesPayloadByteOffset() {
    byte[] first = RowCodec.encode(List.of(OMS));
    byte[] payload = concat(first, HEX.parseHex("22 00"));

    assertInvalid(payload, RowType.OMS, "oms", "row 1 of the oms batch is malformed: found"
        + " field 4 where only field 3 (dados) records may appear at payload byte "
        + first.length + "; send rows as protobuf-encoded Linha messages, as DadosRequest"
        + " field 3");
  }

  @Test
  void decode_skipsUnknownFieldsOfEveryWireType() {
    // LinhaOMS { num_obitos=5; unknown 7:varint; 8:fixed64; 9:bytes; 10:group{1:varint};
    // 11:fixed32; data="ab" }, inside a Linha that also contains unknown field 4 (varint).
    String omsMessage = "08 05 38 96 01 41 01 02 03 04 05 06 07 08 4a 02 ff ff 53 08 01 54"
        + " 5d 01 02 03 04 32 02 61 62";
    int omsLength = HEX.parseHex(omsMessage).length;
    byte[] linha = concat(HEX.parseHex("20 07 0a"), new byte[] {(byte) omsLength},
        HEX.parseHex(omsMessage), HEX.parseHex("20 09"));
    byte[] payload = concat(new byte[] {0x1a, (byte) linha.length}, linha);

    assertThat(RowCodec.validate(payload, 0, payload.length, RowType.OMS, "oms")).isEqualTo(1);
    assertThat(decodeAll(payload)).containsExactly(new Row.Oms(5, 0, 0, 0, 0, "ab"));
  }

  @Test
  void decode_lastOneofCaseWins() {
    // linha_oms { num_obitos=5 } then linha_hospital { id_hospital=7 }
    byte[] payload = HEX.parseHex("1a 08 0a 02 08 05 12 02 08 07");

    assertThat(RowCodec.validate(payload, 0, payload.length, RowType.HOSPITAL, "hospital"))
        .isEqualTo(1);
    assertThat(decodeAll(payload))
        .containsExactly(new Row.Hospital(7, "", 0, 0, 0, 0, 0, 0, 0, 0));
  }

  @Test
  void decode_repeatedCaseMergesFields() {
    // linha_oms { num_obitos=5, cep=11 } then linha_oms { populacao=9, num_obitos=6 }
    byte[] payload = HEX.parseHex("1a 0c 0a 04 08 05 18 0b 0a 04 10 09 08 06");

    assertThat(decodeAll(payload)).containsExactly(new Row.Oms(6, 9, 11, 0, 0, ""));
  }

  @Test
  void decode_switchingCaseDropsEarlierFields() {
    // linha_oms { num_obitos=5 }, linha_hospital { id_hospital=7 }, linha_oms { populacao=9 }.
    // The proto3 rule keeps only the last member; protobuf-java 4.33.2 would also keep
    // num_obitos=5 from the first linha_oms, which no real client sends.
    byte[] payload = HEX.parseHex("1a 0c 0a 02 08 05 12 02 08 07 0a 02 10 09");

    assertThat(decodeAll(payload)).containsExactly(new Row.Oms(0, 9, 0, 0, 0, ""));
  }

  @Test
  void decode_negativeInt32FromTenByteVarint() {
    byte[] payload = HEX.parseHex("1a 0d 0a 0b 08 ff ff ff ff ff ff ff ff ff 01");

    assertThat(decodeAll(payload)).containsExactly(new Row.Oms(-1, 0, 0, 0, 0, ""));
  }

  @Test
  void decode_truncatesWideVarintToInt32() {
    // 0x1_0000_0005 as num_obitos reads as 5, as protobuf-java does.
    byte[] payload = HEX.parseHex("1a 08 0a 06 08 85 80 80 80 10");

    assertThat(decodeAll(payload)).containsExactly(new Row.Oms(5, 0, 0, 0, 0, ""));
  }

  @Test
  void decode_lastStringOccurrenceWins() {
    // linha_secretaria { data="a", data="bc" }
    byte[] payload = HEX.parseHex("1a 09 1a 07 32 01 61 32 02 62 63");

    assertThat(decodeAll(payload)).containsExactly(new Row.Secretaria(0, 0, 0, 0, 0, "bc"));
  }

  @Test
  void decode_emptyOneofThrows() {
    byte[] payload = HEX.parseHex("1a 00");

    assertThatThrownBy(() -> decodeAll(payload))
        .isInstanceOf(EtlException.class)
        .hasMessage("row 0 of the payload has no row set (empty oneof Linha.linha); set"
            + " linha_oms, linha_hospital or linha_secretaria");
  }

  @Test
  void decode_allRowTypesKeepFieldOrder() {
    Row.Hospital hospital = new Row.Hospital(1, "d", 2, 3, 4, 5, 6, 7, 8, 9);
    Row.Secretaria secretaria = new Row.Secretaria(1, 2, 3, 4, 5, "e");
    Row.Oms oms = new Row.Oms(1, 2, 3, 4, 5, "f");
    byte[] payload = RowCodec.encode(List.of(hospital, secretaria, oms));

    assertThat(decodeAll(payload)).containsExactly(hospital, secretaria, oms);
  }

  private static void assertInvalid(byte[] payload, RowType type, String source,
      String message) {
    assertThatThrownBy(() -> RowCodec.validate(payload, 0, payload.length, type, source))
        .isInstanceOfSatisfying(EtlException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessage(message);
  }

  private static List<Row> decodeAll(byte[] payload) {
    List<Row> rows = new ArrayList<>();
    RowCodec.decode(payload, 0, payload.length, rows::add);
    return rows;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  static Row randomRow(Random random) {
    return switch (random.nextInt(3)) {
      case 0 -> new Row.Oms(randomInt(random), randomInt(random), randomInt(random),
          randomInt(random), randomInt(random), randomText(random));
      case 1 -> new Row.Hospital(randomInt(random), randomText(random), randomInt(random),
          randomInt(random), randomInt(random), randomInt(random), randomInt(random),
          randomInt(random), randomInt(random), randomInt(random));
      default -> new Row.Secretaria(randomInt(random), randomInt(random), randomInt(random),
          randomInt(random), randomInt(random), randomText(random));
    };
  }

  /** Mostly small values, with zeros, negatives and extremes mixed in. */
  private static int randomInt(Random random) {
    return switch (random.nextInt(6)) {
      case 0 -> 0;
      case 1 -> random.nextInt();
      case 2 -> random.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE;
      case 3 -> -random.nextInt(1000);
      default -> random.nextInt(100_000);
    };
  }

  /** Dates, empty strings, and text with quotes, controls and characters of 2 to 4 bytes. */
  private static String randomText(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> "";
      case 1 -> String.format("%02d-%02d-2026", 1 + random.nextInt(28), 1 + random.nextInt(12));
      case 2 -> "a\"b\\c\n\u0001é€\uD83D\uDE00";
      default -> "x".repeat(random.nextInt(300));
    };
  }
}
