package io.github.etlrpc.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
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
