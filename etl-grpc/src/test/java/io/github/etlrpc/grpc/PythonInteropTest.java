package io.github.etlrpc.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.core.EtlEngines;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs src/test/python/interop_client.py, which uses Python stubs generated here from etl.proto,
 * against a loopback server. Skipped only when /usr/bin/python3 cannot import grpc.
 */
class PythonInteropTest {
  private static final String PYTHON = "/usr/bin/python3";
  private static final Path PROTO_DIR = Path.of("src/main/proto");
  private static final Path CLIENT = Path.of("src/test/python/interop_client.py");
  private static final long PROCESS_TIMEOUT_SECONDS = 90;

  @TempDir Path workDirectory;
  @TempDir Path stubDirectory;

  @Test
  void pythonClient_roundReachesConcluida() throws Exception {
    Assumptions.assumeTrue(run(List.of(PYTHON, "-c", "import grpc")).exitCode() == 0,
        PYTHON + " cannot import grpc");
    generateStubs();
    EtlEngine engine = EtlEngines.newBuilder()
        .workDirectory(workDirectory)
        .inMemoryStore()
        .pipeline(RecordingPipeline.open())
        .build();
    EtlServer server = EtlServer.newBuilder(engine).port(0).bindAddress("127.0.0.1").build()
        .start();
    try {
      Result result = run(List.of(PYTHON, CLIENT.toString(), "127.0.0.1:" + server.port(),
          stubDirectory.toString()));

      assertThat(result.exitCode()).as(result.output()).isZero();
      assertThat(result.output()).contains("VERDICT: PASS");
      String roundId = result.output().lines()
          .filter(line -> line.startsWith("ROUND "))
          .map(line -> line.substring("ROUND ".length()).trim())
          .findFirst()
          .orElseThrow(() -> new AssertionError("No ROUND line in:\n" + result.output()));
      assertThat(engine.round(roundId).orElseThrow().state()).isEqualTo(RoundState.CONCLUIDA);
      assertThat(engine.round(roundId).orElseThrow().rowsBySource())
          .containsEntry("oms", 120L)
          .containsEntry("hospital", 80L)
          .containsEntry("secretaria", 200L);
    } finally {
      server.shutdown(Duration.ofSeconds(10));
    }
  }

  /** Generates etl_pb2.py and etl_pb2_grpc.py with grpc_tools if present, else with protoc. */
  private void generateStubs() throws IOException, InterruptedException {
    Path proto = PROTO_DIR.resolve("etl.proto");
    Result withGrpcTools = run(List.of(PYTHON, "-m", "grpc_tools.protoc", "-I" + PROTO_DIR,
        "--python_out=" + stubDirectory, "--grpc_python_out=" + stubDirectory,
        proto.toString()));
    if (withGrpcTools.exitCode() != 0) {
      Result withProtoc = run(List.of("protoc", "-I" + PROTO_DIR,
          "--python_out=" + stubDirectory, "--grpc_out=" + stubDirectory,
          "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin", proto.toString()));
      assertThat(withProtoc.exitCode())
          .as("Neither grpc_tools nor protoc with grpc_python_plugin generated stubs:\n%s\n%s",
              withGrpcTools.output(), withProtoc.output())
          .isZero();
    }
    assertThat(stubDirectory.resolve("etl_pb2_grpc.py")).exists();
  }

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(-1, "Cannot start " + command.get(0) + ": " + e.getMessage());
    }
    process.getOutputStream().close();
    // Output is small, so reading it to the end before waitFor cannot fill the pipe.
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return new Result(-1, output + "\n(timed out after " + PROCESS_TIMEOUT_SECONDS + " s)");
    }
    return new Result(process.exitValue(), output);
  }

  private record Result(int exitCode, String output) {}
}
