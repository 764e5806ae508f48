package io.github.etlrpc.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.etlrpc.api.Batch;
import io.github.etlrpc.api.CompletionPolicy;
import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.core.EtlEngines;
import io.github.etlrpc.grpc.proto.ConsultaRodada;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.Linha;
import io.github.etlrpc.grpc.proto.LinhaOMS;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Random and corrupted messages sent as raw bytes to each of the four RPCs of {@code
 * etl.ETLService} over in-process transport. Every call must end with OK or a status that names
 * the client's mistake; never INTERNAL, UNKNOWN or a hang. A rejected call must leave the
 * engine's rounds exactly as they were, and the server must answer a valid call afterwards.
 *
 * <p>The engine's completion policy never seals a round, so no pipeline run changes rounds in the
 * background between the snapshots taken before and after a call.
 */
class RawBytesFuzzProperties {
  private static final Logger log = LoggerFactory.getLogger(RawBytesFuzzProperties.class);

  private static final String SERVICE = "etl.ETLService/";
  private static final MethodDescriptor<byte[], byte[]> ENVIAR_DADOS =
      rawMethod(MethodType.UNARY, "EnviarDados");
  private static final MethodDescriptor<byte[], byte[]> ENVIAR_DADOS_STREAM =
      rawMethod(MethodType.CLIENT_STREAMING, "EnviarDadosStream");
  private static final MethodDescriptor<byte[], byte[]> CONSULTAR_RODADA =
      rawMethod(MethodType.UNARY, "ConsultarRodada");
  private static final MethodDescriptor<byte[], byte[]> ACOMPANHAR_RODADAS =
      rawMethod(MethodType.SERVER_STREAMING, "AcompanharRodadas");

  /** Codes that tell a client its input was wrong or too large, besides OK. */
  private static final Set<Status.Code> PROPER_CODES =
      EnumSet.of(
          Status.Code.OK,
          Status.Code.INVALID_ARGUMENT,
          Status.Code.NOT_FOUND,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.FAILED_PRECONDITION);

  private static final long CALL_DEADLINE_SECONDS = 10;
  private static final byte[] VALID_REQUEST = validRequest().toByteArray();

  private static final Map<String, Map<Status.Code, AtomicInteger>> codesSeen =
      new ConcurrentHashMap<>();

  private static Path workDirectory;
  private static EtlEngine engine;
  private static Server server;
  private static ManagedChannel channel;
  private static String seedRoundId;

  @BeforeContainer
  static void start() throws IOException {
    workDirectory = Files.createTempDirectory("etl-fuzz-");
    CompletionPolicy neverSeal = (round, sources, nowMs) -> CompletionPolicy.Decision.WAIT;
    engine =
        EtlEngines.newBuilder()
            .workDirectory(workDirectory)
            .inMemoryStore()
            .completionPolicy(neverSeal)
            .pipeline(run -> PipelineResult.succeeded(0))
            .build();
    // A stored round, so that a valid AcompanharRodadas request gets a message at once.
    DadosRequest seed = validRequest().toBuilder().setRodada("fuzz-seed").build();
    byte[] payload = seed.toBuilder().clearOrigem().clearNomeArquivo().clearRodada().build()
        .toByteArray();
    seedRoundId =
        engine.submit(Batch.newBuilder("oms").roundKey("fuzz-seed").payload(payload).build())
            .roundId();
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(EtlGrpcService.newBuilder(engine).build())
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterContainer
  static void stop() throws Exception {
    log.info("fuzz status codes per method: {}", describeCodesSeen());
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (engine != null) {
      engine.shutdown(Duration.ofSeconds(10));
    }
    if (workDirectory != null) {
      try (Stream<Path> paths = Files.walk(workDirectory)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }

  @Property(tries = 200)
  void enviarDados_randomBytes_endProperly(@ForAll("randomMessages") byte[] message)
      throws Exception {
    checkBatchCall(ENVIAR_DADOS, List.of(message));
  }

  @Property(tries = 200)
  void enviarDados_corruptedRequest_endsProperly(@ForAll("corruptedRequests") byte[] message)
      throws Exception {
    checkBatchCall(ENVIAR_DADOS, List.of(message));
  }

  @Property(tries = 200)
  void enviarDadosStream_messageSequence_endsProperly(
      @ForAll("messageSequences") List<byte[]> messages) throws Exception {
    checkBatchCall(ENVIAR_DADOS_STREAM, messages);
  }

  @Property(tries = 200)
  void consultarRodada_randomBytes_endsProperly(@ForAll("queryMessages") byte[] message)
      throws Exception {
    List<RoundInfo> before = allRounds();

    Status status = call(CONSULTAR_RODADA, List.of(message)).status();

    record(CONSULTAR_RODADA, status);
    assertThat(status.getCode()).as("status %s", status).isIn(PROPER_CODES);
    assertThat(allRounds()).as("a query changes no round").isEqualTo(before);
    assertServerAnswers();
  }

  @Property(tries = 200)
  void acompanharRodadas_randomBytes_endsProperly(@ForAll("queryMessages") byte[] message)
      throws Exception {
    List<RoundInfo> before = allRounds();

    Outcome outcome = call(ACOMPANHAR_RODADAS, List.of(message));

    Status status = outcome.status();
    record(ACOMPANHAR_RODADAS, status);
    if (outcome.messages() > 0) {
      // A valid watch stays open; the client cancels it after the first round message.
      assertThat(status.getCode()).as("status %s", status).isEqualTo(Status.Code.CANCELLED);
    } else {
      assertThat(status.getCode()).as("status %s", status).isIn(PROPER_CODES);
    }
    assertThat(allRounds()).as("a watch changes no round").isEqualTo(before);
    assertServerAnswers();
  }

  @Provide
  Arbitrary<byte[]> randomMessages() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(400);
  }

  /** Generates a valid DadosRequest changed by one to four edits, see {@link EditKind}. */
  @Provide
  Arbitrary<byte[]> corruptedRequests() {
    Arbitrary<Edit> edit =
        Combinators.combine(
                Arbitraries.of(EditKind.class),
                Arbitraries.integers().between(0, VALID_REQUEST.length),
                Arbitraries.bytes())
            .as(Edit::new);
    return edit.list().ofMinSize(1).ofMaxSize(4).map(edits -> apply(VALID_REQUEST, edits));
  }

  /** Generates one to four stream messages, each random, corrupted or valid. */
  @Provide
  Arbitrary<List<byte[]>> messageSequences() {
    Arbitrary<byte[]> one =
        Arbitraries.oneOf(
            randomMessages(), corruptedRequests(), Arbitraries.just(VALID_REQUEST));
    return one.list().ofMinSize(1).ofMaxSize(4);
  }

  /** Random bytes, or a well-formed ConsultaRodada naming a random or the seeded round. */
  @Provide
  Arbitrary<byte[]> queryMessages() {
    Arbitrary<byte[]> wellFormed =
        Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(40),
                Arbitraries.just(""),
                Arbitraries.create(() -> seedRoundId))
            .map(id -> ConsultaRodada.newBuilder().setRodadaId(id).build().toByteArray());
    return Arbitraries.oneOf(randomMessages(), wellFormed);
  }

  /** Sends a batch call and checks its status, the rounds and that the server still responds. */
  private static void checkBatchCall(MethodDescriptor<byte[], byte[]> method, List<byte[]> messages)
      throws Exception {
    List<RoundInfo> before = allRounds();

    Status status = call(method, messages).status();

    record(method, status);
    assertThat(status.getCode()).as("status %s", status).isIn(PROPER_CODES);
    if (!status.isOk()) {
      assertThat(allRounds()).as("a rejected call stores nothing").isEqualTo(before);
    }
    assertServerAnswers();
  }

  /** A query for the seeded round must still succeed. */
  private static void assertServerAnswers() throws Exception {
    byte[] query = ConsultaRodada.newBuilder().setRodadaId(seedRoundId).build().toByteArray();
    Status status = call(CONSULTAR_RODADA, List.of(query)).status();
    assertThat(status.getCode()).as("server answers after the call: %s", status)
        .isEqualTo(Status.Code.OK);
  }

  /** Final status of a call and the number of response messages received before it. */
  private record Outcome(Status status, int messages) {}

  /**
   * Runs one call: sends {@code messages}, half-closes and waits for the status. The client
   * cancels the call when a server-streaming response delivers its first message.
   */
  private static Outcome call(MethodDescriptor<byte[], byte[]> method, List<byte[]> messages)
      throws Exception {
    CompletableFuture<Status> closed = new CompletableFuture<>();
    AtomicInteger received = new AtomicInteger();
    ClientCall<byte[], byte[]> call =
        channel.newCall(
            method,
            CallOptions.DEFAULT.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS));
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onMessage(byte[] message) {
            received.incrementAndGet();
            if (method.getType() == MethodType.SERVER_STREAMING) {
              call.cancel("fuzz client stops watching after the first message", null);
            }
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            closed.complete(status);
          }
        },
        new Metadata());
    call.request(2);
    for (byte[] message : messages) {
      call.sendMessage(message);
    }
    call.halfClose();
    Status status = closed.get(CALL_DEADLINE_SECONDS + 5, TimeUnit.SECONDS);
    return new Outcome(status, received.get());
  }

  private static List<RoundInfo> allRounds() {
    return engine.rounds(EnumSet.allOf(RoundState.class));
  }

  private static void record(MethodDescriptor<?, ?> method, Status status) {
    codesSeen
        .computeIfAbsent(method.getBareMethodName(), name -> new ConcurrentHashMap<>())
        .computeIfAbsent(status.getCode(), code -> new AtomicInteger())
        .incrementAndGet();
  }

  private static String describeCodesSeen() {
    Map<String, Map<Status.Code, Integer>> sorted = new TreeMap<>();
    codesSeen.forEach((method, codes) -> {
      Map<Status.Code, Integer> counts = new TreeMap<>();
      codes.forEach((code, count) -> counts.put(code, count.get()));
      sorted.put(method, counts);
    });
    return sorted.toString();
  }

  /** Kinds of byte edit: replace one byte, insert one, delete one, or cut the rest off. */
  private enum EditKind {
    REPLACE,
    INSERT,
    DELETE,
    TRUNCATE
  }

  /** One change to a message: what to do, where, and the byte to write for REPLACE or INSERT. */
  private record Edit(EditKind kind, int position, byte value) {}

  private static byte[] apply(byte[] original, List<Edit> edits) {
    byte[] bytes = original.clone();
    for (Edit edit : edits) {
      int position = Math.min(edit.position(), bytes.length);
      switch (edit.kind()) {
        case REPLACE -> {
          if (position < bytes.length) {
            bytes[position] = edit.value();
          }
        }
        case INSERT -> {
          byte[] longer = new byte[bytes.length + 1];
          System.arraycopy(bytes, 0, longer, 0, position);
          longer[position] = edit.value();
          System.arraycopy(bytes, position, longer, position + 1, bytes.length - position);
          bytes = longer;
        }
        case DELETE -> {
          if (position < bytes.length) {
            byte[] shorter = new byte[bytes.length - 1];
            System.arraycopy(bytes, 0, shorter, 0, position);
            System.arraycopy(bytes, position + 1, shorter, position, bytes.length - position - 1);
            bytes = shorter;
          }
        }
        case TRUNCATE -> bytes = Arrays.copyOf(bytes, position);
      }
    }
    return bytes;
  }

  private static DadosRequest validRequest() {
    DadosRequest.Builder request =
        DadosRequest.newBuilder().setOrigem("oms").setNomeArquivo("oms.csv").setRodada("fuzz");
    for (int i = 0; i < 3; i++) {
      request.addDados(
          Linha.newBuilder()
              .setLinhaOms(
                  LinhaOMS.newBuilder()
                      .setNumObitos(i)
                      .setPopulacao(4000)
                      .setCep(11 + i)
                      .setNumRecuperados(2)
                      .setNumVacinados(900)
                      .setData("01-12-2026")));
    }
    return request.build();
  }

  private static MethodDescriptor<byte[], byte[]> rawMethod(MethodType type, String name) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(type)
        .setFullMethodName(SERVICE + name)
        .setRequestMarshaller(new BytesMarshaller())
        .setResponseMarshaller(new BytesMarshaller())
        .build();
  }

  /** Passes message bytes through unchanged. */
  private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
