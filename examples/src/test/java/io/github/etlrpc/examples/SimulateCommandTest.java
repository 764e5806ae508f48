package io.github.etlrpc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class SimulateCommandTest {

  @Test
  void simulate_unreachableServerExitsOne() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }

    CliRun run = CliRun.execute("simulate", "--target", "127.0.0.1:" + closedPort,
        "--clients", "2", "--oms-rows", "5", "--hospital-min-rows", "5",
        "--hospital-max-rows", "5", "--secretaria-rows", "5");

    assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
    assertThat(run.out()).contains("UNAVAILABLE");
    assertThat(run.out()).containsPattern("(?m)^total +0 +6 ");
  }

  @Test
  void simulate_certWithoutKeyIsRejected() {
    CliRun run = CliRun.execute("simulate", "--tls-ca", "ca.pem", "--tls-cert", "c.pem");

    assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
    assertThat(run.err()).contains("--tls-cert and --tls-key go together");
  }

  @Test
  void simulate_negativeChunkIsRejected() {
    CliRun run = CliRun.execute("simulate", "--stream-chunk-rows", "-1");

    assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
    assertThat(run.err()).contains("error: --stream-chunk-rows is -1; use 0 or more");
  }
}
