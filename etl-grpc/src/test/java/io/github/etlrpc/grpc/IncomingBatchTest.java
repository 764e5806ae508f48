package io.github.etlrpc.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.github.etlrpc.api.Batch;
import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.Linha;
import io.github.etlrpc.grpc.proto.LinhaHospital;
import io.github.etlrpc.grpc.proto.LinhaOMS;
import io.github.etlrpc.grpc.proto.LinhaSecretaria;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncomingBatchTest {

  private static final List<Linha> ROWS = List.of(
      Linha.newBuilder().setLinhaOms(LinhaOMS.newBuilder().setNumObitos(3).setPopulacao(4000)
          .setCep(11).setNumRecuperados(2).setNumVacinados(900).setData("01-12-2026")).build(),
      Linha.newBuilder().setLinhaHospital(LinhaHospital.newBuilder().setIdHospital(1)
          .setData("02-12-2026").setInternado(1).setIdade(40).setCep(12003).setSintoma2(1))
          .build(),
      Linha.newBuilder().setLinhaSecretaria(LinhaSecretaria.newBuilder().setDiagnostico(1)
          .setCep(30005).setEscolaridade(2).setPopulacao(700).setData("03-12-2026")).build());

  @Test
  void parse_readsHeaderFields() {
    byte[] message = DadosRequest.newBuilder()
        .setOrigem("Hospital")
        .setNomeArquivo("hospital_1.csv")
        .setRodada("week-48")
        .setIdEnvio("send-7")
        .addAllDados(ROWS)
        .build()
        .toByteArray();

    IncomingBatch batch = IncomingBatch.parse(message);

    assertThat(batch.origin()).isEqualTo("Hospital");
    assertThat(batch.fileName()).isEqualTo("hospital_1.csv");
    assertThat(batch.roundKey()).isEqualTo("week-48");
    assertThat(batch.sendId()).isEqualTo("send-7");
    assertThat(batch.rowCount()).isEqualTo(3);
  }

  @Test
  void parse_contiguousRowsAreSliceOfMessage() {
    byte[] message = DadosRequest.newBuilder()
        .setOrigem("oms")
        .setNomeArquivo("oms.csv")
        .addAllDados(ROWS)
        .setRodada("r")
        .build()
        .toByteArray();
    byte[] expectedPayload = DadosRequest.newBuilder().addAllDados(ROWS).build().toByteArray();

    IncomingBatch incoming = IncomingBatch.parse(message);
    Batch batch = incoming.toBatch();

    assertThat(incoming.payloadArray()).isSameAs(message);
    assertThat(payloadOf(batch)).isEqualTo(expectedPayload);
    assertThat(batch.origin()).isEqualTo("oms");
    assertThat(batch.roundKey()).isEqualTo("r");
  }

  @Test
  void parse_interleavedRowsAreCopiedInOrder() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeMessage(3, ROWS.get(0));
    out.writeString(1, "secretaria");
    out.writeMessage(3, ROWS.get(1));
    out.writeUInt64(9, 12345);
    out.writeMessage(3, ROWS.get(2));
    out.flush();
    byte[] expectedPayload = DadosRequest.newBuilder().addAllDados(ROWS).build().toByteArray();

    IncomingBatch incoming = IncomingBatch.parse(bytes.toByteArray());

    assertThat(incoming.rowCount()).isEqualTo(3);
    assertThat(incoming.origin()).isEqualTo("secretaria");
    assertThat(payloadOf(incoming.toBatch())).isEqualTo(expectedPayload);
  }

  @Test
  void parse_skipsUnknownFieldsOfEveryWireType() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(1, "oms");
    out.writeFixed64(10, 7L);
    out.writeFixed32(11, 7);
    out.writeBytes(12, ByteString.copyFromUtf8("ignored"));
    out.writeMessage(3, ROWS.get(0));
    out.writeMessage(3, ROWS.get(0));
    // A known field with the wrong wire type is an unknown field to protobuf parsers.
    out.writeUInt32(4, 99);
    out.flush();

    IncomingBatch incoming = IncomingBatch.parse(bytes.toByteArray());

    assertThat(incoming.origin()).isEqualTo("oms");
    assertThat(incoming.roundKey()).isEmpty();
    assertThat(incoming.rowCount()).isEqualTo(2);
    assertThat(payloadOf(incoming.toBatch())).isEqualTo(
        DadosRequest.newBuilder().addDados(ROWS.get(0)).addDados(ROWS.get(0)).build()
            .toByteArray());
  }

  @Test
  void parse_repeatedHeaderFieldKeepsLastValue() throws IOException {
    byte[] first = DadosRequest.newBuilder().setOrigem("oms").build().toByteArray();
    byte[] second = DadosRequest.newBuilder().setOrigem("hospital").build().toByteArray();
    byte[] message = concat(first, second);

    assertThat(IncomingBatch.parse(message).origin())
        .isEqualTo(DadosRequest.newBuilder().mergeFrom(first).mergeFrom(second).getOrigem())
        .isEqualTo("hospital");
  }

  @Test
  void parse_longTagIsWrittenInOneByte() {
    byte[] body = ROWS.get(0).toByteArray();
    // Tag 26 as a two-byte varint, which decoders accept although encoders never write it.
    byte[] message = new byte[3 + body.length];
    message[0] = (byte) 0x9A;
    message[1] = 0x00;
    message[2] = (byte) body.length;
    System.arraycopy(body, 0, message, 3, body.length);

    IncomingBatch incoming = IncomingBatch.parse(message);

    assertThat(incoming.rowCount()).isEqualTo(1);
    assertThat(payloadOf(incoming.toBatch()))
        .isEqualTo(DadosRequest.newBuilder().addDados(ROWS.get(0)).build().toByteArray());
  }

  @Test
  void parse_emptyMessageHasNoRows() {
    IncomingBatch incoming = IncomingBatch.parse(new byte[0]);

    assertThat(incoming.origin()).isEmpty();
    assertThat(incoming.rowCount()).isZero();
    assertThat(incoming.toBatch().payloadLength()).isZero();
  }

  @Test
  void parse_truncatedMessageIsInvalidArgument() {
    byte[] message = DadosRequest.newBuilder().setOrigem("oms").addAllDados(ROWS).build()
        .toByteArray();
    byte[] truncated = Arrays.copyOf(message, message.length - 4);

    assertMalformed(truncated);
  }

  @Test
  void parse_invalidUtf8OriginIsInvalidArgument() {
    byte[] message = {0x0A, 0x02, (byte) 0xC3, 0x28};

    assertMalformed(message);
  }

  @Test
  void parse_endGroupTagIsInvalidArgument() {
    byte[] message = {0x0C};

    assertMalformed(message);
  }

  @Test
  void parse_fieldNumberZeroIsInvalidArgument() {
    byte[] message = {0x02, 0x00};

    assertMalformed(message);
  }

  @Test
  void parse_rowLengthPastEndIsInvalidArgument() {
    byte[] message = {0x1A, 0x7F, 0x0A, 0x00};

    assertMalformed(message);
  }

  private static void assertMalformed(byte[] message) {
    assertThatThrownBy(() -> IncomingBatch.parse(message))
        .isInstanceOfSatisfying(EtlException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessageStartingWith("Malformed DadosRequest of " + message.length + " bytes");
  }

  static byte[] payloadOf(Batch batch) {
    return Arrays.copyOfRange(batch.payloadArray(), batch.payloadOffset(),
        batch.payloadOffset() + batch.payloadLength());
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] joined = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, joined, first.length, second.length);
    return joined;
  }
}
