package io.github.etlrpc.grpc;

import com.google.protobuf.Descriptors;
import io.github.etlrpc.grpc.proto.ConsultaRodada;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.github.etlrpc.grpc.proto.EtlProto;
import io.github.etlrpc.grpc.proto.Rodada;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoFileDescriptorSupplier;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.AbstractAsyncStub;
import io.grpc.stub.AbstractBlockingStub;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;

/**
 * Method descriptors, service descriptor and client stubs of {@code etl.ETLService}, written by
 * hand in place of the output of protoc-gen-grpc-java. The public descriptors use the standard
 * protobuf marshallers. The service adapter binds a second set, with the same method names, whose
 * requests arrive as raw bytes: batch rows are then never decoded into {@code Linha} objects, and
 * a malformed request is rejected by the handler with INVALID_ARGUMENT.
 */
public final class EtlServiceDescriptors {

  /** Full name of the service, fixed by the wire contract. */
  public static final String SERVICE_NAME = "etl.ETLService";

  /** {@code EnviarDados}: one batch in one message. */
  public static final MethodDescriptor<DadosRequest, DadosResponse> ENVIAR_DADOS =
      method(MethodType.UNARY, "EnviarDados", marshaller(DadosRequest.getDefaultInstance()),
          marshaller(DadosResponse.getDefaultInstance()));

  /** {@code EnviarDadosStream}: one batch in several messages, accepted on half-close. */
  public static final MethodDescriptor<DadosRequest, DadosResponse> ENVIAR_DADOS_STREAM =
      method(MethodType.CLIENT_STREAMING, "EnviarDadosStream",
          marshaller(DadosRequest.getDefaultInstance()),
          marshaller(DadosResponse.getDefaultInstance()));

  /** {@code ConsultarRodada}: the state of one round. */
  public static final MethodDescriptor<ConsultaRodada, Rodada> CONSULTAR_RODADA =
      method(MethodType.UNARY, "ConsultarRodada", marshaller(ConsultaRodada.getDefaultInstance()),
          marshaller(Rodada.getDefaultInstance()));

  /** {@code AcompanharRodadas}: current states of matching rounds, then every change. */
  public static final MethodDescriptor<ConsultaRodada, Rodada> ACOMPANHAR_RODADAS =
      method(MethodType.SERVER_STREAMING, "AcompanharRodadas",
          marshaller(ConsultaRodada.getDefaultInstance()),
          marshaller(Rodada.getDefaultInstance()));

  private static final ServiceDescriptor SERVICE =
      ServiceDescriptor.newBuilder(SERVICE_NAME)
          .setSchemaDescriptor(new ServiceSchema())
          .addMethod(ENVIAR_DADOS)
          .addMethod(ENVIAR_DADOS_STREAM)
          .addMethod(CONSULTAR_RODADA)
          .addMethod(ACOMPANHAR_RODADAS)
          .build();

  /** Server-side {@code EnviarDados} whose request is the undecoded message. */
  static final MethodDescriptor<byte[], DadosResponse> ENVIAR_DADOS_RAW =
      ENVIAR_DADOS.toBuilder(RawBytesMarshaller.INSTANCE, ENVIAR_DADOS.getResponseMarshaller())
          .build();

  /** Server-side {@code EnviarDadosStream} whose requests are the undecoded messages. */
  static final MethodDescriptor<byte[], DadosResponse> ENVIAR_DADOS_STREAM_RAW =
      ENVIAR_DADOS_STREAM.toBuilder(RawBytesMarshaller.INSTANCE,
          ENVIAR_DADOS_STREAM.getResponseMarshaller()).build();

  /** Server-side {@code ConsultarRodada} whose request is the undecoded message. */
  static final MethodDescriptor<byte[], Rodada> CONSULTAR_RODADA_RAW =
      CONSULTAR_RODADA.toBuilder(RawBytesMarshaller.INSTANCE,
          CONSULTAR_RODADA.getResponseMarshaller()).build();

  /** Server-side {@code AcompanharRodadas} whose request is the undecoded message. */
  static final MethodDescriptor<byte[], Rodada> ACOMPANHAR_RODADAS_RAW =
      ACOMPANHAR_RODADAS.toBuilder(RawBytesMarshaller.INSTANCE,
          ACOMPANHAR_RODADAS.getResponseMarshaller()).build();

  /**
   * Service descriptor that the adapter binds. A bound definition must use the very descriptor
   * instances of its service descriptor, so the raw-request methods need their own.
   */
  static final ServiceDescriptor SERVER_SERVICE =
      ServiceDescriptor.newBuilder(SERVICE_NAME)
          .setSchemaDescriptor(new ServiceSchema())
          .addMethod(ENVIAR_DADOS_RAW)
          .addMethod(ENVIAR_DADOS_STREAM_RAW)
          .addMethod(CONSULTAR_RODADA_RAW)
          .addMethod(ACOMPANHAR_RODADAS_RAW)
          .build();

  private EtlServiceDescriptors() {}

  /** Returns the service descriptor; its schema descriptor lets server reflection list it. */
  public static ServiceDescriptor serviceDescriptor() {
    return SERVICE;
  }

  /** Creates a blocking stub on {@code channel}. */
  public static BlockingStub newBlockingStub(Channel channel) {
    return AbstractBlockingStub.newStub(BlockingStub::new, channel);
  }

  /** Creates an asynchronous stub on {@code channel}. */
  public static AsyncStub newStub(Channel channel) {
    return AbstractAsyncStub.newStub(AsyncStub::new, channel);
  }

  private static <T extends com.google.protobuf.Message> Marshaller<T> marshaller(T prototype) {
    return ProtoUtils.marshaller(prototype);
  }

  private static <ReqT, RespT> MethodDescriptor<ReqT, RespT> method(MethodType type, String name,
      Marshaller<ReqT> requestMarshaller, Marshaller<RespT> responseMarshaller) {
    return MethodDescriptor.<ReqT, RespT>newBuilder()
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE_NAME, name))
        .setSampledToLocalTracing(true)
        .setRequestMarshaller(requestMarshaller)
        .setResponseMarshaller(responseMarshaller)
        .setSchemaDescriptor(new MethodSchema(name))
        .build();
  }

  /** Blocking client stub: each method waits for the server's response. */
  public static final class BlockingStub extends AbstractBlockingStub<BlockingStub> {
    private BlockingStub(Channel channel, CallOptions callOptions) {
      super(channel, callOptions);
    }

    @Override
    protected BlockingStub build(Channel channel, CallOptions callOptions) {
      return new BlockingStub(channel, callOptions);
    }

    /** Sends one batch. */
    public DadosResponse enviarDados(DadosRequest request) {
      return ClientCalls.blockingUnaryCall(getChannel(), ENVIAR_DADOS, getCallOptions(), request);
    }

    /** Returns one round. */
    public Rodada consultarRodada(ConsultaRodada request) {
      return ClientCalls.blockingUnaryCall(getChannel(), CONSULTAR_RODADA, getCallOptions(),
          request);
    }

    /**
     * Streams round states. The call stays open until the server ends it, the deadline passes or
     * the call's context is cancelled.
     */
    public Iterator<Rodada> acompanharRodadas(ConsultaRodada request) {
      return ClientCalls.blockingServerStreamingCall(getChannel(), ACOMPANHAR_RODADAS,
          getCallOptions(), request);
    }
  }

  /** Asynchronous client stub: responses arrive on a {@link StreamObserver}. */
  public static final class AsyncStub extends AbstractAsyncStub<AsyncStub> {
    private AsyncStub(Channel channel, CallOptions callOptions) {
      super(channel, callOptions);
    }

    @Override
    protected AsyncStub build(Channel channel, CallOptions callOptions) {
      return new AsyncStub(channel, callOptions);
    }

    /** Sends one batch. */
    public void enviarDados(DadosRequest request, StreamObserver<DadosResponse> responses) {
      ClientCalls.asyncUnaryCall(getChannel().newCall(ENVIAR_DADOS, getCallOptions()), request,
          responses);
    }

    /**
     * Starts a chunked send. Write the chunks to the returned observer and call
     * {@code onCompleted()} on it to submit the batch.
     */
    public StreamObserver<DadosRequest> enviarDadosStream(StreamObserver<DadosResponse> response) {
      return ClientCalls.asyncClientStreamingCall(
          getChannel().newCall(ENVIAR_DADOS_STREAM, getCallOptions()), response);
    }

    /** Fetches one round. */
    public void consultarRodada(ConsultaRodada request, StreamObserver<Rodada> response) {
      ClientCalls.asyncUnaryCall(getChannel().newCall(CONSULTAR_RODADA, getCallOptions()),
          request, response);
    }

    /** Streams round states to {@code responses}. */
    public void acompanharRodadas(ConsultaRodada request, StreamObserver<Rodada> responses) {
      ClientCalls.asyncServerStreamingCall(
          getChannel().newCall(ACOMPANHAR_RODADAS, getCallOptions()), request, responses);
    }
  }

  /** Schema of the service, read by server reflection. */
  private static class ServiceSchema
      implements ProtoFileDescriptorSupplier, ProtoServiceDescriptorSupplier {
    @Override
    public Descriptors.FileDescriptor getFileDescriptor() {
      return EtlProto.getDescriptor();
    }

    @Override
    public Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("ETLService");
    }
  }

  /** Schema of one method. */
  private static final class MethodSchema extends ServiceSchema
      implements ProtoMethodDescriptorSupplier {
    private final String methodName;

    MethodSchema(String methodName) {
      this.methodName = methodName;
    }

    @Override
    public Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }
}
