package io.github.etlrpc.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code server} command with mutual TLS in a child JVM. */
class ServerTlsProcessTest {
  private static final Pattern SERVING = Pattern.compile("Serving on 127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path dir;

  @Test
  void server_mutualTlsAdmitsOnlyCertifiedClients() throws Exception {
    TestCertificates authority = TestCertificates.newAuthority("etl examples test CA");
    Path ca = authority.writeCaCertificate(dir.resolve("ca.pem"));
    authority.issueLeaf("server", dir.resolve("server.pem"), dir.resolve("server-key.pem"));
    authority.issueLeaf("client", dir.resolve("client.pem"), dir.resolve("client-key.pem"));

    try (ChildJvm server = ChildJvm.start(dir.resolve("server.log"), Map.of(), "server",
        "--port", "0", "--bind", "127.0.0.1", "--in-memory",
        "--work-dir", dir.resolve("work").toString(),
        "--tls-cert", dir.resolve("server.pem").toString(),
        "--tls-key", dir.resolve("server-key.pem").toString(),
        "--tls-client-ca", ca.toString())) {
      String target = "127.0.0.1:" + awaitPort(server);

      CliRun certified = simulate(target, "--tls-ca", ca.toString(),
          "--tls-cert", dir.resolve("client.pem").toString(),
          "--tls-key", dir.resolve("client-key.pem").toString());
      CliRun withoutCertificate = simulate(target, "--tls-ca", ca.toString());
      CliRun plaintext = simulate(target);

      assertThat(certified.exitCode()).as(certified.describe()).isZero();
      assertThat(withoutCertificate.exitCode()).as(withoutCertificate.describe()).isEqualTo(1);
      assertThat(withoutCertificate.out()).contains("UNAVAILABLE");
      assertThat(plaintext.exitCode()).as(plaintext.describe()).isEqualTo(1);
      assertThat(plaintext.out()).contains("UNAVAILABLE");
    }
  }

  @Test
  void server_missingKeyFileExitsOne() throws Exception {
    TestCertificates authority = TestCertificates.newAuthority("etl examples test CA");
    authority.issueLeaf("server", dir.resolve("server.pem"), dir.resolve("server-key.pem"));
    Path missingKey = dir.resolve("missing-key.pem");

    try (ChildJvm server = ChildJvm.start(dir.resolve("server.log"), Map.of(), "server",
        "--port", "0", "--bind", "127.0.0.1", "--in-memory",
        "--work-dir", dir.resolve("work").toString(),
        "--tls-cert", dir.resolve("server.pem").toString(),
        "--tls-key", missingKey.toString())) {

      assertThat(server.exitCode(60)).as(server.output()).isEqualTo(1);
      assertThat(server.output()).contains("error: ").contains(missingKey.toString());
    }
  }

  private static CliRun simulate(String target, String... tlsArgs) {
    String[] common = {"simulate", "--target", target, "--clients", "1", "--per-client-keys",
        "--oms-rows", "5", "--hospital-min-rows", "5", "--hospital-max-rows", "5",
        "--secretaria-rows", "5"};
    String[] args = new String[common.length + tlsArgs.length];
    System.arraycopy(common, 0, args, 0, common.length);
    System.arraycopy(tlsArgs, 0, args, common.length, tlsArgs.length);
    return CliRun.execute(args);
  }

  private static int awaitPort(ChildJvm child) {
    return await().atMost(Duration.ofSeconds(60)).until(() -> {
      if (!child.process().isAlive()) {
        throw new AssertionError("Server exited early:\n" + child.output());
      }
      Matcher matcher = SERVING.matcher(child.output());
      return matcher.find() ? Integer.parseInt(matcher.group(1)) : null;
    }, port -> port != null);
  }
}
