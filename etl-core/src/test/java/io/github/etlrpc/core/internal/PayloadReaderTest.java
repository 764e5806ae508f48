package io.github.etlrpc.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.Row;
import io.github.etlrpc.api.RowType;
import io.github.etlrpc.core.RowCodec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PayloadReaderTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      ''             | true
      41 42 43       | true
      c3 a9          | true
      e2 82 ac       | true
      f0 9f 98 80    | true
      f4 8f bf bf    | true
      ef bf bf       | true
      ed 9f bf       | true
      ee 80 80       | true
      80             | false
      bf             | false
      c0 80          | false
      c1 bf          | false
      c3             | false
      c3 28          | false
      e0 80 80       | false
      e0 9f bf       | false
      ed a0 80       | false
      ed bf bf       | false
      e2 82          | false
      f0 80 80 80    | false
      f0 8f bf bf    | false
      f4 90 80 80    | false
      f5 80 80 80    | false
      ff             | false
      f0 9f 98       | false
      """)
  void isValidUtf8_knownSequences(String hex, boolean valid) {
    byte[] bytes = HexFormat.ofDelimiter(" ").parseHex(hex);

    assertThat(PayloadReader.isValidUtf8(bytes, 0, bytes.length)).isEqualTo(valid);
  }

  @Test
  void isValidUtf8_agreesWithJdkDecoder() {
    Random random = new Random(42);
    byte[] alphabet = HexFormat.of().parseHex("41007f80bfc0c1c2dfe0e1eceded9fa0eef0f4f5ff8f90");
    for (int trial = 0; trial < 200_000; trial++) {
      byte[] bytes = new byte[random.nextInt(7)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = random.nextBoolean()
            ? alphabet[random.nextInt(alphabet.length)]
            : (byte) random.nextInt(256);
      }

      assertThat(PayloadReader.isValidUtf8(bytes, 0, bytes.length))
          .as("bytes %s", HexFormat.of().formatHex(bytes))
          .isEqualTo(jdkAccepts(bytes));
    }
  }

  @Test
  void isValidUtf8_checksOnlyTheRange() {
    byte[] bytes = {(byte) 0xff, 0x41, (byte) 0xc3, (byte) 0xa9, (byte) 0xff};

    assertThat(PayloadReader.isValidUtf8(bytes, 1, 3)).isTrue();
    assertThat(PayloadReader.isValidUtf8(bytes, 1, 2)).isFalse();
  }

  @Test
  void isValidUtf8_longStringsMatchJdk() {
    Random random = new Random(43);
    byte[] alphabet = HexFormat.of().parseHex("80bfc0c1c2dfe0e1eceded9fa0eef0f4f5ff8f90c3a9");
    for (int trial = 0; trial < 100_000; trial++) {
      byte[] bytes = new byte[random.nextInt(41)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = random.nextInt(12) == 0
            ? alphabet[random.nextInt(alphabet.length)]
            : (byte) random.nextInt(0x80);
      }
      int offset = random.nextInt(9);
      byte[] framed = new byte[offset + bytes.length + 9];
      Arrays.fill(framed, (byte) 0xff);
      System.arraycopy(bytes, 0, framed, offset, bytes.length);

      assertThat(PayloadReader.isValidUtf8(framed, offset, bytes.length))
          .as("bytes %s", HexFormat.of().formatHex(bytes))
          .isEqualTo(jdkAccepts(bytes));
    }
  }

  @Test
  void isValidUtf8_nonAsciiAfterAsciiWords() {
    byte[] bytes = "0123456789abcdefé".getBytes(StandardCharsets.UTF_8);

    assertThat(PayloadReader.isValidUtf8(bytes, 0, bytes.length)).isTrue();
    assertThat(PayloadReader.isValidUtf8(bytes, 0, bytes.length - 1)).isFalse();
    bytes[3] = (byte) 0x80;
    assertThat(PayloadReader.isValidUtf8(bytes, 0, bytes.length)).isFalse();
  }

  @Test
  void ofValidated_readsStringWithoutUtf8Check() {
    byte[] payload = RowCodec.encode(List.of(new Row.Oms(1, 2, 3, 4, 5, "ab")));
    payload[payload.length - 1] = (byte) 0xff;

    assertThatThrownBy(() -> new PayloadReader(payload, 0, payload.length, "the oms batch").next())
        .isInstanceOf(EtlException.class)
        .hasMessageContaining("row 0 of the oms batch is malformed: linha_oms field 6 (data) is"
            + " not valid UTF-8");
    PayloadReader reader = PayloadReader.ofValidated(payload, 0, payload.length, "the oms batch");
    assertThat(reader.next()).isTrue();
    assertThat(reader.rowType()).isEqualTo(RowType.OMS);
    assertThat(reader.intField(5)).isEqualTo(5);
    assertThat(reader.buffer()[reader.stringOffset()]).isEqualTo((byte) 'a');
    assertThat(reader.buffer()[reader.stringOffset() + 1]).isEqualTo((byte) 0xff);
    assertThat(reader.next()).isFalse();
  }

  @Test
  void ofValidated_stillRejectsMalformedBytes() {
    byte[] payload = RowCodec.encode(List.of(new Row.Oms(1, 2, 3, 4, 5, "ab")));

    PayloadReader reader =
        PayloadReader.ofValidated(payload, 0, payload.length - 1, "the oms batch");

    assertThatThrownBy(reader::next)
        .isInstanceOf(EtlException.class)
        .hasMessageContaining("row 0 of the oms batch is malformed: length ");
  }

  @Test
  void intField_absentFieldReadsZero() {
    byte[] payload = RowCodec.encode(List.of(
        new Row.Hospital(1, "x", 3, 4, 5, 6, 7, 8, 9, 10),
        new Row.Hospital(0, "", 0, 0, 0, 0, 0, 0, 0, 0),
        new Row.Hospital(1, "x", 3, 4, 5, 6, 7, 8, 9, 10),
        new Row.Oms(0, 0, 0, 0, 0, "")));
    PayloadReader reader = new PayloadReader(payload, 0, payload.length, "the payload");

    assertThat(reader.next()).isTrue();
    assertThat(reader.intField(10)).isEqualTo(10);
    assertThat(reader.next()).isTrue();
    for (int field = 1; field <= 10; field++) {
      assertThat(reader.intField(field)).as("field %d", field).isZero();
    }
    assertThat(reader.stringLength()).isZero();
    assertThat(reader.next()).isTrue();
    assertThat(reader.next()).isTrue();
    assertThat(reader.rowType()).isEqualTo(RowType.OMS);
    for (int field = 1; field <= 10; field++) {
      assertThat(reader.intField(field)).as("field %d", field).isZero();
    }
  }

  private static boolean jdkAccepts(byte[] bytes) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      decoder.decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
