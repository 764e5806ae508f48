package io.github.etlrpc.grpc;

import io.github.etlrpc.grpc.proto.ConsultaRodada;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.github.etlrpc.grpc.proto.Linha;
import io.github.etlrpc.grpc.proto.Rodada;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of {@code etl.ETLService}. Every call except the watches gets the configured deadline,
 * and failures surface as {@link StatusRuntimeException} with the server's status. Thread-safe;
 * share one client per target.
 */
public final class EtlClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EtlClient.class);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Channel channel;
  private final @Nullable ManagedChannel ownedChannel;
  private final Duration deadline;
  private final EtlServiceDescriptors.BlockingStub blockingStub;
  private final EtlServiceDescriptors.AsyncStub asyncStub;

  private EtlClient(Channel channel, @Nullable ManagedChannel ownedChannel, Duration deadline,
      @Nullable CallCredentials callCredentials) {
    this.channel = channel;
    this.ownedChannel = ownedChannel;
    this.deadline = deadline;
    EtlServiceDescriptors.BlockingStub blocking = EtlServiceDescriptors.newBlockingStub(channel);
    EtlServiceDescriptors.AsyncStub async = EtlServiceDescriptors.newStub(channel);
    if (callCredentials != null) {
      blocking = blocking.withCallCredentials(callCredentials);
      async = async.withCallCredentials(callCredentials);
    }
    this.blockingStub = blocking;
    this.asyncStub = async;
  }

  /**
   * Starts a builder for a client that opens its own channel to {@code target}, such as
   * {@code 127.0.0.1:50051} or {@code dns:///etl.example.org:50051}.
   */
  public static Builder forTarget(String target) {
    return new Builder(Objects.requireNonNull(target, "target"), null);
  }

  /**
   * Starts a builder for a client on an existing channel, such as an in-process one. The client
   * never shuts that channel down.
   */
  public static Builder forChannel(Channel channel) {
    return new Builder(null, Objects.requireNonNull(channel, "channel"));
  }

  /** Returns a client on {@code channel} with the default options. */
  public static EtlClient of(Channel channel) {
    return forChannel(channel).build();
  }

  /** Sends one batch with EnviarDados. */
  public DadosResponse send(DadosRequest request) {
    return withDeadline(blockingStub).enviarDados(request);
  }

  /**
   * Sends one batch in chunks with EnviarDadosStream and waits for the response. The first
   * message is {@code header} (origem, nome_arquivo, rodada, id_envio and any rows it holds)
   * plus the first chunk; each further chunk goes in a message of its own. Messages are written
   * only as fast as flow control allows, so chunks are not all buffered in memory. The server
   * accepts the batch when the last chunk is sent; if the iterator throws, the call is cancelled
   * and the server stores nothing.
   *
   * @throws StatusRuntimeException with the server's status, or DEADLINE_EXCEEDED
   */
  public DadosResponse sendStream(DadosRequest header, Iterator<List<Linha>> chunks) {
    return new ChunkedSend(asyncStub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS),
        deadline).send(header, chunks);
  }

  /** Returns one round with ConsultarRodada. */
  public Rodada round(String roundId) {
    return withDeadline(blockingStub)
        .consultarRodada(ConsultaRodada.newBuilder().setRodadaId(roundId).build());
  }

  /**
   * Streams the current state of {@code roundId} (empty for every round), then every change. The
   * watch has no deadline. The iterator ends after a single round reaches CONCLUIDA; a watch of
   * every round ends only with the server. An abandoned iterator keeps its call open until this
   * client is closed, so use {@link #watch(String, StreamObserver)} to stop watching early.
   */
  public Iterator<Rodada> watch(String roundId) {
    return blockingStub.acompanharRodadas(ConsultaRodada.newBuilder().setRodadaId(roundId).build());
  }

  /**
   * Streams round states to {@code observer} as {@link #watch(String)} does, on grpc's threads.
   * Closing the returned handle cancels the call, after which the observer receives
   * {@code onError} with CANCELLED.
   */
  public Subscription watch(String roundId, StreamObserver<Rodada> observer) {
    Objects.requireNonNull(observer, "observer");
    CancellingObserver cancelling = new CancellingObserver(observer);
    asyncStub.acompanharRodadas(ConsultaRodada.newBuilder().setRodadaId(roundId).build(),
        cancelling);
    return cancelling::cancel;
  }

  /** Shuts down the channel if this client opened it, waiting up to 5 seconds for calls to end. */
  @Override
  public void close() {
    if (ownedChannel == null) {
      return;
    }
    ownedChannel.shutdown();
    try {
      if (!ownedChannel.awaitTermination(5, TimeUnit.SECONDS)) {
        ownedChannel.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ownedChannel.shutdownNow();
    }
  }

  /** Returns the channel that this client's calls go through. */
  public Channel channel() {
    return channel;
  }

  private EtlServiceDescriptors.BlockingStub withDeadline(EtlServiceDescriptors.BlockingStub stub) {
    return stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Handle of a callback watch. */
  @FunctionalInterface
  public interface Subscription extends AutoCloseable {
    /** Cancels the watch; closing it again has no effect. */
    @Override
    void close();
  }

  /** Forwards to the caller's observer and keeps the call so that it can be cancelled. */
  private static final class CancellingObserver
      implements ClientResponseObserver<ConsultaRodada, Rodada> {
    private final StreamObserver<Rodada> delegate;
    private volatile @Nullable ClientCallStreamObserver<ConsultaRodada> call;

    CancellingObserver(StreamObserver<Rodada> delegate) {
      this.delegate = delegate;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ConsultaRodada> requestStream) {
      this.call = requestStream;
    }

    @Override
    public void onNext(Rodada value) {
      delegate.onNext(value);
    }

    @Override
    public void onError(Throwable error) {
      delegate.onError(error);
    }

    @Override
    public void onCompleted() {
      delegate.onCompleted();
    }

    void cancel() {
      ClientCallStreamObserver<ConsultaRodada> current = call;
      if (current != null) {
        current.cancel("Watch closed by the client", null);
      }
    }
  }

  /**
   * Options of {@link EtlClient}. The channel options apply only to a client built with
   * {@link EtlClient#forTarget}. Not thread-safe.
   */
  public static final class Builder {
    private final @Nullable String target;
    private final @Nullable Channel channel;
    private final List<String> channelOptions = new ArrayList<>();
    private ChannelCredentials channelCredentials = InsecureChannelCredentials.create();
    private @Nullable String bearerToken;
    private int maxInboundMessageSize = 4 * 1024 * 1024;
    private Duration deadline = Duration.ofSeconds(60);
    private boolean plaintext = true;

    private Builder(@Nullable String target, @Nullable Channel channel) {
      this.target = target;
      this.channel = channel;
    }

    /** Sends calls unencrypted. This is the default until credentials are set. */
    public Builder usePlaintext() {
      this.channelCredentials = InsecureChannelCredentials.create();
      this.plaintext = true;
      channelOptions.add("usePlaintext");
      return this;
    }

    /** Sets the channel's transport security, such as TLS credentials. */
    public Builder channelCredentials(ChannelCredentials credentials) {
      this.channelCredentials = Objects.requireNonNull(credentials, "credentials");
      this.plaintext = credentials instanceof InsecureChannelCredentials;
      channelOptions.add("channelCredentials");
      return this;
    }

    /**
     * Sends {@code authorization: Bearer <token>} with every call. The token is never logged. On
     * a plaintext channel it travels unencrypted, so pair it with TLS credentials.
     */
    public Builder bearerToken(String token) {
      Objects.requireNonNull(token, "token");
      if (token.isBlank()) {
        throw new IllegalArgumentException("Bearer token is blank");
      }
      this.bearerToken = token;
      return this;
    }

    /** Sets the largest response message accepted, in bytes. Default 4 MiB. */
    public Builder maxInboundMessageSize(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxInboundMessageSize is " + bytes + "; use 1 or more");
      }
      this.maxInboundMessageSize = bytes;
      channelOptions.add("maxInboundMessageSize");
      return this;
    }

    /** Sets the deadline of each call except the watches. Default 60 seconds. */
    public Builder deadline(Duration deadline) {
      if (deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("deadline is " + deadline + "; use a positive duration");
      }
      this.deadline = deadline;
      return this;
    }

    /**
     * Builds the client; a client for a target opens its channel here.
     *
     * @throws IllegalStateException if a channel option was set on a client for an existing
     *     channel
     */
    public EtlClient build() {
      CallCredentials callCredentials = bearerToken == null ? null : new BearerToken(bearerToken);
      if (channel != null) {
        if (!channelOptions.isEmpty()) {
          throw new IllegalStateException("Options " + channelOptions + " configure a channel"
              + " that the client opens; set them on the channel passed to forChannel()");
        }
        return new EtlClient(channel, null, deadline, callCredentials);
      }
      if (bearerToken != null && plaintext) {
        log.warn("EtlClient for {} sends a bearer token over a plaintext channel; use TLS"
            + " credentials outside tests", target);
      }
      ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(target, channelCredentials)
          .maxInboundMessageSize(maxInboundMessageSize);
      ManagedChannel opened = builder.build();
      return new EtlClient(opened, opened, deadline, callCredentials);
    }
  }

  /** Call credentials that add a bearer token. */
  private static final class BearerToken extends CallCredentials {
    private final String token;

    BearerToken(String token) {
      this.token = token;
    }

    @Override
    public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor,
        MetadataApplier applier) {
      Metadata headers = new Metadata();
      headers.put(AUTHORIZATION, "Bearer " + token);
      applier.apply(headers);
    }

    @Override
    public String toString() {
      return "BearerToken{redacted}";
    }
  }

  /** One EnviarDadosStream call driven by flow control. */
  private static final class ChunkedSend
      implements ClientResponseObserver<DadosRequest, DadosResponse> {
    private static final Duration RESPONSE_WAIT_MARGIN = Duration.ofSeconds(5);

    private final EtlServiceDescriptors.AsyncStub stub;
    private final Duration deadline;
    private final Object lock = new Object();
    private @Nullable ClientCallStreamObserver<DadosRequest> requests;
    private @Nullable DadosResponse response;
    private @Nullable Throwable error;
    private boolean done;

    ChunkedSend(EtlServiceDescriptors.AsyncStub stub, Duration deadline) {
      this.stub = stub;
      this.deadline = deadline;
    }

    DadosResponse send(DadosRequest header, Iterator<List<Linha>> chunks) {
      stub.enviarDadosStream(this);
      ClientCallStreamObserver<DadosRequest> stream = Objects.requireNonNull(requests);
      try {
        DadosRequest.Builder first = header.toBuilder();
        if (chunks.hasNext()) {
          first.addAllDados(chunks.next());
        }
        boolean open = write(stream, first.build());
        while (open && chunks.hasNext()) {
          open = write(stream, DadosRequest.newBuilder().addAllDados(chunks.next()).build());
        }
      } catch (RuntimeException | Error e) {
        stream.cancel("Reading the chunks failed", e);
        throw e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stream.cancel("Interrupted while sending chunks", e);
        throw Status.CANCELLED.withDescription("Interrupted while sending chunks")
            .withCause(e).asRuntimeException();
      }
      stream.onCompleted();
      return awaitResponse();
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<DadosRequest> requestStream) {
      this.requests = requestStream;
      requestStream.setOnReadyHandler(this::signal);
    }

    @Override
    public void onNext(DadosResponse value) {
      synchronized (lock) {
        response = value;
      }
    }

    @Override
    public void onError(Throwable failure) {
      synchronized (lock) {
        error = failure;
        done = true;
        lock.notifyAll();
      }
    }

    @Override
    public void onCompleted() {
      synchronized (lock) {
        done = true;
        lock.notifyAll();
      }
    }

    private void signal() {
      synchronized (lock) {
        lock.notifyAll();
      }
    }

    /**
     * Writes one message once the transport is ready. Returns false without writing if the call
     * already ended, for example because the server rejected the batch early.
     */
    private boolean write(ClientCallStreamObserver<DadosRequest> stream, DadosRequest message)
        throws InterruptedException {
      synchronized (lock) {
        // The call's deadline ends the call, which sets done, so this wait is bounded.
        while (!stream.isReady() && !done) {
          lock.wait();
        }
        if (done) {
          return false;
        }
      }
      stream.onNext(message);
      return true;
    }

    private DadosResponse awaitResponse() {
      synchronized (lock) {
        try {
          // The call's own deadline ends it first; this bound only guards against a lost close.
          long deadlineNanos =
              System.nanoTime() + deadline.toNanos() + RESPONSE_WAIT_MARGIN.toNanos();
          while (!done) {
            long leftNanos = deadlineNanos - System.nanoTime();
            if (leftNanos <= 0) {
              break;
            }
            TimeUnit.NANOSECONDS.timedWait(lock, leftNanos);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw Status.CANCELLED.withDescription("Interrupted while waiting for the response")
              .withCause(e).asRuntimeException();
        }
        if (error != null) {
          throw Status.fromThrowable(error)
              .asRuntimeException(Status.trailersFromThrowable(error));
        }
        if (!done || response == null) {
          throw Status.DEADLINE_EXCEEDED
              .withDescription("No EnviarDadosStream response within " + deadline)
              .asRuntimeException();
        }
        return response;
      }
    }
  }
}
