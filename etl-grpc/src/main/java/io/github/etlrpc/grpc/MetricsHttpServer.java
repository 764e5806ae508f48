package io.github.etlrpc.grpc;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /metrics} in the Prometheus text format from a
 * {@link PrometheusMeterRegistry}, on the JDK's built-in HTTP server. It has no authentication,
 * so bind it to a loopback or otherwise private address. Thread-safe.
 */
public final class MetricsHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsHttpServer.class);
  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  /** Threads serving requests, so a stalled connection leaves others to serve scrapes. */
  private static final int THREADS = 4;
  /** JDK HTTP server setting: seconds a client may take to send its request. */
  private static final String MAX_REQUEST_SECONDS_PROPERTY = "sun.net.httpserver.maxReqTime";
  private static final long MAX_REQUEST_SECONDS = 10;

  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsHttpServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code address}, such as {@code new InetSocketAddress("127.0.0.1", 9464)} (port 0 picks
   * a free port), and starts serving {@code registry}.
   *
   * @throws IOException if the address cannot be bound
   */
  public static MetricsHttpServer start(InetSocketAddress address,
      PrometheusMeterRegistry registry) throws IOException {
    Objects.requireNonNull(registry, "registry");
    // The JDK server reads each request on an executor thread and by default never gives up on
    // a client that stops sending, so a few threads and a request time limit keep one stalled
    // connection from blocking scrapes. The property is read once per JVM, when the first
    // server is created, and a value set by the application wins.
    if (System.getProperty(MAX_REQUEST_SECONDS_PROPERTY) == null) {
      System.setProperty(MAX_REQUEST_SECONDS_PROPERTY, Long.toString(MAX_REQUEST_SECONDS));
    }
    HttpServer server = HttpServer.create(address, 0);
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(THREADS, runnable -> {
      Thread thread = new Thread(runnable, "etl-metrics-http-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/metrics", exchange -> handle(exchange, registry));
    server.start();
    MetricsHttpServer metrics = new MetricsHttpServer(server, executor);
    log.info("Prometheus metrics served on http://{}:{}/metrics",
        address.getHostString(), metrics.port());
    return metrics;
  }

  /** Returns the bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops serving; a scrape in progress gets up to one second to finish. */
  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
    log.info("Prometheus metrics endpoint on port {} stopped", port());
  }

  private static void handle(HttpExchange exchange, PrometheusMeterRegistry registry)
      throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals("/metrics")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      if (method.equals("HEAD")) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
