package io.github.etlrpc.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsHttpServerTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpClient http = HttpClient.newHttpClient();
  private MetricsHttpServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = MetricsHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void metrics_servesScrape() throws Exception {
    Counter.builder("etl.test.events").tag("kind", "sample").register(registry).increment(3);

    HttpResponse<String> response = get("/metrics", "GET");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue(
        "text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body()).contains("etl_test_events_total{kind=\"sample\"} 3.0");
  }

  @Test
  void metrics_otherPathIsNotFound() throws Exception {
    assertThat(get("/metrics/extra", "GET").statusCode()).isEqualTo(404);
  }

  @Test
  void metrics_postIsMethodNotAllowed() throws Exception {
    HttpResponse<String> response = get("/metrics", "POST");

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void metrics_stalledClientDoesNotBlockScrape() throws Exception {
    try (Socket stalled = new Socket("127.0.0.1", server.port())) {
      stalled.getOutputStream().write(
          "GET /metrics HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      stalled.getOutputStream().flush();

      HttpRequest request = HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
          .timeout(Duration.ofSeconds(5))
          .build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
    }
  }

  private HttpResponse<String> get(String path, String method) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody())
        .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
