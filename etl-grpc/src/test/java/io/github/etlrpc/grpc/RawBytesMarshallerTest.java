package io.github.etlrpc.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.Linha;
import io.github.etlrpc.grpc.proto.LinhaOMS;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RawBytesMarshallerTest {

  private static final DadosRequest REQUEST = DadosRequest.newBuilder()
      .setOrigem("oms")
      .addDados(Linha.newBuilder().setLinhaOms(LinhaOMS.newBuilder().setCep(11).setData("x")))
      .build();

  @Test
  void parse_drainsProtobufStream() {
    InputStream stream = EtlServiceDescriptors.ENVIAR_DADOS.streamRequest(REQUEST);
    assertThat(stream).isInstanceOf(Drainable.class).isInstanceOf(KnownLength.class);

    byte[] bytes = RawBytesMarshaller.INSTANCE.parse(stream);

    assertThat(bytes).isEqualTo(REQUEST.toByteArray());
  }

  @Test
  void parse_readsKnownLengthStream() {
    byte[] expected = REQUEST.toByteArray();

    byte[] bytes = RawBytesMarshaller.INSTANCE.parse(new KnownLengthStream(expected, 0));

    assertThat(bytes).isEqualTo(expected);
  }

  @Test
  void parse_readsAllWhenLengthIsUnderstated() {
    byte[] expected = REQUEST.toByteArray();

    byte[] bytes = RawBytesMarshaller.INSTANCE.parse(new KnownLengthStream(expected, 3));

    assertThat(bytes).isEqualTo(expected);
  }

  @Test
  void parse_readsPlainStream() {
    byte[] expected = new byte[100_000];
    Arrays.fill(expected, (byte) 7);

    byte[] bytes = RawBytesMarshaller.INSTANCE.parse(new ByteArrayInputStream(expected) {});

    assertThat(bytes).isEqualTo(expected);
  }

  @Test
  void stream_returnsTheBytes() throws IOException {
    byte[] expected = REQUEST.toByteArray();

    assertThat(RawBytesMarshaller.INSTANCE.stream(expected).readAllBytes()).isEqualTo(expected);
  }

  /** A stream that announces {@code understatedBy} fewer bytes than it holds. */
  private static final class KnownLengthStream extends FilterInputStream implements KnownLength {
    private final int understatedBy;

    KnownLengthStream(byte[] bytes, int understatedBy) {
      super(new ByteArrayInputStream(bytes));
      this.understatedBy = understatedBy;
    }

    @Override
    public int available() throws IOException {
      return Math.max(0, super.available() - understatedBy);
    }
  }
}
