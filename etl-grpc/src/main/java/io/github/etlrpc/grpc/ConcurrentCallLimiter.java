package io.github.etlrpc.grpc;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Caps the calls in progress across all connections. A call that finds every permit taken is
 * closed at once with RESOURCE_EXHAUSTED; a permit is released when the call completes or is
 * cancelled. Streaming calls hold their permit for as long as they stay open.
 */
final class ConcurrentCallLimiter implements ServerInterceptor {
  private final int maxCalls;
  private final Semaphore permits;

  ConcurrentCallLimiter(int maxCalls) {
    this.maxCalls = maxCalls;
    this.permits = new Semaphore(maxCalls);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
      Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (!permits.tryAcquire()) {
      call.close(Status.RESOURCE_EXHAUSTED.withDescription(
          "Server is at its limit of " + maxCalls + " concurrent calls; retry later"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        permits.release();
      }
    };
    ServerCall.Listener<ReqT> delegate;
    try {
      delegate = next.startCall(call, headers);
    } catch (RuntimeException | Error e) {
      release.run();
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onComplete() {
        release.run();
        super.onComplete();
      }

      @Override
      public void onCancel() {
        release.run();
        super.onCancel();
      }
    };
  }
}
