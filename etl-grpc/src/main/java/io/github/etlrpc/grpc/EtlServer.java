package io.github.etlrpc.grpc;

import io.github.etlrpc.api.EtlEngine;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gRPC server that serves {@code etl.ETLService} over an {@link EtlEngine}, with the standard
 * health and reflection services. The server owns the engine: {@link #shutdown} stops the server
 * first, so that calls in flight finish, and then shuts the engine down.
 *
 * <p>Health reports SERVING for the empty service name and for {@value
 * EtlServiceDescriptors#SERVICE_NAME} while {@link EtlEngine#isServing()} is true, checked every
 * second, and NOT_SERVING from the moment shutdown begins. Thread-safe.
 */
public final class EtlServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EtlServer.class);
  private static final Duration HEALTH_CHECK_INTERVAL = Duration.ofSeconds(1);
  /** How long {@link #shutdown} waits for cancelled calls to end after the grace period. */
  private static final Duration FORCED_STOP_WAIT = Duration.ofSeconds(5);

  private final EtlEngine engine;
  private final EtlGrpcService service;
  private final Server server;
  /** Host part of {@link #address}, or null when the caller supplied the transport. */
  private final @Nullable String host;
  /** Listening address for log lines; {@link #start} fills in the bound port. */
  private volatile String address;
  private final @Nullable HealthStatusManager health;
  private @Nullable ScheduledExecutorService healthChecker;
  private boolean started;
  private boolean shutdownStarted;

  private EtlServer(Builder builder, EtlGrpcService service, Server server,
      @Nullable HealthStatusManager health) {
    this.engine = builder.engine;
    this.service = service;
    this.server = server;
    this.health = health;
    if (builder.transport == null) {
      this.host = builder.bindAddress == null ? "*" : builder.bindAddress;
      this.address = host + ":" + builder.port;
    } else {
      this.host = null;
      this.address = "a caller-supplied transport";
    }
  }

  /** Starts a builder for a server over {@code engine}. */
  public static Builder newBuilder(EtlEngine engine) {
    return new Builder(engine);
  }

  /**
   * Binds the port and starts serving.
   *
   * @throws IOException if the port cannot be bound
   * @throws IllegalStateException if the server was already started or shut down
   */
  public synchronized EtlServer start() throws IOException {
    if (started || shutdownStarted) {
      throw new IllegalStateException("EtlServer on " + address + " was already started");
    }
    server.start();
    started = true;
    if (health != null) {
      updateHealth();
      healthChecker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "etl-grpc-health");
        thread.setDaemon(true);
        return thread;
      });
      long intervalMs = HEALTH_CHECK_INTERVAL.toMillis();
      healthChecker.scheduleWithFixedDelay(this::updateHealth, intervalMs, intervalMs,
          TimeUnit.MILLISECONDS);
    }
    if (host != null) {
      address = host + ":" + port();
    }
    log.info("ETL gRPC server listening on {}", address);
    return this;
  }

  /** Returns the bound port, useful after binding port 0, or -1 if the transport has none. */
  public int port() {
    return server.getPort();
  }

  /**
   * Stops the server and then the engine. Health turns NOT_SERVING and open AcompanharRodadas
   * calls end with UNAVAILABLE at once, new calls are rejected, and calls in flight get until
   * {@code grace} runs out to finish; after that they are cancelled. The engine then gets the
   * rest of {@code grace} to finish its pipeline runs.
   *
   * @return true if every call and every pipeline run finished within {@code grace}
   */
  public boolean shutdown(Duration grace) throws InterruptedException {
    long deadlineNanos = System.nanoTime() + grace.toNanos();
    synchronized (this) {
      if (shutdownStarted) {
        return awaitServer(deadlineNanos);
      }
      shutdownStarted = true;
    }
    log.info("ETL gRPC server on {} stopping, grace {}", address, grace);
    stopHealth();
    server.shutdown();
    service.closeWatches();
    boolean callsFinished = awaitServer(deadlineNanos);
    if (!callsFinished) {
      log.warn("ETL gRPC server on {}: calls still running after the grace of {}; cancelling"
          + " them", address, grace);
      server.shutdownNow();
      server.awaitTermination(FORCED_STOP_WAIT.toNanos(), TimeUnit.NANOSECONDS);
    }
    boolean runsFinished = engine.shutdown(remaining(deadlineNanos));
    log.info("ETL gRPC server on {} stopped (calls finished: {}, pipeline runs finished: {})",
        address, callsFinished, runsFinished);
    return callsFinished && runsFinished;
  }

  /** Waits until the server has stopped. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Shuts down with a grace of 30 seconds. */
  @Override
  public void close() {
    try {
      shutdown(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
      engine.close();
    }
  }

  private boolean awaitServer(long deadlineNanos) throws InterruptedException {
    if (!started) {
      return true;
    }
    return server.awaitTermination(remaining(deadlineNanos).toNanos(), TimeUnit.NANOSECONDS);
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  private void updateHealth() {
    ServingStatus status;
    try {
      status = engine.isServing() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    } catch (RuntimeException e) {
      log.warn("Health check of the ETL engine failed; reporting NOT_SERVING", e);
      status = ServingStatus.NOT_SERVING;
    }
    setHealth(status);
  }

  private synchronized void setHealth(ServingStatus status) {
    if (health != null && !shutdownStarted) {
      health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
      health.setStatus(EtlServiceDescriptors.SERVICE_NAME, status);
    }
  }

  private synchronized void stopHealth() {
    if (healthChecker != null) {
      healthChecker.shutdownNow();
    }
    if (health != null) {
      // Sets every service to NOT_SERVING and ignores later updates.
      health.enterTerminalState();
    }
  }

  /**
   * Options of {@link EtlServer}. Durations must be positive. Options left unset keep the
   * transport's defaults. Not thread-safe.
   */
  public static final class Builder {
    private final EtlEngine engine;
    private final EtlGrpcService.Builder serviceOptions;
    private final List<ServerInterceptor> interceptors = new ArrayList<>();
    private final List<String> nettyOnlyOptions = new ArrayList<>();
    private int port = 50051;
    private @Nullable String bindAddress;
    private int maxInboundMessageSize = 64 * 1024 * 1024;
    private @Nullable Executor executor;
    private ServerCredentials credentials = InsecureServerCredentials.create();
    private @Nullable Duration keepAliveTime;
    private @Nullable Duration keepAliveTimeout;
    private @Nullable Duration permitKeepAliveTime;
    private @Nullable Duration maxConnectionAge;
    private @Nullable Duration maxConnectionAgeGrace;
    private int maxConcurrentCallsPerConnection;
    private int maxConcurrentCalls;
    private @Nullable MeterRegistry meterRegistry;
    private @Nullable ServerBuilder<?> transport;
    private boolean healthEnabled = true;
    private boolean reflectionEnabled = true;

    private Builder(EtlEngine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
      this.serviceOptions = EtlGrpcService.newBuilder(engine);
    }

    /**
     * Sets the TCP port. Default 50051; 0 picks a free port, which {@link #port()} returns after
     * start.
     */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port is " + port + "; use 0 to 65535");
      }
      this.port = port;
      nettyOnlyOptions.add("port");
      return this;
    }

    /**
     * Sets the local address to bind, such as {@code 127.0.0.1}. Default: every interface.
     */
    public Builder bindAddress(String host) {
      this.bindAddress = Objects.requireNonNull(host, "host");
      nettyOnlyOptions.add("bindAddress");
      return this;
    }

    /** Sets the largest request message accepted, in bytes. Default 64 MiB. */
    public Builder maxInboundMessageSize(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxInboundMessageSize is " + bytes + "; use 1 or more");
      }
      this.maxInboundMessageSize = bytes;
      return this;
    }

    /**
     * Sets the executor that runs call handlers. The caller owns it and shuts it down after the
     * server. Default: grpc's shared cached thread pool.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Sets the transport security, such as TLS credentials. Default: plaintext. */
    public Builder serverCredentials(ServerCredentials credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      nettyOnlyOptions.add("serverCredentials");
      return this;
    }

    /**
     * Adds an interceptor of the ETL service calls. Interceptors run in the order they are added,
     * before the {@link #maxConcurrentCalls} check; the health and reflection services are not
     * intercepted.
     */
    public Builder intercept(ServerInterceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /** Sets the time without reads after which the server pings the client. */
    public Builder keepAliveTime(Duration time) {
      this.keepAliveTime = positive(time, "keepAliveTime");
      return this;
    }

    /** Sets how long the server waits for a keepalive ping's ack before closing the connection. */
    public Builder keepAliveTimeout(Duration timeout) {
      this.keepAliveTimeout = positive(timeout, "keepAliveTimeout");
      return this;
    }

    /** Sets the shortest interval between client keepalive pings that the server tolerates. */
    public Builder permitKeepAliveTime(Duration time) {
      this.permitKeepAliveTime = positive(time, "permitKeepAliveTime");
      return this;
    }

    /** Sets the connection age after which the server sends GOAWAY to close it gracefully. */
    public Builder maxConnectionAge(Duration age) {
      this.maxConnectionAge = positive(age, "maxConnectionAge");
      return this;
    }

    /** Sets how long calls may continue on a connection past its maximum age. */
    public Builder maxConnectionAgeGrace(Duration grace) {
      this.maxConnectionAgeGrace = positive(grace, "maxConnectionAgeGrace");
      return this;
    }

    /** Sets the HTTP/2 limit of concurrent calls on one connection. Default: unlimited. */
    public Builder maxConcurrentCallsPerConnection(int calls) {
      if (calls < 1) {
        throw new IllegalArgumentException(
            "maxConcurrentCallsPerConnection is " + calls + "; use 1 or more");
      }
      this.maxConcurrentCallsPerConnection = calls;
      nettyOnlyOptions.add("maxConcurrentCallsPerConnection");
      return this;
    }

    /**
     * Caps the ETL service calls in progress on the whole server; a call over the cap is
     * rejected with RESOURCE_EXHAUSTED. Open AcompanharRodadas calls count too. Default:
     * unlimited.
     */
    public Builder maxConcurrentCalls(int calls) {
      if (calls < 1) {
        throw new IllegalArgumentException("maxConcurrentCalls is " + calls + "; use 1 or more");
      }
      this.maxConcurrentCalls = calls;
      return this;
    }

    /** Configures the service adapter's options, such as its limits. */
    public Builder service(Consumer<EtlGrpcService.Builder> configure) {
      configure.accept(serviceOptions);
      return this;
    }

    /**
     * Counts rejected calls in {@code registry}, as {@link RejectedCallsInterceptor} describes.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Builds on {@code serverBuilder}, such as an in-process one, in place of a Netty server.
     * The port, bind address, credentials and per-connection call limit are then the transport's
     * business and must not be set here.
     */
    public Builder transport(ServerBuilder<?> serverBuilder) {
      this.transport = Objects.requireNonNull(serverBuilder, "serverBuilder");
      return this;
    }

    /** Leaves out the {@code grpc.health.v1.Health} service. */
    public Builder disableHealth() {
      this.healthEnabled = false;
      return this;
    }

    /** Leaves out the server reflection services, v1 and v1alpha. */
    public Builder disableReflection() {
      this.reflectionEnabled = false;
      return this;
    }

    /**
     * Builds the server without starting it.
     *
     * @throws IllegalStateException if a Netty option was set together with {@link #transport}
     */
    public EtlServer build() {
      ServerBuilder<?> builder = transport == null ? nettyBuilder() : checkedTransport();
      builder.maxInboundMessageSize(maxInboundMessageSize);
      if (executor != null) {
        builder.executor(executor);
      }
      if (keepAliveTime != null) {
        builder.keepAliveTime(keepAliveTime.toNanos(), TimeUnit.NANOSECONDS);
      }
      if (keepAliveTimeout != null) {
        builder.keepAliveTimeout(keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS);
      }
      if (permitKeepAliveTime != null) {
        builder.permitKeepAliveTime(permitKeepAliveTime.toNanos(), TimeUnit.NANOSECONDS);
      }
      if (maxConnectionAge != null) {
        builder.maxConnectionAge(maxConnectionAge.toNanos(), TimeUnit.NANOSECONDS);
      }
      if (maxConnectionAgeGrace != null) {
        builder.maxConnectionAgeGrace(maxConnectionAgeGrace.toNanos(), TimeUnit.NANOSECONDS);
      }

      EtlGrpcService service = serviceOptions.build();
      builder.addService(ServerInterceptors.intercept(service, interceptorChain()));
      HealthStatusManager health = null;
      if (healthEnabled) {
        health = new HealthStatusManager();
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
        health.setStatus(EtlServiceDescriptors.SERVICE_NAME, ServingStatus.NOT_SERVING);
        builder.addService(health.getHealthService());
      }
      if (reflectionEnabled) {
        addReflection(builder);
      }
      return new EtlServer(this, service, builder.build(), health);
    }

    /**
     * Adds server reflection as {@code grpc.reflection.v1} and as the older
     * {@code grpc.reflection.v1alpha}, the only version that older grpcurl releases and other
     * older tools call.
     */
    @SuppressWarnings("deprecation") // grpc-java deprecates the v1alpha service in favour of v1
    private static void addReflection(ServerBuilder<?> builder) {
      builder.addService(ProtoReflectionServiceV1.newInstance());
      builder.addService(ProtoReflectionService.newInstance());
    }

    /**
     * Returns the interceptors in the order {@link ServerInterceptors#intercept} expects, which
     * calls the last one first: the rejection counter runs first, then the caller's interceptors
     * in the order added, then the concurrency cap.
     */
    private List<ServerInterceptor> interceptorChain() {
      List<ServerInterceptor> chain = new ArrayList<>();
      if (maxConcurrentCalls > 0) {
        chain.add(new ConcurrentCallLimiter(maxConcurrentCalls));
      }
      for (int i = interceptors.size() - 1; i >= 0; i--) {
        chain.add(interceptors.get(i));
      }
      if (meterRegistry != null) {
        chain.add(new RejectedCallsInterceptor(meterRegistry));
      }
      return chain;
    }

    private NettyServerBuilder nettyBuilder() {
      InetSocketAddress socketAddress = bindAddress == null
          ? new InetSocketAddress(port)
          : new InetSocketAddress(bindAddress, port);
      NettyServerBuilder builder = NettyServerBuilder.forAddress(socketAddress, credentials);
      if (maxConcurrentCallsPerConnection > 0) {
        builder.maxConcurrentCallsPerConnection(maxConcurrentCallsPerConnection);
      }
      return builder;
    }

    private ServerBuilder<?> checkedTransport() {
      if (!nettyOnlyOptions.isEmpty()) {
        throw new IllegalStateException("Options " + nettyOnlyOptions + " apply to the Netty"
            + " transport only; configure them on the ServerBuilder passed to transport()");
      }
      return transport;
    }

    private static Duration positive(Duration value, String option) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(option + " is " + value + "; use a positive duration");
      }
      return value;
    }
  }
}
