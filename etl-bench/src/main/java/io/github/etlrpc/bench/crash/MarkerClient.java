package io.github.etlrpc.bench.crash;

import io.github.etlrpc.grpc.EtlServiceDescriptors;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.github.etlrpc.grpc.proto.EstadoRodada;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated source for the crash harness. It sends batches of 50 to 500 marker rows over its
 * own loopback channel, rotating through oms, secretaria and hospital, each batch with its own
 * {@code id_envio}. A batch counts as acknowledged only on an OK response. When a call fails
 * because the server died or restarts, the client waits for the server and sends the same
 * request, with the same {@code id_envio}, until it is acknowledged; the server then reports
 * {@code duplicado} if an earlier send had already stored it. Now and then it also repeats an
 * acknowledged batch on purpose and checks that the response has {@code duplicado} set and
 * names the same round.
 *
 * <p>{@link #run} runs on one thread; the other methods may be called from any thread.
 */
final class MarkerClient implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(MarkerClient.class);
  private static final int MIN_ROWS = 50;
  private static final int MAX_ROWS = 500;
  /** Chance that an acknowledged batch is sent once more to check duplicate detection. */
  private static final double REPEAT_CHANCE = 0.03;
  private static final Set<Status.Code> RETRYABLE = EnumSet.of(Status.Code.UNAVAILABLE,
      Status.Code.DEADLINE_EXCEEDED, Status.Code.CANCELLED, Status.Code.UNKNOWN,
      Status.Code.INTERNAL, Status.Code.RESOURCE_EXHAUSTED, Status.Code.ABORTED);
  /** Sends of one batch after which the client gives up and reports the last status. */
  private static final int MAX_SENDS_PER_BATCH = 200;
  private static final MarkerSource[] ROTATION =
      {MarkerSource.OMS, MarkerSource.SECRETARIA, MarkerSource.HOSPITAL};

  /** Receives the acknowledgements the harness times its kills by. Called on client threads. */
  interface Listener {
    /**
     * A send was acknowledged. {@code state} is the round's state right after it: FECHADA
     * without {@code duplicate} means this batch completed the round.
     */
    void acknowledged(String roundId, EstadoRodada state, boolean duplicate);
  }

  private final int index;
  private final AtomicInteger markerCounter;
  private final Listener listener;
  private final Random random;
  private final Duration callTimeout;
  private final int maxPauseMs;
  private final ManagedChannel channel;
  private final EtlServiceDescriptors.BlockingStub stub;

  private volatile boolean stopRequested;
  private volatile boolean abortRequested;
  private final List<SentBatch> batches = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();
  private final Map<Status.Code, Integer> retriesByCode = new EnumMap<>(Status.Code.class);
  private int repeatChecks;

  /**
   * @param index client number, also the first source of its rotation
   * @param port loopback port of the server
   * @param markerCounter counter shared by all clients, holding the next unused marker
   * @param seed seed of this client's batch sizes, pauses and repeats
   * @param callTimeout deadline of one call, including the wait for a restarting server
   * @param maxPauseMs longest pause between two sends; the pause is uniform from 0
   */
  MarkerClient(int index, int port, AtomicInteger markerCounter, Listener listener, long seed,
      Duration callTimeout, int maxPauseMs) {
    this.index = index;
    this.markerCounter = markerCounter;
    this.listener = listener;
    this.random = new Random(seed);
    this.callTimeout = callTimeout;
    this.maxPauseMs = maxPauseMs;
    this.channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port,
        InsecureChannelCredentials.create()).build();
    this.stub = EtlServiceDescriptors.newBlockingStub(channel);
  }

  @Override
  public void run() {
    int batchNumber = 0;
    try {
      while (!stopRequested && !abortRequested) {
        MarkerSource source = ROTATION[(index + batchNumber) % ROTATION.length];
        SentBatch sent = sendNewBatch(source, batchNumber);
        synchronized (this) {
          batches.add(sent);
        }
        batchNumber++;
        if (!sent.acknowledged()) {
          return;
        }
        pause();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      recordFailure("client " + index + " interrupted");
    } catch (RuntimeException e) {
      log.error("Client {} failed", index, e);
      recordFailure("client " + index + " failed: " + e);
    }
  }

  private SentBatch sendNewBatch(MarkerSource source, int batchNumber)
      throws InterruptedException {
    int rows = MIN_ROWS + random.nextInt(MAX_ROWS - MIN_ROWS + 1);
    int firstMarker = markerCounter.getAndAdd(rows);
    String sendId = "client-" + index + "-batch-" + batchNumber;
    DadosRequest.Builder request = DadosRequest.newBuilder()
        .setOrigem(source.origin(random.nextInt(3)))
        .setNomeArquivo(source.source() + "-" + index + "-" + batchNumber + ".csv")
        .setIdEnvio(sendId);
    for (int marker = firstMarker; marker < firstMarker + rows; marker++) {
      request.addDados(source.row(marker));
    }
    DadosRequest built = request.build();

    int[] sends = {0};
    DadosResponse response = sendUntilAcknowledged(built, sends);
    if (response == null) {
      return new SentBatch(index, sendId, source, firstMarker, rows, "", false, sends[0]);
    }
    checkResponse(response, sendId, rows, null);
    listener.acknowledged(response.getRodadaId(), response.getEstado(), response.getDuplicado());
    if (random.nextDouble() < REPEAT_CHANCE) {
      repeat(built, response);
    }
    return new SentBatch(index, sendId, source, firstMarker, rows, response.getRodadaId(),
        response.getDuplicado(), sends[0]);
  }

  /** Sends an acknowledged batch again; the server must store nothing and name the round. */
  private void repeat(DadosRequest request, DadosResponse first) throws InterruptedException {
    int[] sends = {0};
    DadosResponse again = sendUntilAcknowledged(request, sends);
    if (again == null) {
      return;
    }
    synchronized (this) {
      repeatChecks++;
    }
    if (!again.getDuplicado()) {
      recordFailure("client " + index + " repeated acknowledged send " + request.getIdEnvio()
          + " and the response has duplicado=false, so it may be stored twice");
    }
    checkResponse(again, request.getIdEnvio(), request.getDadosCount(), first.getRodadaId());
  }

  private void checkResponse(DadosResponse response, String sendId, int rows,
      @Nullable String expectedRound) {
    if (response.getRegistros() != rows) {
      recordFailure("send " + sendId + " of " + rows + " rows was acknowledged with registros="
          + response.getRegistros());
    }
    if (response.getRodadaId().isEmpty()) {
      recordFailure("send " + sendId + " was acknowledged without rodada_id");
    }
    if (expectedRound != null && !expectedRound.equals(response.getRodadaId())) {
      recordFailure("send " + sendId + " was acknowledged in round " + expectedRound
          + " and its repeat in round " + response.getRodadaId());
    }
  }

  /**
   * Sends {@code request} until an OK response arrives. Returns null when the client gives up
   * because of a non-retryable status, {@link #MAX_SENDS_PER_BATCH} failed sends or an abort.
   */
  private @Nullable DadosResponse sendUntilAcknowledged(DadosRequest request, int[] sends)
      throws InterruptedException {
    long backoffMs = 20;
    while (!abortRequested) {
      sends[0]++;
      try {
        return stub.withWaitForReady()
            .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .enviarDados(request);
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (!RETRYABLE.contains(code)) {
          recordFailure("client " + index + " send " + request.getIdEnvio() + " of "
              + request.getOrigem() + " was rejected: " + e.getStatus());
          return null;
        }
        if (sends[0] >= MAX_SENDS_PER_BATCH) {
          recordFailure("client " + index + " gave up on send " + request.getIdEnvio()
              + " after " + sends[0] + " failed sends; last status " + e.getStatus());
          return null;
        }
        synchronized (this) {
          retriesByCode.merge(code, 1, Integer::sum);
        }
        log.debug("Client {} send {} failed with {}; sending it again", index,
            request.getIdEnvio(), e.getStatus());
        Thread.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 500);
      }
    }
    return null;
  }

  private void pause() throws InterruptedException {
    if (maxPauseMs > 0) {
      Thread.sleep(random.nextInt(maxPauseMs + 1));
    }
  }

  private synchronized void recordFailure(String failure) {
    log.error("Client {}: {}", index, failure);
    failures.add(failure);
  }

  /** Lets the current batch finish, retrying it until acknowledged, then stops. */
  void requestStop() {
    stopRequested = true;
  }

  /** Stops as soon as possible, leaving the current batch unacknowledged if it is. */
  void abort() {
    abortRequested = true;
  }

  /** Skips the reconnect backoff, so a waiting call reaches a restarted server at once. */
  void serverRestarted() {
    channel.resetConnectBackoff();
  }

  /** Closes the channel; call after {@link #run} returned. */
  void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
  }

  int index() {
    return index;
  }

  synchronized List<SentBatch> batches() {
    return List.copyOf(batches);
  }

  synchronized List<String> failures() {
    return List.copyOf(failures);
  }

  synchronized Map<Status.Code, Integer> retriesByCode() {
    return Map.copyOf(retriesByCode);
  }

  /** Acknowledged batches sent again on purpose whose response was checked. */
  synchronized int repeatChecks() {
    return repeatChecks;
  }
}
