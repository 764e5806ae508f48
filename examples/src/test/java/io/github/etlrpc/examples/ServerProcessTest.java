package io.github.etlrpc.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code server} command in a child JVM, driven by the other commands in this JVM. */
class ServerProcessTest {
  private static final String TOKEN = "test-token-0123456789abcdef";
  private static final Pattern SERVING = Pattern.compile("Serving on 127\\.0\\.0\\.1:(\\d+)");
  private static final Pattern METRICS =
      Pattern.compile("metrics served on http://127\\.0\\.0\\.1:(\\d+)/metrics");

  @TempDir Path dir;

  @Test
  void server_servesAuthenticatedClientsUntilSigterm() throws Exception {
    // Secretaria is sent last and two files are required, so rounds stay ABERTA until a second run.
    try (ChildJvm server = ChildJvm.start(dir.resolve("server.log"),
        Map.of("ETL_TEST_TOKENS", TOKEN), "server", "--port", "0", "--bind", "127.0.0.1",
        "--work-dir", dir.resolve("work").toString(), "--min-batches", "secretaria=2",
        "--tokens-env", "ETL_TEST_TOKENS", "--metrics-port", "0", "--shutdown-grace", "20s")) {
      String target = "127.0.0.1:" + awaitNumber(server, SERVING);
      int metricsPort = awaitNumber(server, METRICS);

      CliRun streamed = simulate(target, "--token", TOKEN, "--stream-chunk-rows", "7");
      assertThat(streamed.exitCode()).as(streamed.describe()).isZero();

      StringWriter watchOut = new StringWriter();
      StringWriter watchErr = new StringWriter();
      CommandLine watchCommand = EtlCli.commandLine();
      watchCommand.setOut(new PrintWriter(watchOut, true));
      watchCommand.setErr(new PrintWriter(watchErr, true));
      CompletableFuture<Integer> watch = CompletableFuture.supplyAsync(
          () -> watchCommand.execute("watch", "--target", target, "--token", TOKEN));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(watchOut.toString()).contains("key=proc-1-1 ABERTA");
        assertThat(watchOut.toString()).contains("key=proc-2-1 ABERTA");
      });

      CliRun unary = simulate(target, "--token", TOKEN);
      assertThat(unary.exitCode()).as(unary.describe()).isZero();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(watchOut.toString()).contains("key=proc-1-1 CONCLUIDA");
        assertThat(watchOut.toString()).contains("key=proc-2-1 CONCLUIDA");
      });

      CliRun anonymous = simulate(target);
      assertThat(anonymous.exitCode()).as(anonymous.describe()).isEqualTo(1);
      assertThat(anonymous.out()).contains("UNAUTHENTICATED");

      HttpResponse<String> metrics = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
              .timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("# TYPE");

      server.process().destroy();

      assertThat(server.exitCode(60)).as(server.output()).isEqualTo(143);
      assertThat(server.output()).contains("Shutdown requested");
      assertThat(watch.get(30, TimeUnit.SECONDS)).as(watchErr.toString()).isEqualTo(1);
      assertThat(watchErr.toString()).contains("UNAVAILABLE");
    }
  }

  /** Runs two clients with one small round each, keys proc-1-1 and proc-2-1. */
  private static CliRun simulate(String target, String... extraArgs) {
    List<String> args = new ArrayList<>(List.of("simulate", "--target", target,
        "--clients", "2", "--per-client-keys", "--round-key", "proc", "--oms-rows", "30",
        "--hospital-min-rows", "10", "--hospital-max-rows", "12", "--secretaria-rows", "40"));
    args.addAll(List.of(extraArgs));
    return CliRun.execute(args.toArray(String[]::new));
  }

  private static int awaitNumber(ChildJvm child, Pattern pattern) {
    return await().atMost(Duration.ofSeconds(60)).until(() -> {
      if (!child.process().isAlive()) {
        throw new AssertionError("Server exited early:\n" + child.output());
      }
      Matcher matcher = pattern.matcher(child.output());
      return matcher.find() ? Integer.parseInt(matcher.group(1)) : null;
    }, port -> port != null);
  }
}
