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

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "50051",
      description = "TCP port; 0 picks a free port. Default: ${DEFAULT-VALUE}.")
  private int port;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
      description = "Address to listen on. Default: ${DEFAULT-VALUE} (all IPv4 interfaces).")
  private String bindAddress;

  @Option(names = "--max-message-size", paramLabel = "BYTES", defaultValue = "67108864",
      description = "Largest request message accepted, in bytes. Default: ${DEFAULT-VALUE}"
          + " (64 MiB); clients sending 75,000-row files need about 2 MB.")
  private int maxMessageSize;

  @Option(names = "--max-rows-per-batch", paramLabel = "N", defaultValue = "1000000",
      description = "Maximum rows in one batch; larger batches get RESOURCE_EXHAUSTED."
          + " Default: ${DEFAULT-VALUE}.")
  private int maxRowsPerBatch;

  @Option(names = "--max-concurrent-calls", paramLabel = "N",
      description = "Maximum calls in progress at once over all connections; calls over it get"
          + " RESOURCE_EXHAUSTED. Default: no limit.")
  private @Nullable Integer maxConcurrentCalls;

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
    PrometheusMeterRegistry registry =
        metricsPort == null ? null : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EtlEngine engine = engineOptions.buildEngine(registry);
    EtlServer server;
    try {
      server = configureServer(engine, registry).build().start();
    } catch (Exception | Error e) {
      engine.close();
      throw e;
    }
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

  private EtlServer.Builder configureServer(EtlEngine engine,
      @Nullable PrometheusMeterRegistry registry) {
    EtlServer.Builder builder = EtlServer.newBuilder(engine)
        .port(port)
        .bindAddress(bindAddress)
        .maxInboundMessageSize(maxMessageSize)
        .service(options -> {
          options.maxRowsPerBatch(maxRowsPerBatch);
          if (waitForPipeline != null) {
            options.waitForPipeline(waitForPipeline);
          }
        });
    if (maxConcurrentCalls != null) {
      builder.maxConcurrentCalls(maxConcurrentCalls);
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
