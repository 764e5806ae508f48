package io.github.etlrpc.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import io.github.etlrpc.grpc.EtlServiceDescriptors;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.grpc.BindableService;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * Baseline {@code etl.ETLService/EnviarDados}: parses the whole {@code DadosRequest} with the
 * generated protobuf code, every {@code Linha} included, and acknowledges it with the same
 * {@code mensagem} first sentence and {@code registros} as the real service. It stores nothing,
 * validates nothing and keeps no rounds, so the difference to {@code EtlGrpcService} is the cost
 * of the engine. Other methods of the service are not bound and return UNIMPLEMENTED.
 *
 * <p>The request arrives as bytes and is parsed in the handler, as the real service does, so that
 * both copy the message once out of the transport and malformed bytes give INVALID_ARGUMENT.
 * Thread-safe.
 */
public final class BareEtlService implements BindableService {

  private static final MethodDescriptor<byte[], DadosResponse> ENVIAR_DADOS_BYTES =
      EtlServiceDescriptors.ENVIAR_DADOS.toBuilder(new BytesMarshaller(),
          EtlServiceDescriptors.ENVIAR_DADOS.getResponseMarshaller()).build();

  private static final ServiceDescriptor SERVICE =
      ServiceDescriptor.newBuilder(EtlServiceDescriptors.SERVICE_NAME)
          .addMethod(ENVIAR_DADOS_BYTES)
          .build();

  @Override
  public ServerServiceDefinition bindService() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(ENVIAR_DADOS_BYTES, ServerCalls.asyncUnaryCall(this::enviarDados))
        .build();
  }

  private void enviarDados(byte[] message, StreamObserver<DadosResponse> response) {
    DadosRequest request;
    try {
      request = DadosRequest.parseFrom(message);
    } catch (InvalidProtocolBufferException e) {
      response.onError(Status.INVALID_ARGUMENT
          .withDescription("DadosRequest of " + message.length + " bytes is malformed: "
              + e.getMessage())
          .asRuntimeException());
      return;
    }
    int rows = request.getDadosCount();
    String source = request.getOrigem().trim().toLowerCase(Locale.ROOT);
    response.onNext(DadosResponse.newBuilder()
        .setMensagem("Recebido " + rows + " registros do tipo " + source + ".")
        .setRegistros(rows)
        .build());
    response.onCompleted();
  }

  /** Marshaller that reads a message into one array without decoding it. */
  static final class BytesMarshaller implements Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try (stream) {
        if (stream instanceof KnownLength) {
          // grpc's message streams know their size, so one exact array is enough.
          byte[] bytes = new byte[stream.available()];
          int read = stream.readNBytes(bytes, 0, bytes.length);
          if (read == bytes.length && stream.read() == -1) {
            return bytes;
          }
          throw new IOException("stream announced " + bytes.length + " bytes but held "
              + (read < bytes.length ? read : "more"));
        }
        return stream.readAllBytes();
      } catch (IOException e) {
        throw Status.INTERNAL.withDescription("Cannot read the request message: " + e)
            .withCause(e).asRuntimeException();
      }
    }
  }
}
