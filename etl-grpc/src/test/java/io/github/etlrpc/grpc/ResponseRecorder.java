package io.github.etlrpc.grpc;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Response observer that keeps every message and completes a future when the call ends. */
final class ResponseRecorder<T> implements StreamObserver<T> {
  final List<T> messages = new CopyOnWriteArrayList<>();
  /** Completes with OK or with the status the call failed with. */
  final CompletableFuture<Status> closed = new CompletableFuture<>();

  @Override
  public void onNext(T value) {
    messages.add(value);
  }

  @Override
  public void onError(Throwable error) {
    closed.complete(Status.fromThrowable(error));
  }

  @Override
  public void onCompleted() {
    closed.complete(Status.OK);
  }

  /** Waits up to 30 seconds for the call to end and returns its status. */
  Status awaitClose() throws InterruptedException, ExecutionException, TimeoutException {
    return closed.get(30, TimeUnit.SECONDS);
  }
}
