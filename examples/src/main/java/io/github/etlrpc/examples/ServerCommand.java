package io.github.etlrpc.examples;

import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.grpc.EtlServer;
import io.github.etlrpc.grpc.MetricsHttpServer;
import io.github.etlrpc.grpc.security.BearerTokenAuthenticator;
import io.github.etlrpc.grpc.security.TlsSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code server}: the gRPC server and engine, until SIGTERM or Ctrl-C. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the etl.ETLService gRPC server and the round engine until SIGTERM or Ctrl-C, then"
          + " stops accepting calls, lets calls in progress finish and waits for running"
          + " pipelines for up to --shutdown-grace."
    })
final class ServerCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServerCommand.class);

  @Mixin private EngineOptions engineOptions;

  @Mixin private ServerLimitOptions limits;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "50051",
      description = "TCP port; 0 picks a free port. Default: ${DEFAULT-VALUE}.")
  private int port;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
      description = "Address to listen on. Default: ${DEFAULT-VALUE} (all IPv4 interfaces);"
          + " without TLS and tokens, use 127.0.0.1 outside a trusted network.")
  private String bindAddress;

  @Option(names = "--wait-for-pipeline", paramLabel = "DURATION",
      converter = CliConverters.DurationConverter.class,
      description = "The call that completes a round waits up to this long for its pipeline"
          + " and reports the final state (such as 5m). Default: replies without waiting.")
  private @Nullable Duration waitForPipeline;

  @Option(names = "--tls-cert", paramLabel = "PEM",
      description = "Server certificate chain; turns on TLS together with --tls-key."
          + " Default: plaintext.")
  private @Nullable Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM",
      description = "Unencrypted PKCS#8 private key of --tls-cert.")
  private @Nullable Path tlsKey;

  @Option(names = "--tls-client-ca", paramLabel = "PEM",
      description = "Requires clients to present a certificate signed by a CA in this file"
          + " (mutual TLS). Needs --tls-cert.")
  private @Nullable Path tlsClientCa;

  @Option(names = "--tokens-file", paramLabel = "FILE",
      description = "Requires a bearer token from this file: one token per line, optionally"
          + " followed by the origins it may send (token oms,hospital); # starts a comment.")
  private @Nullable Path tokensFile;

  @Option(names = "--tokens-env", paramLabel = "VARIABLE",
      description = "Requires a bearer token from this environment variable, entries in the"
          + " --tokens-file format separated by semicolons.")
  private @Nullable String tokensEnv;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Serves Prometheus metrics at http://127.0.0.1:PORT/metrics."
          + " Default: off.")
  private @Nullable Integer metricsPort;

  @Option(names = "--shutdown-grace", paramLabel = "DURATION", defaultValue = "30s",
      converter = CliConverters.DurationConverter.class,
      description = "On shutdown, how long calls in progress and pipeline runs may take before"
          + " they are cut off. With the durable store, cut-off rounds run again on the next"
          + " start. Default: ${DEFAULT-VALUE}.")
  private Duration shutdownGrace;

  @Override
  public Integer call() throws Exception {
    validate();
    checkPortFree();
    PrometheusMeterRegistry registry =
        metricsPort == null ? null : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EtlEngine engine = engineOptions.buildEngine(registry, limits::applyTo);
    EtlServer server = startServer(engine, registry);
    MetricsHttpServer metrics = null;
    if (registry != null) {
      try {
        metrics = MetricsHttpServer.start(
            new InetSocketAddress("127.0.0.1", metricsPort), registry);
      } catch (IOException e) {
        server.shutdown(shutdownGrace);
        throw new UncheckedIOException(
            "Cannot serve metrics on 127.0.0.1:" + metricsPort + ": " + e.getMessage(), e);
      }
    }
    MetricsHttpServer startedMetrics = metrics;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Shutdown requested; grace {}", shutdownGrace);
      try {
        server.shutdown(shutdownGrace);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        if (startedMetrics != null) {
          startedMetrics.close();
        }
      }
    }, "etl-shutdown"));
    log.info("Serving on {}:{}; work directory {}; pipeline {}", bindAddress, server.port(),
        engineOptions.workDirectory.toAbsolutePath(),
        engineOptions.pipelineCommand == null ? "in-JVM reference pipeline writing to "
            + engineOptions.outputDirectory().toAbsolutePath() : engineOptions.pipelineCommand);
    server.awaitTermination();
    return 0;
  }

  /**
   * Checks the option values before anything starts, naming the flag of the first invalid one.
   *
   * @throws IllegalArgumentException if a value is out of range
   */
  private void validate() {
    OptionChecks.port(port, "--port");
    if (metricsPort != null) {
      OptionChecks.port(metricsPort, "--metrics-port");
    }
    if (waitForPipeline != null) {
      OptionChecks.positive(waitForPipeline, "--wait-for-pipeline");
    }
    OptionChecks.notNegative(shutdownGrace, "--shutdown-grace");
    limits.validate();
    engineOptions.validate();
  }

  /**
   * Binds and closes a socket on the server's address, so that a port in use is reported before
   * the engine starts and resumes the store's unfinished rounds.
   *
   * <p>NOTE: another process can still take the port between this check and the server's own
   * bind; {@link #startServer} then shuts the engine down and reports the same error.
   */
  private void checkPortFree() {
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      // Like the server's own socket, so connections left in TIME_WAIT do not count as in use.
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(bindAddress, port));
    } catch (IOException e) {
      throw cannotListen(e);
    }
  }

  /** Builds and starts the server; if that fails, shuts the engine down before rethrowing. */
  private EtlServer startServer(EtlEngine engine, @Nullable PrometheusMeterRegistry registry)
      throws InterruptedException {
    EtlServer server;
    try {
      server = configureServer(engine, registry).build();
    } catch (RuntimeException | Error e) {
      engine.shutdown(shutdownGrace);
      throw e;
    }
    try {
      return server.start();
    } catch (IOException e) {
      server.shutdown(shutdownGrace);
      throw cannotListen(e);
    } catch (RuntimeException | Error e) {
      server.shutdown(shutdownGrace);
      throw e;
    }
  }

  /** Returns the one-line error for a failed bind, with the address and what to change. */
  private UncheckedIOException cannotListen(IOException failure) {
    Throwable cause = failure;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    // Netty's native transport reports EADDRINUSE as its own IOException, not a BindException.
    String advice = String.valueOf(cause.getMessage()).contains("in use")
        ? "choose another --port (0 picks a free one) or stop the program that uses it"
        : "check --bind and --port";
    return new UncheckedIOException("Cannot listen on " + bindAddress + ":" + port + ": "
        + cause.getMessage() + "; " + advice, failure);
  }

  private EtlServer.Builder configureServer(EtlEngine engine,
      @Nullable PrometheusMeterRegistry registry) {
    EtlServer.Builder builder = EtlServer.newBuilder(engine)
        .port(port)
        .bindAddress(bindAddress);
    limits.applyTo(builder);
    if (waitForPipeline != null) {
      builder.service(options -> options.waitForPipeline(waitForPipeline));
    }
    if (registry != null) {
      builder.meterRegistry(registry);
    }
    if (tlsCert != null || tlsKey != null) {
      if (tlsCert == null || tlsKey == null) {
        throw new IllegalArgumentException("--tls-cert and --tls-key go together; got only "
            + (tlsCert == null ? "--tls-key " + tlsKey : "--tls-cert " + tlsCert));
      }
      TlsSettings.ForServer tls = TlsSettings.server(tlsCert, tlsKey);
      if (tlsClientCa != null) {
        tls = tls.requireClientAuth(tlsClientCa);
      }
      builder.serverCredentials(tls.toServerCredentials());
    } else if (tlsClientCa != null) {
      throw new IllegalArgumentException(
          "--tls-client-ca " + tlsClientCa + " needs --tls-cert and --tls-key");
    }
    if (tokensFile != null && tokensEnv != null) {
      throw new IllegalArgumentException("Use --tokens-file " + tokensFile + " or --tokens-env "
          + tokensEnv + ", not both");
    }
    if (tokensFile != null) {
      builder.intercept(BearerTokenAuthenticator.fromFile(tokensFile));
    } else if (tokensEnv != null) {
      builder.intercept(BearerTokenAuthenticator.fromEnvironment(tokensEnv));
    }
    return builder;
  }
}
