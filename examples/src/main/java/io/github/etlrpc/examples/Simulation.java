package io.github.etlrpc.examples;

import io.github.etlrpc.api.RowType;
import io.github.etlrpc.grpc.EtlClient;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.github.etlrpc.grpc.proto.Linha;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs simulated data source clients against a server. Each client, on a thread of its own,
 * sends per round one OMS, one hospital and one secretariat file (in that order, each in one
 * call) with rows from a {@link SimulatedSource}, and times each call. A call that ends with an
 * error status is counted and the client goes on with its next file.
 *
 * <p>Every send carries an {@code id_envio} made of a random run id, the client, the round and
 * the source, so a retried call would be stored once but two runs never collide.
 *
 * <p>{@link #run()} may be called once per instance.
 */
public final class Simulation {
  /** Error messages kept per client in {@link SimulationResult.ClientResult#errors()}. */
  public static final int MAX_ERRORS_KEPT = 5;

  private static final List<RowType> SEND_ORDER =
      List.of(RowType.OMS, RowType.HOSPITAL, RowType.SECRETARIA);

  /** Opens the client that simulated client {@code clientIndex} (from 1) sends through. */
  @FunctionalInterface
  public interface ClientFactory {
    EtlClient open(int clientIndex);
  }

  private final ClientFactory clientFactory;
  private final int clients;
  private final int rounds;
  private final String roundKey;
  private final boolean perClientKeys;
  private final int streamChunkRows;
  private final long seed;
  private final FileSizes fileSizes;
  private final Consumer<String> progress;
  private final String runId = UUID.randomUUID().toString().substring(0, 8);
  private final Set<String> roundIds = new LinkedHashSet<>();
  private final AtomicBoolean started = new AtomicBoolean();

  private Simulation(Builder builder) {
    this.clientFactory = Objects.requireNonNull(builder.clientFactory, "clientFactory");
    this.clients = builder.clients;
    this.rounds = builder.rounds;
    this.perClientKeys = builder.perClientKeys;
    this.roundKey = builder.perClientKeys && builder.roundKey.isEmpty()
        ? "sim-" + runId
        : builder.roundKey;
    this.streamChunkRows = builder.streamChunkRows;
    this.seed = builder.seed;
    this.fileSizes = builder.fileSizes;
    this.progress = builder.progress;
  }

  public static Builder newBuilder(ClientFactory clientFactory) {
    return new Builder(clientFactory);
  }

  /** Returns the round key that {@code clientIndex} uses in {@code round}, both from 1. */
  public String roundKeyFor(int clientIndex, int round) {
    return perClientKeys ? roundKey + "-" + clientIndex + "-" + round : roundKey;
  }

  /**
   * Opens every client, runs all of them to completion and closes them.
   *
   * @throws IllegalStateException if this simulation already ran
   * @throws InterruptedException if interrupted while waiting for the clients; the client
   *     threads are interrupted and the clients closed
   * @throws RuntimeException if opening a client fails, or a client thread fails with anything
   *     other than an error status
   */
  public SimulationResult run() throws InterruptedException {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("Simulation " + runId + " already ran; build a new one");
    }
    List<EtlClient> opened = new ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(clients);
    try {
      for (int i = 1; i <= clients; i++) {
        opened.add(clientFactory.open(i));
      }
      long start = System.nanoTime();
      List<Future<SimulationResult.ClientResult>> futures = new ArrayList<>();
      for (int i = 1; i <= clients; i++) {
        int clientIndex = i;
        EtlClient client = opened.get(i - 1);
        futures.add(threads.submit(() -> runClient(clientIndex, client)));
      }
      List<SimulationResult.ClientResult> results = new ArrayList<>();
      for (Future<SimulationResult.ClientResult> future : futures) {
        results.add(resultOf(future));
      }
      Duration wallTime = Duration.ofNanos(System.nanoTime() - start);
      synchronized (roundIds) {
        return new SimulationResult(results, List.copyOf(roundIds), wallTime);
      }
    } finally {
      threads.shutdownNow();
      for (EtlClient client : opened) {
        client.close();
      }
    }
  }

  private static SimulationResult.ClientResult resultOf(
      Future<SimulationResult.ClientResult> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("Simulated client failed: " + e.getCause(), e.getCause());
    }
  }

  private SimulationResult.ClientResult runClient(int clientIndex, EtlClient client) {
    SimulatedSource source = new SimulatedSource(seed * 1_000_003L + clientIndex);
    LatencyStats stats = new LatencyStats();
    List<String> errors = new ArrayList<>();
    int failed = 0;
    for (int round = 1; round <= rounds && !Thread.currentThread().isInterrupted(); round++) {
      String key = roundKeyFor(clientIndex, round);
      long groupRows = 0;
      long groupNanos = 0;
      int groupFailures = 0;
      String lastRound = "";
      String lastState = "";
      for (RowType type : SEND_ORDER) {
        int rows = fileSizes.rowsFor(type, source.random());
        String name = type.name().toLowerCase(Locale.ROOT);
        DadosRequest.Builder request = source.request(type,
                name + "_c" + clientIndex + "_r" + round + ".csv", rows)
            .setRodada(key)
            .setIdEnvio(runId + "-c" + clientIndex + "-r" + round + "-" + name);
        Supplier<DadosResponse> call = prepareCall(client, request);
        long begin = System.nanoTime();
        try {
          DadosResponse response = call.get();
          long elapsed = System.nanoTime() - begin;
          stats.record(elapsed, rows);
          groupRows += rows;
          groupNanos += elapsed;
          lastRound = response.getRodadaId();
          lastState = response.getEstado().name();
          synchronized (roundIds) {
            roundIds.add(response.getRodadaId());
          }
        } catch (StatusRuntimeException e) {
          failed++;
          groupFailures++;
          if (errors.size() < MAX_ERRORS_KEPT) {
            errors.add(name + " file of round " + round + ": " + e.getStatus().getCode() + " "
                + e.getStatus().getDescription());
          }
        }
      }
      progress.accept(String.format(Locale.ROOT,
          "client %d round %d/%d: %d rows in %.0f ms, %d failed call(s); rodada_id %s is %s",
          clientIndex, round, rounds, groupRows, groupNanos / 1e6, groupFailures,
          lastRound.isEmpty() ? "-" : lastRound, lastState.isEmpty() ? "unknown" : lastState));
    }
    return new SimulationResult.ClientResult(clientIndex, stats, failed, errors);
  }

  /**
   * Builds the messages of one file before the clock starts, and returns the call that sends
   * them: unary, or as a stream of chunks when chunking is on.
   */
  private Supplier<DadosResponse> prepareCall(EtlClient client, DadosRequest.Builder request) {
    if (streamChunkRows == 0) {
      DadosRequest message = request.build();
      return () -> client.send(message);
    }
    List<Linha> rows = new ArrayList<>(request.getDadosList());
    List<List<Linha>> chunks = new ArrayList<>();
    for (int from = 0; from < rows.size(); from += streamChunkRows) {
      chunks.add(rows.subList(from, Math.min(rows.size(), from + streamChunkRows)));
    }
    DadosRequest header = request.clearDados().build();
    return () -> client.sendStream(header, chunks.iterator());
  }

  /** Builder of {@link Simulation}. Not thread-safe. */
  public static final class Builder {
    private final ClientFactory clientFactory;
    private int clients = 5;
    private int rounds = 1;
    private String roundKey = "";
    private boolean perClientKeys;
    private int streamChunkRows;
    private long seed = 1;
    private FileSizes fileSizes = FileSizes.ORIGINAL_CLIENTS;
    private Consumer<String> progress = line -> { };

    private Builder(ClientFactory clientFactory) {
      this.clientFactory = Objects.requireNonNull(clientFactory, "clientFactory");
    }

    /** Sets the number of concurrent clients. Default: 5. */
    public Builder clients(int clients) {
      this.clients = requirePositive(clients, "clients");
      return this;
    }

    /** Sets the rounds each client sends, three files each. Default: 1. */
    public Builder rounds(int rounds) {
      this.rounds = requirePositive(rounds, "rounds");
      return this;
    }

    /**
     * Sets the correlation key sent as {@code rodada}. Default: empty, the shared default round,
     * whose batches from concurrent clients mix into rounds in arrival order.
     */
    public Builder roundKey(String roundKey) {
      this.roundKey = Objects.requireNonNull(roundKey, "roundKey");
      return this;
    }

    /**
     * Makes each client use the key {@code <roundKey>-<client>-<round>}, so each client's three
     * files form one round of their own. With an empty round key the prefix is
     * {@code sim-<run id>}.
     */
    public Builder perClientKeys() {
      this.perClientKeys = true;
      return this;
    }

    /** Sends each file over EnviarDadosStream in chunks of this many rows; 0 sends unary. */
    public Builder streamChunkRows(int streamChunkRows) {
      if (streamChunkRows < 0) {
        throw new IllegalArgumentException(
            "streamChunkRows is " + streamChunkRows + "; use 0 for unary or a positive count");
      }
      this.streamChunkRows = streamChunkRows;
      return this;
    }

    /** Sets the seed of the generated rows; client i uses a seed derived from it. Default: 1. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Sets the rows per file. Default: {@link FileSizes#ORIGINAL_CLIENTS}. */
    public Builder fileSizes(FileSizes fileSizes) {
      this.fileSizes = Objects.requireNonNull(fileSizes, "fileSizes");
      return this;
    }

    /**
     * Sets where the line after each client's round goes. It is called from the client threads,
     * so it must be thread-safe. Default: discarded.
     */
    public Builder progress(Consumer<String> progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    public Simulation build() {
      return new Simulation(this);
    }

    private static int requirePositive(int value, String name) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " is " + value + "; use 1 or more");
      }
      return value;
    }
  }
}
