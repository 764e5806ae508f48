package io.github.etlrpc.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * Counts calls that the server closes with a status other than OK, in the counter
 * {@value #METRIC_NAME} tagged {@code method} (the bare method name, such as
 * {@code EnviarDados}) and {@code reason} (the status code, such as {@code INVALID_ARGUMENT}).
 * Calls the client cancels are not counted, because the server never closes them. Install it
 * outermost so that it also counts what other interceptors reject. Thread-safe.
 */
public final class RejectedCallsInterceptor implements ServerInterceptor {
  /** Name of the counter. Prometheus shows it as {@code etl_grpc_calls_rejected_total}. */
  public static final String METRIC_NAME = "etl.grpc.calls.rejected";

  private final MeterRegistry registry;

  /** Creates an interceptor that registers its counters in {@code registry}. */
  public RejectedCallsInterceptor(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
      Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    ServerCall<ReqT, RespT> counting = new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        if (!status.isOk()) {
          Counter.builder(METRIC_NAME)
              .description("Calls closed with a status other than OK")
              .tag("method", method == null ? "unknown" : method)
              .tag("reason", status.getCode().name())
              .register(registry)
              .increment();
        }
        super.close(status, trailers);
      }
    };
    return next.startCall(counting, headers);
  }
}
