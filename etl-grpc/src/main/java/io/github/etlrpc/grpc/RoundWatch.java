package io.github.etlrpc.grpc;

import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundListener;
import io.github.etlrpc.grpc.proto.EstadoRodada;
import io.github.etlrpc.grpc.proto.Rodada;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AcompanharRodadas call: an engine subscription whose changes are queued and sent as the
 * client's flow control allows. A {@link RoundListener} must not block the engine thread that
 * calls it, so this one only queues messages and hands them to grpc, which buffers without
 * waiting. A client that stops reading therefore makes the queue grow. Past the buffer limit the
 * call ends with RESOURCE_EXHAUSTED and the subscription is closed. A watch of one round ends
 * normally once that round is CONCLUIDA, the only state no operator can leave.
 *
 * <p>Every step that touches the queue or the response observer runs in a
 * {@link SynchronizationContext}, which runs tasks one at a time without blocking the thread that
 * submits them.
 */
final class RoundWatch implements RoundListener {
  private static final Logger log = LoggerFactory.getLogger(RoundWatch.class);
  /** Stands for a subscription that was closed before or while the engine returned it. */
  private static final AutoCloseable CLOSED = () -> {};

  private final String roundId;
  private final int bufferLimit;
  private final ServerCallStreamObserver<Rodada> observer;
  private final Set<RoundWatch> registry;
  private final SynchronizationContext serializer;
  private final ArrayDeque<Rodada> queue = new ArrayDeque<>();
  private final AtomicReference<AutoCloseable> subscription = new AtomicReference<>();
  private boolean ended;

  private RoundWatch(String roundId, int bufferLimit, ServerCallStreamObserver<Rodada> observer,
      Set<RoundWatch> registry) {
    this.roundId = roundId;
    this.bufferLimit = bufferLimit;
    this.observer = observer;
    this.registry = registry;
    this.serializer = new SynchronizationContext((thread, error) ->
        log.error("Watch of round '{}' failed while sending an update", roundId, error));
  }

  /**
   * Subscribes to {@code roundId} (empty for every round) and streams to {@code response}. The
   * watch stays in {@code registry} while it is open.
   */
  static void start(EtlEngine engine, String roundId, int bufferLimit,
      StreamObserver<Rodada> response, Set<RoundWatch> registry) {
    ServerCallStreamObserver<Rodada> observer = (ServerCallStreamObserver<Rodada>) response;
    RoundWatch watch = new RoundWatch(roundId, bufferLimit, observer, registry);
    // Both handlers must be set before this method returns, as grpc requires.
    observer.setOnCancelHandler(watch::onCancel);
    observer.setOnReadyHandler(() -> watch.serializer.execute(watch::drain));
    registry.add(watch);
    try {
      watch.attach(engine.watch(roundId, watch));
    } catch (RuntimeException e) {
      watch.unsubscribe();
      throw e;
    }
    log.debug("Watch of round '{}' started", roundId);
  }

  @Override
  public void onRoundChanged(RoundInfo round) {
    Rodada message = RoundMessages.toRodada(round);
    serializer.execute(() -> enqueue(message));
  }

  /** Ends the call with {@code status} and closes the subscription. */
  void close(Status status) {
    serializer.execute(() -> {
      if (!ended) {
        finish();
        observer.onError(status.asRuntimeException());
      }
    });
  }

  private void enqueue(Rodada message) {
    if (ended) {
      return;
    }
    queue.add(message);
    if (queue.size() > bufferLimit) {
      int behind = queue.size();
      finish();
      log.info("Watch of round '{}' dropped: the client fell {} messages behind (limit {})",
          roundId, behind, bufferLimit);
      observer.onError(Status.RESOURCE_EXHAUSTED
          .withDescription("Watcher fell behind by " + behind + " messages; read faster or"
              + " watch one round")
          .asRuntimeException());
      return;
    }
    drain();
  }

  private void drain() {
    while (!ended && !queue.isEmpty() && observer.isReady()) {
      Rodada message = queue.poll();
      observer.onNext(message);
      if (!roundId.isEmpty() && message.getEstado() == EstadoRodada.CONCLUIDA) {
        finish();
        observer.onCompleted();
        log.debug("Watch of round '{}' completed: the round is CONCLUIDA", roundId);
      }
    }
  }

  private void onCancel() {
    serializer.execute(() -> {
      if (!ended) {
        log.debug("Watch of round '{}' cancelled by the client", roundId);
        finish();
      }
    });
  }

  private void finish() {
    ended = true;
    queue.clear();
    unsubscribe();
  }

  private void attach(AutoCloseable handle) {
    if (!subscription.compareAndSet(null, handle)) {
      closeQuietly(handle);
    }
  }

  private void unsubscribe() {
    registry.remove(this);
    AutoCloseable handle = subscription.getAndSet(CLOSED);
    if (handle != null) {
      closeQuietly(handle);
    }
  }

  private void closeQuietly(AutoCloseable handle) {
    try {
      handle.close();
    } catch (Exception e) {
      log.warn("Closing the engine subscription of the watch of round '{}' failed", roundId, e);
    }
  }
}
