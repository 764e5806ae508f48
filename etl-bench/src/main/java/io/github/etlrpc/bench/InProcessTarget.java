package io.github.etlrpc.bench;

import io.github.etlrpc.grpc.EtlServiceDescriptors;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process gRPC server with one service and a blocking client channel to it, plus the
 * pre-built requests of one round that {@link #send()} rotates through. Used by the JMH
 * benchmarks of the gRPC path. Thread-safe.
 */
final class InProcessTarget implements AutoCloseable {
  /** Larger than any benchmark request: 100,000 rows take about 3 MB. */
  private static final int MAX_MESSAGE_BYTES = 64 << 20;

  private final Server server;
  private final ManagedChannel channel;
  private final EtlServiceDescriptors.BlockingStub stub;
  private final List<DadosRequest> requests;
  private final AtomicLong sequence = new AtomicLong();

  private InProcessTarget(Server server, ManagedChannel channel, List<DadosRequest> requests) {
    this.server = server;
    this.channel = channel;
    this.stub = EtlServiceDescriptors.newBlockingStub(channel);
    this.requests = requests;
  }

  /**
   * Starts an in-process server for {@code service} under a unique name. The server runs calls on
   * grpc's default executor, so each call crosses threads as it does over a network transport.
   */
  static InProcessTarget start(BindableService service, List<DadosRequest> requests) {
    String name = InProcessServerBuilder.generateName();
    Server server;
    try {
      server = InProcessServerBuilder.forName(name)
          .maxInboundMessageSize(MAX_MESSAGE_BYTES)
          .addService(service)
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start in-process server " + name, e);
    }
    ManagedChannel channel = InProcessChannelBuilder.forName(name)
        .maxInboundMessageSize(MAX_MESSAGE_BYTES)
        .build();
    return new InProcessTarget(server, channel, requests);
  }

  /**
   * Sends the next request of the rotation: OMS, hospital, secretaria, OMS, and so on, so that
   * every three calls complete a round of the default completion policy whichever thread sends.
   */
  DadosResponse send() {
    DadosRequest request = requests.get((int) (sequence.getAndIncrement() % requests.size()));
    return stub.enviarDados(request);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(10, TimeUnit.SECONDS);
    server.awaitTermination(10, TimeUnit.SECONDS);
  }
}
