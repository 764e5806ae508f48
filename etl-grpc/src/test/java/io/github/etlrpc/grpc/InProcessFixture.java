package io.github.etlrpc.grpc;

import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.core.EtlEngines;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real engine with an in-memory store, the service adapter on an in-process server with direct
 * executors, and a client. With direct executors the server handles each client message on the
 * thread that sends it, so a test can check the engine right after a send.
 */
final class InProcessFixture implements AutoCloseable {
  final RecordingPipeline pipeline;
  final EtlEngine engine;
  final EtlGrpcService service;
  final Server server;
  final ManagedChannel channel;
  final EtlClient client;

  private InProcessFixture(RecordingPipeline pipeline, EtlEngine engine, EtlGrpcService service,
      Server server, ManagedChannel channel) {
    this.pipeline = pipeline;
    this.engine = engine;
    this.service = service;
    this.server = server;
    this.channel = channel;
    this.client = EtlClient.of(channel);
  }

  static InProcessFixture start(Path workDirectory) throws IOException {
    return start(workDirectory, RecordingPipeline.open(), options -> {});
  }

  static InProcessFixture start(Path workDirectory, RecordingPipeline pipeline,
      Consumer<EtlGrpcService.Builder> options, ServerInterceptor... interceptors)
      throws IOException {
    EtlEngine engine = EtlEngines.newBuilder()
        .workDirectory(workDirectory)
        .inMemoryStore()
        .pipeline(pipeline)
        .build();
    EtlGrpcService.Builder builder = EtlGrpcService.newBuilder(engine);
    options.accept(builder);
    EtlGrpcService service = builder.build();
    String name = InProcessServerBuilder.generateName();
    Server server = InProcessServerBuilder.forName(name)
        .directExecutor()
        .addService(ServerInterceptors.intercept(service, interceptors))
        .build()
        .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    return new InProcessFixture(pipeline, engine, service, server, channel);
  }

  /** Returns every round the engine holds, in any state. */
  List<RoundInfo> allRounds() {
    return engine.rounds(EnumSet.allOf(RoundState.class));
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.shutdownNow();
    pipeline.openGate();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
      server.awaitTermination(5, TimeUnit.SECONDS);
      engine.shutdown(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      engine.close();
    }
  }
}
