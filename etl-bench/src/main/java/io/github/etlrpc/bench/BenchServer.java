package io.github.etlrpc.bench;

import io.github.etlrpc.grpc.EtlServer;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Server process of the load generator: one of the servers under test on loopback Netty, run in
 * a JVM of its own so that its CPU time can be read from {@code /proc/<pid>/stat} without the
 * clients' share. Modes:
 *
 * <ul>
 *   <li>{@code bare}: {@link BareEtlService}, which parses each request and acknowledges it.
 *   <li>{@code etl-sqlite}: {@link EtlServer} over an engine with the durable SQLite store and a
 *       {@link NoOpPipeline}; with {@code --handoff-files} the engine also writes the JSON
 *       hand-off files of every sealed round.
 *   <li>{@code etl-memory}: the same with the in-memory store.
 * </ul>
 *
 * <p>Once listening it prints {@code bench-server-port <port>} on a line of its own to standard
 * output, then serves until standard input reaches end of file or the JVM gets SIGTERM, and shuts
 * down, deleting a work directory it created itself. Logs go to standard error.
 *
 * <p>Run: {@code java -cp etl-bench/target/benchmarks.jar io.github.etlrpc.bench.BenchServer
 * --mode etl-sqlite --port 0}.
 */
@Command(name = "BenchServer", mixinStandardHelpOptions = true,
    description = "Runs one server under test for the load generator on loopback until standard"
        + " input closes.")
public final class BenchServer implements Callable<Integer> {
  /** Prefix of the line that announces the bound port on standard output. */
  public static final String PORT_LINE_PREFIX = "bench-server-port ";

  private static final Logger log = LoggerFactory.getLogger(BenchServer.class);
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);
  private static final int MAX_MESSAGE_BYTES = 64 << 20;

  /** Kinds of server this process can run. */
  public enum Mode {
    BARE, ETL_SQLITE, ETL_MEMORY;

    static Mode parse(String name) {
      for (Mode mode : values()) {
        if (mode.label().equalsIgnoreCase(name.trim())) {
          return mode;
        }
      }
      throw new IllegalArgumentException(
          "Unknown mode '" + name + "'; use bare, etl-sqlite or etl-memory");
    }

    /** Name on the command line: {@code bare}, {@code etl-sqlite} or {@code etl-memory}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  @Option(names = "--mode", required = true, converter = ModeConverter.class,
      description = "Server under test: bare, etl-sqlite or etl-memory.")
  private Mode mode = Mode.BARE;

  @Option(names = "--port", defaultValue = "0",
      description = "TCP port; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
  private int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1",
      description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
  private String bindAddress = "127.0.0.1";

  @Option(names = "--handoff-files",
      description = "etl modes: the engine writes the JSON hand-off files of every sealed round"
          + " before the no-op pipeline runs. Default: off.")
  private boolean handoffFiles;

  @Option(names = "--work-dir",
      description = "etl modes: work directory, kept after exit. Default: a new temporary"
          + " directory, deleted on exit.")
  private @Nullable Path workDirectory;

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchServer()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Running running = start();
    Runtime.getRuntime().addShutdownHook(new Thread(running::stop, "bench-server-stop"));
    PrintStream out = System.out;
    out.println(PORT_LINE_PREFIX + running.port());
    out.flush();
    waitForEndOfInput(System.in);
    running.stop();
    return 0;
  }

  private Running start() throws IOException {
    if (mode == Mode.BARE) {
      Server server = NettyServerBuilder
          .forAddress(new InetSocketAddress(bindAddress, port), InsecureServerCredentials.create())
          .maxInboundMessageSize(MAX_MESSAGE_BYTES)
          .addService(new BareEtlService())
          .build()
          .start();
      log.info("Bare server listening on {}:{}", bindAddress, server.getPort());
      return new Running(server.getPort(), () -> {
        server.shutdown();
        server.awaitTermination(SHUTDOWN_GRACE.toSeconds(), TimeUnit.SECONDS);
      });
    }
    boolean ownDirectory = workDirectory == null;
    Path work = ownDirectory ? Files.createTempDirectory("etl-bench-server-") : workDirectory;
    StoreKind store = mode == Mode.ETL_SQLITE ? StoreKind.SQLITE : StoreKind.MEMORY;
    NoOpPipeline pipeline =
        handoffFiles ? NoOpPipeline.withHandoffFiles() : NoOpPipeline.withoutHandoffFiles();
    BenchEngine engine = BenchEngine.start(store, pipeline, work);
    EtlServer server = EtlServer.newBuilder(engine.engine())
        .bindAddress(bindAddress)
        .port(port)
        .maxInboundMessageSize(MAX_MESSAGE_BYTES)
        .build()
        .start();
    return new Running(server.port(), () -> {
      server.shutdown(SHUTDOWN_GRACE);
      log.info("Server stopped after {} pipeline runs", pipeline.runs());
      if (ownDirectory) {
        BenchEngine.deleteRecursively(work);
      }
    });
  }

  /** Blocks until {@code input} reaches end of file, discarding anything read. */
  private static void waitForEndOfInput(InputStream input) throws IOException {
    byte[] buffer = new byte[256];
    while (input.read(buffer) >= 0) {
      // The parent never writes; it only closes the stream to stop this process.
    }
  }

  /** A started server and how to stop it; {@link #stop()} runs its action once. */
  private static final class Running {
    private final int port;
    private final StopAction action;
    private boolean stopped;

    Running(int port, StopAction action) {
      this.port = port;
      this.action = action;
    }

    int port() {
      return port;
    }

    synchronized void stop() {
      if (stopped) {
        return;
      }
      stopped = true;
      try {
        action.stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        log.error("Stopping the bench server failed", e);
      }
    }
  }

  @FunctionalInterface
  private interface StopAction {
    void stop() throws Exception;
  }

  /** Converts {@code --mode} values. */
  static final class ModeConverter implements CommandLine.ITypeConverter<Mode> {
    @Override
    public Mode convert(String value) {
      return Mode.parse(value);
    }
  }
}
