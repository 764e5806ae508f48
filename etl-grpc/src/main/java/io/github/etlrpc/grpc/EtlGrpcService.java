package io.github.etlrpc.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.github.etlrpc.api.Batch;
import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.SubmitResult;
import io.github.etlrpc.grpc.proto.ConsultaRodada;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.github.etlrpc.grpc.proto.Rodada;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Implements {@code etl.ETLService} over an {@link EtlEngine}. Batch requests are scanned, not
 * decoded: the {@code dados} records go to the engine as received, and the engine validates the
 * rows. Engine failures reach the client as the status code named like their
 * {@link ErrorKind}, with the engine's message. A rejected request stores nothing.
 *
 * <p>Bind it to any {@link io.grpc.ServerBuilder}, or let {@link EtlServer} do so. Thread-safe.
 */
public final class EtlGrpcService implements BindableService {

  /**
   * Normalized origins the current call may send, or absent when every origin is allowed. An
   * authentication interceptor sets it; a batch whose origin is not in the set is rejected with
   * PERMISSION_DENIED.
   */
  public static final Context.Key<Set<String>> ALLOWED_ORIGINS =
      Context.key("etl-allowed-origins");

  private static final Logger log = LoggerFactory.getLogger(EtlGrpcService.class);

  private final EtlEngine engine;
  private final @Nullable Duration waitForPipeline;
  private final int maxRowsPerBatch;
  private final int maxFileNameLength;
  private final long maxStreamBatchBytes;
  private final long maxBufferedStreamBytes;
  private final int watchBufferLimit;
  private final Set<RoundWatch> watches = ConcurrentHashMap.newKeySet();
  /** Payload bytes that open EnviarDadosStream calls hold, summed over every call. */
  private final AtomicLong bufferedStreamBytes = new AtomicLong();

  private EtlGrpcService(Builder builder) {
    this.engine = builder.engine;
    this.waitForPipeline = builder.waitForPipeline;
    this.maxRowsPerBatch = builder.maxRowsPerBatch;
    this.maxFileNameLength = builder.maxFileNameLength;
    this.maxStreamBatchBytes = builder.maxStreamBatchBytes;
    this.maxBufferedStreamBytes = builder.maxBufferedStreamBytes;
    this.watchBufferLimit = builder.watchBufferLimit;
  }

  /** Starts a builder for a service over {@code engine}. */
  public static Builder newBuilder(EtlEngine engine) {
    return new Builder(engine);
  }

  @Override
  public ServerServiceDefinition bindService() {
    return ServerServiceDefinition.builder(EtlServiceDescriptors.SERVER_SERVICE)
        .addMethod(EtlServiceDescriptors.ENVIAR_DADOS_RAW,
            ServerCalls.asyncUnaryCall(this::enviarDados))
        .addMethod(EtlServiceDescriptors.ENVIAR_DADOS_STREAM_RAW,
            ServerCalls.asyncClientStreamingCall(
                response -> new BatchStreamReceiver(this, response)))
        .addMethod(EtlServiceDescriptors.CONSULTAR_RODADA_RAW,
            ServerCalls.asyncUnaryCall(this::consultarRodada))
        .addMethod(EtlServiceDescriptors.ACOMPANHAR_RODADAS_RAW,
            ServerCalls.asyncServerStreamingCall(this::acompanharRodadas))
        .build();
  }

  private void enviarDados(byte[] message, StreamObserver<DadosResponse> response) {
    try {
      IncomingBatch incoming = IncomingBatch.parse(message);
      checkFileName(incoming.fileName());
      checkRowCount(incoming.rowCount());
      String source = checkOrigin(incoming.origin());
      submit(incoming.toBatch(), source, "EnviarDados", response);
    } catch (RuntimeException e) {
      fail(response, e, "EnviarDados");
    }
  }

  private void consultarRodada(byte[] message, StreamObserver<Rodada> response) {
    try {
      String roundId = parseQuery(message).getRodadaId();
      if (roundId.isEmpty()) {
        throw new EtlException(ErrorKind.INVALID_ARGUMENT,
            "ConsultarRodada needs a rodada_id; use AcompanharRodadas with an empty id to list"
                + " every round");
      }
      RoundInfo round = engine.round(roundId).orElseThrow(() -> unknownRound(roundId));
      response.onNext(RoundMessages.toRodada(round));
      response.onCompleted();
    } catch (RuntimeException e) {
      fail(response, e, "ConsultarRodada");
    }
  }

  private void acompanharRodadas(byte[] message, StreamObserver<Rodada> response) {
    try {
      String roundId = parseQuery(message).getRodadaId();
      if (!roundId.isEmpty() && engine.round(roundId).isEmpty()) {
        throw unknownRound(roundId);
      }
      RoundWatch.start(engine, roundId, watchBufferLimit, response, watches);
    } catch (RuntimeException e) {
      fail(response, e, "AcompanharRodadas");
    }
  }

  /**
   * Ends every open {@code AcompanharRodadas} call with UNAVAILABLE, so that a graceful server
   * shutdown does not wait for watchers that never end on their own.
   */
  void closeWatches() {
    for (RoundWatch watch : watches) {
      watch.close(Status.UNAVAILABLE.withDescription(
          "Server is shutting down; watch again on another server or after the restart"));
    }
  }

  /** Number of AcompanharRodadas calls with an open engine subscription. */
  int openWatchCount() {
    return watches.size();
  }

  /**
   * Submits a checked batch and responds to the call. When {@code waitForPipeline} is set and this
   * batch sealed its round, the response waits for the round to settle, without holding a thread.
   */
  void submit(Batch batch, String source, String method, StreamObserver<DadosResponse> response) {
    Context context = Context.current();
    if (context.isCancelled()) {
      Status status = Contexts.statusFromCancelled(context);
      log.debug("{} from {} was cancelled before submit ({}); nothing stored", method, source,
          status == null ? "cancelled" : status.getCode());
      throw (status == null ? Status.CANCELLED : status)
          .withDescription(method + " was cancelled before its batch was stored")
          .asRuntimeException();
    }
    SubmitResult result = engine.submit(batch);
    log.debug("{} stored {} rows from {} (file '{}', send id '{}') in round {}, now {}{}",
        method, result.rows(), source, batch.fileName(), batch.sendId(), result.roundId(),
        result.state(), result.duplicate() ? ", duplicate send" : "");
    boolean sealedByThisCall = !result.duplicate() && result.state() != RoundState.ABERTA;
    if (waitForPipeline == null || !sealedByThisCall) {
      response.onNext(RoundMessages.toResponse(result));
      response.onCompleted();
      return;
    }
    respondWhenSettled(result, waitForPipeline, method, response);
  }

  /**
   * Responds once the round settles or {@code wait} runs out. The batch is already stored, so a
   * failed wait still gets the plain accepted response rather than an error status.
   */
  private void respondWhenSettled(SubmitResult result, Duration wait, String method,
      StreamObserver<DadosResponse> response) {
    long startNanos = System.nanoTime();
    // thenApply makes a new future, so the timeout below never completes the engine's own.
    engine.settled(result.roundId())
        .thenApply(Optional::of)
        .completeOnTimeout(Optional.empty(), wait.toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete((settled, error) -> {
          try {
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            Optional<RoundInfo> round = error == null && settled.isPresent()
                ? settled
                : engine.round(result.roundId());
            if (error != null) {
              log.warn("{}: waiting for round {} to settle failed after {} ms; responding with"
                  + " the state at submit", method, result.roundId(), waitedMs, error);
            }
            DadosResponse reply = error != null || round.isEmpty()
                ? RoundMessages.toResponse(result)
                : RoundMessages.toSettledResponse(result, round.get(), settled.isPresent(),
                    waitedMs);
            response.onNext(reply);
            response.onCompleted();
          } catch (RuntimeException e) {
            fail(response, e, method);
          }
        });
  }

  /**
   * Returns the normalized source of {@code origin} if the engine's source catalog contains it
   * and the caller may send it.
   */
  String checkOrigin(String origin) {
    String source = engine.sources().resolve(origin);
    Set<String> allowed = ALLOWED_ORIGINS.get();
    if (allowed != null && !allowed.contains(source)) {
      throw new EtlException(ErrorKind.PERMISSION_DENIED,
          "Origin '" + source + "' is not allowed for these credentials; allowed origins: "
              + String.join(", ", allowed));
    }
    return source;
  }

  void checkFileName(String fileName) {
    int length = fileName.codePointCount(0, fileName.length());
    if (length > maxFileNameLength) {
      throw new EtlException(ErrorKind.INVALID_ARGUMENT,
          "nome_arquivo has " + length + " characters, over the limit of " + maxFileNameLength
              + "; send the file name without its directory");
    }
  }

  void checkRowCount(long rows) {
    if (rows > maxRowsPerBatch) {
      throw new EtlException(ErrorKind.RESOURCE_EXHAUSTED,
          "Batch has " + rows + " rows, over the limit of " + maxRowsPerBatch
              + " rows per batch; split the file into several sends");
    }
  }

  long maxStreamBatchBytes() {
    return maxStreamBatchBytes;
  }

  /**
   * Reserves {@code bytes} of the budget that all EnviarDadosStream calls share, for a chunk that
   * a stream is about to buffer. Nothing is reserved when the budget would be exceeded.
   *
   * @throws EtlException RESOURCE_EXHAUSTED naming the budget if it would be exceeded
   */
  void reserveStreamBytes(long bytes) {
    long current;
    long total;
    do {
      current = bufferedStreamBytes.get();
      total = current + bytes;
      if (total > maxBufferedStreamBytes) {
        throw new EtlException(ErrorKind.RESOURCE_EXHAUSTED,
            "EnviarDadosStream calls that have not half-closed already buffer " + current
                + " payload bytes, and this chunk of " + bytes + " bytes would go over the"
                + " server's limit of " + maxBufferedStreamBytes + " bytes (maxBufferedStreamBytes,"
                + " or --max-buffered-stream-bytes of the server command); retry after other"
                + " uploads finish, or raise the limit");
      }
    } while (!bufferedStreamBytes.compareAndSet(current, total));
  }

  /** Returns {@code bytes} reserved by {@link #reserveStreamBytes} to the shared budget. */
  void releaseStreamBytes(long bytes) {
    bufferedStreamBytes.addAndGet(-bytes);
  }

  long maxBufferedStreamBytes() {
    return maxBufferedStreamBytes;
  }

  /** Payload bytes currently buffered by EnviarDadosStream calls that have not ended. */
  long bufferedStreamBytes() {
    return bufferedStreamBytes.get();
  }

  /** Closes {@code response} with the status for {@code failure}. */
  static void fail(StreamObserver<?> response, Throwable failure, String method) {
    Status status = StatusMapping.toStatus(failure, method);
    log.debug("{} rejected with {}: {}", method, status.getCode(), status.getDescription());
    try {
      response.onError(status.asRuntimeException());
    } catch (RuntimeException e) {
      // The call already ended, for example because the client cancelled it.
      log.debug("{} could not send {} because the call already ended: {}", method,
          status.getCode(), e.toString());
    }
  }

  private static ConsultaRodada parseQuery(byte[] message) {
    try {
      return ConsultaRodada.parseFrom(message);
    } catch (InvalidProtocolBufferException e) {
      throw new EtlException(ErrorKind.INVALID_ARGUMENT,
          "Malformed ConsultaRodada of " + message.length + " bytes: " + e.getMessage(), e);
    }
  }

  private static EtlException unknownRound(String roundId) {
    return new EtlException(ErrorKind.NOT_FOUND, "Round '" + roundId + "' not found");
  }

  /** Options of {@link EtlGrpcService}. Not thread-safe. */
  public static final class Builder {
    private final EtlEngine engine;
    private @Nullable Duration waitForPipeline;
    private int maxRowsPerBatch = 1_000_000;
    private int maxFileNameLength = 255;
    private long maxStreamBatchBytes = 256L * 1024 * 1024;
    private long maxBufferedStreamBytes = defaultMaxBufferedStreamBytes();
    private int watchBufferLimit = 1_000;

    private Builder(EtlEngine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
    }

    /**
     * Makes the call whose batch seals a round wait up to {@code timeout} for the pipeline to
     * settle the round (CONCLUIDA or ESTACIONADA), then report that state in {@code estado} and
     * {@code mensagem}. If the wait runs out, the response carries the state at that moment. By
     * default nothing waits and the sealing call reports FECHADA or a later state.
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public Builder waitForPipeline(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException(
            "waitForPipeline is " + timeout + "; use a positive duration");
      }
      this.waitForPipeline = timeout;
      return this;
    }

    /**
     * Sets the maximum rows in one batch, counted as {@code dados} records; a larger batch is
     * rejected with RESOURCE_EXHAUSTED. For EnviarDadosStream the limit applies to the whole
     * batch. Default 1,000,000.
     *
     * @throws IllegalArgumentException if {@code rows} is below 1
     */
    public Builder maxRowsPerBatch(int rows) {
      this.maxRowsPerBatch = positive(rows, "maxRowsPerBatch");
      return this;
    }

    /**
     * Sets the maximum length of {@code nome_arquivo} in characters; a longer name is rejected
     * with INVALID_ARGUMENT. The name is metadata only and never becomes a path. Default 255.
     *
     * @throws IllegalArgumentException if {@code length} is below 1
     */
    public Builder maxFileNameLength(int length) {
      this.maxFileNameLength = positive(length, "maxFileNameLength");
      return this;
    }

    /**
     * Sets the maximum payload bytes that one EnviarDadosStream call may accumulate before it
     * half-closes. The call is rejected with RESOURCE_EXHAUSTED as soon as it goes over. Default
     * 256 MiB.
     *
     * @throws IllegalArgumentException if {@code bytes} is below 1 or above
     *     {@code Integer.MAX_VALUE - 8}, the largest array a JVM allocates
     */
    public Builder maxStreamBatchBytes(long bytes) {
      if (bytes < 1 || bytes > ByteArrayBuffer.MAX_ARRAY_SIZE) {
        throw new IllegalArgumentException("maxStreamBatchBytes is " + bytes
            + "; use a value from 1 to " + ByteArrayBuffer.MAX_ARRAY_SIZE);
      }
      this.maxStreamBatchBytes = bytes;
      return this;
    }

    /**
     * Sets the maximum payload bytes that all EnviarDadosStream calls together may hold before
     * they half-close. A chunk that would go over it ends its call with RESOURCE_EXHAUSTED, and
     * the other calls go on. A call's bytes return to the budget once its batch is stored, or
     * when the call fails or is cancelled. The budget counts payload bytes. A stream's buffer
     * grows by doubling, so the heap it takes can be up to twice its count, and briefly three
     * times while the buffer is copied into a larger one.
     *
     * <p>Default: 512 MiB, or a quarter of {@link Runtime#maxMemory()} if that is smaller, so
     * that uploads alone cannot fill a small heap. A value set here is used as given.
     *
     * @throws IllegalArgumentException if {@code bytes} is below 1
     */
    public Builder maxBufferedStreamBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException(
            "maxBufferedStreamBytes is " + bytes + "; use 1 or more");
      }
      this.maxBufferedStreamBytes = bytes;
      return this;
    }

    /**
     * Sets how many messages an AcompanharRodadas call may have queued while its client does not
     * read. Past the limit the call ends with RESOURCE_EXHAUSTED and its engine subscription is
     * closed. Default 1,000.
     *
     * @throws IllegalArgumentException if {@code messages} is below 1
     */
    public Builder watchBufferLimit(int messages) {
      this.watchBufferLimit = positive(messages, "watchBufferLimit");
      return this;
    }

    public EtlGrpcService build() {
      return new EtlGrpcService(this);
    }

    private static long defaultMaxBufferedStreamBytes() {
      return Math.min(512L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 4);
    }

    private static int positive(int value, String option) {
      if (value < 1) {
        throw new IllegalArgumentException(option + " is " + value + "; use 1 or more");
      }
      return value;
    }
  }
}
