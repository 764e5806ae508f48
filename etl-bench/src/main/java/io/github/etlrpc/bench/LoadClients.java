package io.github.etlrpc.bench;

import io.github.etlrpc.examples.LatencyStats;
import io.github.etlrpc.grpc.EtlServiceDescriptors;
import io.github.etlrpc.grpc.proto.ConsultaRodada;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.github.etlrpc.grpc.proto.EstadoRodada;
import io.github.etlrpc.grpc.proto.Rodada;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated clients of one server: one channel, so one HTTP/2 connection, per client, kept
 * open across load runs as long-lived clients keep theirs. Requests go out as pre-encoded bytes,
 * so a client does no protobuf work while it is timed. Thread-safe.
 */
final class LoadClients implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LoadClients.class);

  /** {@code EnviarDados} with the request as already encoded bytes. */
  private static final MethodDescriptor<byte[], DadosResponse> ENVIAR_DADOS_BYTES =
      EtlServiceDescriptors.ENVIAR_DADOS.toBuilder(new BareEtlService.BytesMarshaller(),
          EtlServiceDescriptors.ENVIAR_DADOS.getResponseMarshaller()).build();

  /** First pause before retrying a call the server rejected with RESOURCE_EXHAUSTED. */
  private static final long FIRST_RETRY_PAUSE_MS = 20;
  /** Longest pause between such retries; the pause doubles up to it. */
  private static final long MAX_RETRY_PAUSE_MS = 500;

  private final String target;
  private final List<ManagedChannel> channels;
  private final Duration callDeadline;

  LoadClients(String target, int clients, Duration callDeadline) {
    this.target = target;
    this.callDeadline = callDeadline;
    List<ManagedChannel> opened = new ArrayList<>(clients);
    for (int i = 0; i < clients; i++) {
      opened.add(Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build());
    }
    this.channels = List.copyOf(opened);
  }

  /**
   * Runs one load: {@code clients} threads, started together, each sending its files of
   * {@code rounds} rounds one call at a time. Round keys are {@code <keyPrefix>-c<client>-r<round>}
   * so each client's three files of a round form one round on the server. After the last call it
   * waits up to {@code settleTimeout} for every round named in a response to settle, and reads
   * the server's CPU time before the first call and after the settling.
   */
  LoadSample run(String server, int clients, int run, int rounds, LoadWorkload workload,
      String keyPrefix, CpuReading cpu, Duration settleTimeout) throws InterruptedException {
    if (clients > channels.size() || clients > workload.clients()) {
      throw new IllegalArgumentException("Load of " + clients + " clients needs as many channels"
          + " and workloads; have " + channels.size() + " and " + workload.clients());
    }
    SendCounters counters = new SendCounters();
    Set<String> roundIds = Collections.synchronizedSet(new LinkedHashSet<>());
    CountDownLatch ready = new CountDownLatch(clients);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>(clients);
    for (int i = 0; i < clients; i++) {
      int index = i;
      Thread thread = new Thread(() -> {
        ready.countDown();
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        try {
          sendAll(channels.get(index), index + 1, rounds, workload, keyPrefix, counters,
              roundIds);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "load-client-" + (i + 1));
      threads.add(thread);
      thread.start();
    }
    ready.await();
    double cpuBefore = cpu.seconds();
    long start = System.nanoTime();
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    long wallNanos = System.nanoTime() - start;

    List<String> ids;
    synchronized (roundIds) {
      ids = List.copyOf(roundIds);
    }
    RoundOutcome outcome = awaitRounds(ids, settleTimeout);
    double cpuAfter = cpu.seconds();
    return new LoadSample(server, clients, run, rounds, counters.latency.count(),
        counters.failed.get(), counters.retries.get(), counters.firstError.get(),
        counters.latency.rows(), wallNanos, counters.latency, outcome.latenciesMs(), ids.size(),
        outcome.unsettled(), cpuAfter - cpuBefore);
  }

  /**
   * Sends the files of {@code rounds} rounds of {@code client}, one call at a time. Each message
   * is assembled (one array copy) before its call's clock starts. A call rejected with
   * RESOURCE_EXHAUSTED, the server's backpressure when sealed rounds wait for the pipeline, is
   * retried after a pause as a well-behaved client would, until the call deadline has passed
   * since the first attempt; the recorded latency covers every attempt.
   */
  private void sendAll(ManagedChannel channel, int client, int rounds, LoadWorkload workload,
      String keyPrefix, SendCounters counters, Set<String> roundIds) throws InterruptedException {
    for (int round = 1; round <= rounds; round++) {
      String key = keyPrefix + "-c" + client + "-r" + round;
      for (LoadWorkload.File file : workload.round(client, round)) {
        String sendId = key + "-" + file.type().name().toLowerCase(Locale.ROOT);
        byte[] message = LoadWorkload.message(file, key, sendId);
        long begin = System.nanoTime();
        long pauseMs = FIRST_RETRY_PAUSE_MS;
        while (true) {
          try {
            DadosResponse response = ClientCalls.blockingUnaryCall(channel, ENVIAR_DADOS_BYTES,
                CallOptions.DEFAULT.withDeadlineAfter(callDeadline.toNanos(),
                    TimeUnit.NANOSECONDS),
                message);
            counters.latency.record(System.nanoTime() - begin, file.rows());
            if (!response.getRodadaId().isEmpty()) {
              roundIds.add(response.getRodadaId());
            }
            break;
          } catch (StatusRuntimeException e) {
            boolean backpressure = e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED;
            if (backpressure && System.nanoTime() - begin < callDeadline.toNanos()) {
              counters.retries.incrementAndGet();
              Thread.sleep(pauseMs);
              pauseMs = Math.min(pauseMs * 2, MAX_RETRY_PAUSE_MS);
              continue;
            }
            counters.failed.incrementAndGet();
            String error = e.getStatus().getCode() + " " + e.getStatus().getDescription();
            if (counters.firstError.compareAndSet("", error)) {
              log.warn("A call to {} failed: {}", target, error);
            }
            break;
          }
        }
      }
    }
  }

  /** Outcomes of the calls of one load run, shared by its client threads. */
  private static final class SendCounters {
    final LatencyStats latency = new LatencyStats();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger retries = new AtomicInteger();
    final AtomicReference<String> firstError = new AtomicReference<>("");
  }

  /** Latencies of the rounds that settled, and the count of those that did not. */
  private record RoundOutcome(List<Double> latenciesMs, int unsettled) {}

  /**
   * Watches every round in {@code roundIds} with AcompanharRodadas until it settles, all at once,
   * and returns each CONCLUIDA round's {@code atualizada_em_ms - aberta_em_ms}. A server that
   * does not implement the watch yields no latencies.
   */
  private RoundOutcome awaitRounds(List<String> roundIds, Duration timeout)
      throws InterruptedException {
    Map<String, CompletableFuture<Rodada>> watches = new LinkedHashMap<>();
    for (String roundId : roundIds) {
      watches.put(roundId, watchUntilSettled(roundId));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Double> latencies = new ArrayList<>();
    int unsettled = 0;
    for (Map.Entry<String, CompletableFuture<Rodada>> watch : watches.entrySet()) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        Rodada round = watch.getValue().get(left, TimeUnit.NANOSECONDS);
        if (round.getEstado() == EstadoRodada.CONCLUIDA) {
          latencies.add((double) (round.getAtualizadaEmMs() - round.getAbertaEmMs()));
        } else {
          unsettled++;
          log.warn("Round {} on {} ended {}: {}", watch.getKey(), target, round.getEstado(),
              round.getErro());
        }
      } catch (ExecutionException e) {
        Status status = Status.fromThrowable(e.getCause());
        if (status.getCode() == Status.Code.UNIMPLEMENTED) {
          log.info("{} does not implement AcompanharRodadas; no round latencies", target);
          watches.values().forEach(future -> future.cancel(true));
          return new RoundOutcome(List.of(), 0);
        }
        unsettled++;
        log.warn("Watching round {} on {} failed: {}", watch.getKey(), target, status);
      } catch (TimeoutException e) {
        unsettled++;
        log.warn("Round {} on {} did not settle within {} s", watch.getKey(), target,
            timeout.toSeconds());
      }
    }
    watches.values().forEach(future -> future.cancel(true));
    return new RoundOutcome(latencies, unsettled);
  }

  /** Returns a future of the first settled state of {@code roundId}; cancelling ends the call. */
  private CompletableFuture<Rodada> watchUntilSettled(String roundId) {
    CompletableFuture<Rodada> settled = new CompletableFuture<>();
    ConsultaRodada request = ConsultaRodada.newBuilder().setRodadaId(roundId).build();
    EtlServiceDescriptors.newStub(channels.get(0)).acompanharRodadas(request,
        new ClientResponseObserver<ConsultaRodada, Rodada>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<ConsultaRodada> requestStream) {
            settled.whenComplete((round, error) -> {
              if (error != null || round != null) {
                requestStream.cancel("round settled or watch abandoned", null);
              }
            });
          }

          @Override
          public void onNext(Rodada round) {
            if (round.getEstado() == EstadoRodada.CONCLUIDA
                || round.getEstado() == EstadoRodada.ESTACIONADA) {
              settled.complete(round);
            }
          }

          @Override
          public void onError(Throwable error) {
            settled.completeExceptionally(error);
          }

          @Override
          public void onCompleted() {
            settled.completeExceptionally(new IllegalStateException(
                "Watch of round " + roundId + " ended before the round settled"));
          }
        });
    return settled;
  }

  @Override
  public void close() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
    }
    for (ManagedChannel channel : channels) {
      channel.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** CPU time of the server under test, in seconds, or NaN when it cannot be read. */
  @FunctionalInterface
  interface CpuReading {
    double seconds();
  }
}
