package io.github.etlrpc.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BenchServer} in a child JVM on this machine. Its standard output and error go to a
 * log file; the port comes from the line {@link BenchServer#PORT_LINE_PREFIX} prints. Closing
 * the child's standard input stops it. Thread-safe.
 */
final class ChildServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChildServer.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);

  private final String label;
  private final Process process;
  private final int port;
  private final Path logFile;

  private ChildServer(String label, Process process, int port, Path logFile) {
    this.label = label;
    this.process = process;
    this.port = port;
    this.logFile = logFile;
  }

  /**
   * Starts {@code java <jvmArgs> -cp <classPath> BenchServer <serverArgs>} and waits up to
   * {@code startTimeout} for it to print its port.
   *
   * @throws IOException if the JVM cannot start, exits early or prints no port in time; the
   *     message names the log file
   */
  static ChildServer start(String label, Path javaExecutable, String classPath,
      List<String> jvmArgs, List<String> serverArgs, Path logFile, Duration startTimeout)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(javaExecutable.toString());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classPath);
    command.add(BenchServer.class.getName());
    command.addAll(serverArgs);
    Files.createDirectories(logFile.toAbsolutePath().getParent());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    log.info("Started {} server, pid {}: {}", label, process.pid(), String.join(" ", command));
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread copier = new Thread(() -> copyOutput(process, logFile, port),
        "bench-server-output-" + process.pid());
    copier.setDaemon(true);
    copier.start();
    try {
      int bound = port.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return new ChildServer(label, process, bound, logFile);
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new IOException("The " + label + " server (pid " + process.pid() + ") printed no port"
          + " within " + startTimeout.toSeconds() + " s; see " + logFile, e);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** Copies the child's output to {@code logFile} and completes {@code port} from its line. */
  private static void copyOutput(Process process, Path logFile, CompletableFuture<Integer> port) {
    try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        BufferedWriter writer = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (!port.isDone() && line.startsWith(BenchServer.PORT_LINE_PREFIX)) {
          port.complete(Integer.parseInt(line.substring(BenchServer.PORT_LINE_PREFIX.length())));
        }
        writer.write(line);
        writer.newLine();
        writer.flush();
      }
      port.completeExceptionally(new IOException("exited with code " + process.waitFor()
          + " before printing its port"));
    } catch (IOException | RuntimeException e) {
      port.completeExceptionally(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      port.completeExceptionally(e);
    }
  }

  String label() {
    return label;
  }

  long pid() {
    return process.pid();
  }

  int port() {
    return port;
  }

  Path logFile() {
    return logFile;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Closes the child's standard input so that it shuts down, waits up to 40 seconds, then kills
   * it.
   */
  @Override
  public void close() throws InterruptedException {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      log.warn("Cannot close the input of the {} server (pid {}): {}", label, process.pid(),
          e.toString());
    }
    if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      log.warn("The {} server (pid {}) did not stop within {} s; killing it", label,
          process.pid(), STOP_TIMEOUT.toSeconds());
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      return;
    }
    log.info("The {} server (pid {}) stopped with exit code {}; log {}", label, process.pid(),
        process.exitValue(), logFile);
  }
}
