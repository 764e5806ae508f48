package io.github.etlrpc.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.PipelineRun;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.core.EtlEngines;
import io.github.etlrpc.core.HandoffRetention;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.github.etlrpc.grpc.proto.Linha;
import io.github.etlrpc.grpc.proto.LinhaHospital;
import io.github.etlrpc.grpc.proto.LinhaOMS;
import io.github.etlrpc.grpc.proto.LinhaSecretaria;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client-chosen names ({@code nome_arquivo}, {@code rodada}, {@code origem}) that look like paths
 * must never steer where the server writes. Each case sends a complete round (oms, hospital,
 * secretaria) whose batches all carry the hostile value, waits for the pipeline run, and then
 * walks the whole temporary tree: the only files allowed are the store's database files, the
 * work directory lock and files inside {@code <work>/rounds/<roundId>/}, named after the sources.
 *
 * <p>The work directory sits five levels below the walked root, so a relative name with up to
 * five {@code ../} steps would land inside the walk. Absolute names also point inside it; the
 * test never names a real system file.
 */
class HandoffPathHostileInputTest {
  private static final Logger log = LoggerFactory.getLogger(HandoffPathHostileInputTest.class);
  private static final List<String> SOURCES = List.of("oms", "hospital", "secretaria");
  private static final Set<String> HANDOFF_NAMES =
      Set.of("oms.json", "hospital.json", "secretaria.json");
  private static final Pattern STORE_FILE = Pattern.compile("etl\\.db(-wal|-shm|-journal)?");
  private static final long SETTLE_SECONDS = 30;

  private static final MethodDescriptor<byte[], DadosResponse> RAW_ENVIAR_DADOS =
      MethodDescriptor.<byte[], DadosResponse>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("etl.ETLService/EnviarDados")
          .setRequestMarshaller(new BytesMarshaller())
          .setResponseMarshaller(ProtoUtils.marshaller(DadosResponse.getDefaultInstance()))
          .build();

  @TempDir Path root;

  private Path work;
  private EtlEngine engine;
  private Server server;
  private ManagedChannel channel;
  private final Map<String, PipelineRunRecord> runs = new ConcurrentHashMap<>();

  /** What the pipeline saw on one run. */
  private record PipelineRunRecord(Path roundDirectory, Map<String, Path> handoffFiles) {}

  @BeforeEach
  void start() throws IOException {
    work = root.resolve("a/b/c/d/work");
    engine =
        EtlEngines.newBuilder()
            .workDirectory(work)
            .handoffRetention(HandoffRetention.KEEP)
            .pipeline(this::recordRun)
            .build();
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(EtlGrpcService.newBuilder(engine).build())
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    assertThat(server.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    engine.shutdown(java.time.Duration.ofSeconds(10));
  }

  private PipelineResult recordRun(PipelineRun run) {
    runs.put(run.roundId(), new PipelineRunRecord(run.roundDirectory(), run.handoffFiles()));
    return PipelineResult.succeeded(0);
  }

  @Test
  void hostileFileNames_writeOnlyInsideRoundFolders() throws Exception {
    List<String> names = new ArrayList<>(List.of(
        "../../etc/passwd",
        "../escaped.json",
        "../../escaped-twice.json",
        "../../../../../escaped-to-root.json",
        "rounds/../../sibling.json",
        "..\\..\\backslash.json",
        "oms\0.json",
        "\0",
        "nul\0/../../after-nul.json",
        "oms.json",
        "../oms.json",
        ".",
        "..",
        "",
        "~/.bashrc",
        "$HOME/home.json",
        "%2e%2e%2fpercent-encoded.json",
        "\n../newline.json",
        "\uff0e\uff0e\uff0ffullwidth.json",
        "\u202enosj.evil",
        "dir/".repeat(60) + "deep.json",
        "x".repeat(256)));
    names.add(root.resolve("absolute.json").toString());
    names.add(root.resolve("etc/passwd").toString());
    names.add(work.resolve("rounds/absolute-into-rounds.json").toString());

    Map<String, String> roundIdsByName = new LinkedHashMap<>();
    List<String> outcomes = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String fileName = names.get(i);
      String roundKey = "file-name-case-" + i;
      String roundId = sendRound(roundKey, fileName, "file name " + printable(fileName), outcomes);
      if (roundId != null) {
        roundIdsByName.put(fileName, roundId);
      }
    }

    log.info("hostile file names: {}", outcomes);
    assertThat(roundIdsByName)
        .as("some rounds ran, so the walk below checks hand-off writes; outcomes: %s", outcomes)
        .isNotEmpty();
    assertWritesStayedInRoundFolders(Set.copyOf(roundIdsByName.values()));
  }

  @Test
  void hostileRoundKeys_writeOnlyInsideRoundFolders() throws Exception {
    List<String> roundKeys = List.of(
        "../../escaped-key",
        "../../../../../escaped-key-to-root",
        root.resolve("absolute-key").toString(),
        "rounds",
        "..",
        "key\0with-nul",
        "key/with/slashes");

    Set<String> roundIds = new TreeSet<>();
    List<String> outcomes = new ArrayList<>();
    for (String roundKey : roundKeys) {
      String roundId =
          sendRound(roundKey, "data.csv", "round key " + printable(roundKey), outcomes);
      if (roundId != null) {
        roundIds.add(roundId);
      }
    }

    log.info("hostile round keys: {}", outcomes);
    assertThat(roundIds).as("outcomes: %s", outcomes).isNotEmpty();
    assertWritesStayedInRoundFolders(roundIds);
  }

  @Test
  void hostileOrigins_neverBecomeFileNames() throws Exception {
    List<String> origins = List.of(
        "../oms", "oms/../hospital", "../../rounds/x/oms", root.resolve("oms").toString(),
        "oms.json", "oms\0", "\0oms", "");

    List<String> outcomes = new ArrayList<>();
    for (String origin : origins) {
      DadosRequest request =
          request(origin, "data.csv", "hostile-origin", rowsFor("oms", 2)).build();
      try {
        DadosResponse response =
            EtlServiceDescriptors.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .enviarDados(request);
        // Java's String.trim() strips NUL with the other control characters, so "oms\0" is oms.
        assertThat(response.getMensagem())
            .as("origin %s", printable(origin))
            .startsWith("Recebido 2 registros do tipo oms.");
        outcomes.add(printable(origin) + " -> accepted as oms");
      } catch (StatusRuntimeException e) {
        assertThat(e.getStatus().getCode())
            .as("origin %s: %s", printable(origin), e.getStatus())
            .isEqualTo(Status.Code.INVALID_ARGUMENT);
        outcomes.add(printable(origin) + " -> " + e.getStatus().getCode());
      }
    }

    log.info("hostile origins: {}", outcomes);
    for (RoundInfo round : engine.rounds(EnumSet.allOf(RoundState.class))) {
      assertThat(round.rowsBySource().keySet()).as("outcomes %s", outcomes).containsOnly("oms");
    }
    assertWritesStayedInRoundFolders(Set.of());
  }

  @Test
  void overlongUtf8FileName_staysMetadata() throws Exception {
    // 0xC0 0xAF is an overlong encoding of '/', a classic way to slip a separator past a check.
    byte[] overlongSlash = {'.', '.', (byte) 0xC0, (byte) 0xAF, '.', '.', (byte) 0xC0,
        (byte) 0xAF, 'x', '.', 'j', 's', 'o', 'n'};
    String roundKey = "overlong-utf8";
    boolean allAccepted = true;
    long acceptedRows = 0;
    String roundId = null;
    for (String source : SOURCES) {
      byte[] message = rawRequest(source, overlongSlash, roundKey, rowsFor(source, 3));
      try {
        DadosResponse response =
            ClientCalls.blockingUnaryCall(
                channel,
                RAW_ENVIAR_DADOS,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                message);
        acceptedRows += response.getRegistros();
        roundId = response.getRodadaId();
      } catch (StatusRuntimeException e) {
        allAccepted = false;
        assertThat(e.getStatus().getCode())
            .as("%s: %s", source, e.getStatus())
            .isEqualTo(Status.Code.INVALID_ARGUMENT);
      }
      assertThat(rowsWithKey(roundKey)).as("only accepted batches are stored")
          .isEqualTo(acceptedRows);
    }

    log.info("overlong UTF-8 file name: {}", allAccepted ? "accepted" : "rejected");
    Set<String> roundIds = new TreeSet<>();
    if (allAccepted) {
      assertThat(awaitSettled(roundId).state()).isEqualTo(RoundState.CONCLUIDA);
      roundIds.add(roundId);
    }
    assertWritesStayedInRoundFolders(roundIds);
  }

  /**
   * Sends one batch per source with the given names. Returns the round id if all three were
   * accepted and the round settled, or null if a batch was rejected with INVALID_ARGUMENT, in
   * which case the rejected batches stored nothing.
   */
  private String sendRound(String roundKey, String fileName, String label, List<String> outcomes)
      throws Exception {
    String roundId = null;
    boolean allAccepted = true;
    long acceptedRows = 0;
    for (String source : SOURCES) {
      DadosRequest request =
          request(source.toUpperCase(java.util.Locale.ROOT), fileName, roundKey,
              rowsFor(source, 3)).build();
      try {
        DadosResponse response =
            EtlServiceDescriptors.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .enviarDados(request);
        assertThat(response.getRegistros()).as("%s, %s", label, source).isEqualTo(3);
        acceptedRows += response.getRegistros();
        roundId = response.getRodadaId();
      } catch (StatusRuntimeException e) {
        allAccepted = false;
        assertThat(e.getStatus().getCode())
            .as("%s, %s: %s", label, source, e.getStatus())
            .isEqualTo(Status.Code.INVALID_ARGUMENT);
      }
      assertThat(rowsWithKey(roundKey))
          .as("%s: only accepted batches are stored", label)
          .isEqualTo(acceptedRows);
    }
    outcomes.add(label + " -> " + (allAccepted ? "accepted" : "rejected"));
    if (!allAccepted) {
      return null;
    }
    RoundInfo settled = awaitSettled(roundId);
    assertThat(settled.state()).as(label).isEqualTo(RoundState.CONCLUIDA);
    return roundId;
  }

  private RoundInfo awaitSettled(String roundId) throws Exception {
    return engine.settled(roundId).get(SETTLE_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * Walks the whole temporary tree and fails on any file that is neither a store or lock file in
   * the work directory nor inside the folder of one of {@code roundIds}; also checks that each
   * round folder contains exactly the hand-off files named after the sources.
   */
  private void assertWritesStayedInRoundFolders(Set<String> roundIds) throws IOException {
    List<Path> stray = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      files.filter(Files::isRegularFile).filter(file -> !isAllowed(file, roundIds))
          .forEach(stray::add);
    }
    assertThat(stray).as("files written outside <work>/rounds/<roundId>/").isEmpty();

    for (String roundId : roundIds) {
      Path folder = work.resolve("rounds").resolve(roundId);
      Set<String> names = new TreeSet<>();
      try (Stream<Path> files = Files.list(folder)) {
        files.forEach(file -> names.add(file.getFileName().toString()));
      }
      assertThat(names).as("files of round %s", roundId).isEqualTo(HANDOFF_NAMES);

      PipelineRunRecord run = runs.get(roundId);
      assertThat(run).as("pipeline run of round %s", roundId).isNotNull();
      assertThat(run.roundDirectory()).isEqualTo(folder);
      assertThat(run.handoffFiles()).containsOnlyKeys(SOURCES);
      run.handoffFiles().forEach((source, file) ->
          assertThat(file).isEqualTo(folder.resolve(source + ".json")));
    }
  }

  private boolean isAllowed(Path file, Set<String> roundIds) {
    if (!file.startsWith(work)) {
      return false;
    }
    Path relative = work.relativize(file);
    if (relative.getNameCount() == 1) {
      return STORE_FILE.matcher(relative.toString()).matches()
          || relative.toString().equals("etl.lock");
    }
    return relative.getNameCount() == 3
        && relative.getName(0).toString().equals("rounds")
        && roundIds.contains(relative.getName(1).toString());
  }

  private long rowsWithKey(String roundKey) {
    return engine.rounds(EnumSet.allOf(RoundState.class)).stream()
        .filter(round -> round.roundKey().equals(roundKey))
        .mapToLong(RoundInfo::totalRows)
        .sum();
  }

  private static DadosRequest.Builder request(
      String origin, String fileName, String roundKey, List<Linha> rows) {
    return DadosRequest.newBuilder()
        .setOrigem(origin)
        .setNomeArquivo(fileName)
        .setRodada(roundKey)
        .addAllDados(rows);
  }

  /** Encodes a DadosRequest by hand so that nome_arquivo can contain bytes that are not UTF-8. */
  private static byte[] rawRequest(
      String origin, byte[] fileName, String roundKey, List<Linha> rows) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeLengthDelimited(out, 1, origin.getBytes(StandardCharsets.UTF_8));
    writeLengthDelimited(out, 2, fileName);
    for (Linha row : rows) {
      writeLengthDelimited(out, 3, row.toByteArray());
    }
    writeLengthDelimited(out, 4, roundKey.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  private static void writeLengthDelimited(ByteArrayOutputStream out, int field, byte[] value)
      throws IOException {
    out.write(field << 3 | 2);
    int length = value.length;
    while (length >= 0x80) {
      out.write(length & 0x7f | 0x80);
      length >>>= 7;
    }
    out.write(length);
    out.write(value);
  }

  private static List<Linha> rowsFor(String source, int count) {
    List<Linha> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Linha.Builder row = Linha.newBuilder();
      switch (source) {
        case "oms" -> row.setLinhaOms(LinhaOMS.newBuilder()
            .setNumObitos(i).setPopulacao(4000).setCep(11 + i).setNumRecuperados(2)
            .setNumVacinados(900).setData("01-12-2026"));
        case "hospital" -> row.setLinhaHospital(LinhaHospital.newBuilder()
            .setIdHospital(i).setData("01-12-2026").setInternado(1).setIdade(40).setSexo(1)
            .setCep(11001 + i).setSintoma1(1));
        case "secretaria" -> row.setLinhaSecretaria(LinhaSecretaria.newBuilder()
            .setDiagnostico(1).setVacinado(0).setCep(12002 + i).setEscolaridade(3)
            .setPopulacao(5000).setData("01-12-2026"));
        default -> throw new IllegalArgumentException("unknown source " + source);
      }
      rows.add(row.build());
    }
    return rows;
  }

  /** Shows control characters as escapes so that failure messages stay on one line. */
  private static String printable(String value) {
    StringBuilder text = new StringBuilder("'");
    value.codePoints().limit(80).forEach(c -> {
      if (c < 0x20 || c == 0x7f || c == 0x202e) {
        text.append(String.format("\\u%04x", c));
      } else {
        text.appendCodePoint(c);
      }
    });
    return text.append(value.length() > 80 ? "...'" : "'").toString();
  }

  /** Passes request bytes through unchanged. */
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
