package io.github.etlrpc.grpc.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.etlrpc.grpc.EtlGrpcService;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authenticator in front of a one-method test service over in-process transport. The test
 * method returns the origin set it finds in the call's Context, so each test checks what the
 * authenticator passed on to the service.
 */
class BearerTokenAuthenticatorTest {
  private static final String OPEN_TOKEN = "open-token-0123456789abcdef";
  private static final String HOSPITAL_TOKEN = "hospital-token-0123456789abcdef";
  private static final String WRONG_TOKEN = "wrong-token-0123456789abcdef";

  private static final MethodDescriptor<String, String> WHO_AM_I =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("test.Identity/WhoAmI")
          .setRequestMarshaller(new Utf8Marshaller())
          .setResponseMarshaller(new Utf8Marshaller())
          .build();

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> WWW_AUTHENTICATE =
      Metadata.Key.of("www-authenticate", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir Path dir;

  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private BearerTokenAuthenticator authenticator;

  @BeforeEach
  void writeTokens() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("tokens"),
            "# test tokens\n"
                + OPEN_TOKEN + "\n"
                + "\n"
                + HOSPITAL_TOKEN + "  Hospital, SECRETARIA  # two origins\n");
    authenticator = BearerTokenAuthenticator.fromFile(file);
  }

  @AfterEach
  void shutDown() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
      assertThat(channel.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
    for (Server server : servers) {
      server.shutdownNow();
      assertThat(server.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void call_withoutToken_isUnauthenticated() throws Exception {
    ManagedChannel channel = start(authenticator);

    StatusRuntimeException failure = callFails(channel, new Metadata());

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(failure.getStatus().getDescription())
        .isEqualTo("missing bearer token; send metadata authorization: Bearer <token>");
    assertThat(failure.getTrailers().get(WWW_AUTHENTICATE)).isEqualTo("Bearer");
  }

  @Test
  void call_withWrongToken_isUnauthenticated() throws Exception {
    ManagedChannel channel = start(authenticator);

    StatusRuntimeException failure = callFails(channel, bearer(WRONG_TOKEN));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(failure.getStatus().getDescription()).isEqualTo("invalid bearer token");
    assertThat(failure.toString()).doesNotContain(WRONG_TOKEN);
  }

  @Test
  void call_withPrefixOfToken_isUnauthenticated() throws Exception {
    ManagedChannel channel = start(authenticator);

    StatusRuntimeException failure =
        callFails(channel, bearer(OPEN_TOKEN.substring(0, OPEN_TOKEN.length() - 1)));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(failure.getStatus().getDescription()).isEqualTo("invalid bearer token");
  }

  @Test
  void call_withOpenToken_seesNoOriginLimit() throws Exception {
    ManagedChannel channel = start(authenticator);

    assertThat(call(channel, bearer(OPEN_TOKEN))).isEqualTo("any origin");
  }

  @Test
  void call_withBoundToken_seesItsOrigins() throws Exception {
    ManagedChannel channel = start(authenticator);

    assertThat(call(channel, bearer(HOSPITAL_TOKEN))).isEqualTo("[hospital, secretaria]");
  }

  @Test
  void bearerScheme_isCaseInsensitive() throws Exception {
    ManagedChannel channel = start(authenticator);
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "bEARER   " + OPEN_TOKEN + "  ");

    assertThat(call(channel, headers)).isEqualTo("any origin");
  }

  @Test
  void otherScheme_countsAsMissing() throws Exception {
    ManagedChannel channel = start(authenticator);
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Basic " + OPEN_TOKEN);

    StatusRuntimeException failure = callFails(channel, headers);

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(failure.getStatus().getDescription()).startsWith("missing bearer token");
  }

  @Test
  void emptyBearerValue_countsAsMissing() throws Exception {
    ManagedChannel channel = start(authenticator);
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer   ");

    StatusRuntimeException failure = callFails(channel, headers);

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(failure.getStatus().getDescription()).startsWith("missing bearer token");
  }

  @Test
  void twoAuthorizationHeaders_areRejected() throws Exception {
    ManagedChannel channel = start(authenticator);
    Metadata headers = bearer(OPEN_TOKEN);
    headers.put(AUTHORIZATION, "Bearer " + HOSPITAL_TOKEN);

    StatusRuntimeException failure = callFails(channel, headers);

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(failure.getStatus().getDescription())
        .isEqualTo("invalid bearer token; send exactly one authorization header");
  }

  @Test
  void healthCheck_withoutToken_isExempt() throws Exception {
    ManagedChannel channel = start(authenticator);

    HealthCheckResponse response =
        HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance());

    assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void withExemptServices_empty_protectsHealth() throws Exception {
    BearerTokenAuthenticator strict = authenticator.withExemptServices(Set.of());
    ManagedChannel channel = start(strict);

    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()));

    assertThat(failure).isNotNull();
    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(strict.exemptServices()).isEmpty();
    assertThat(authenticator.exemptServices())
        .isEqualTo(BearerTokenAuthenticator.DEFAULT_EXEMPT_SERVICES);
  }

  @Test
  void withExemptServices_namedService_passesWithoutToken() throws Exception {
    ManagedChannel channel = start(authenticator.withExemptServices(Set.of("test.Identity")));

    assertThat(call(channel, new Metadata())).isEqualTo("any origin");
  }

  @Test
  void rejectionsAndLogs_neverContainToken() throws Exception {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    List<StatusRuntimeException> failures = new ArrayList<>();
    String shortToken = "short-secret";
    try {
      // slf4j-simple writes to the current System.err unless cacheOutputStream is set.
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      Path file =
          Files.writeString(
              dir.resolve("leak-tokens"), OPEN_TOKEN + "\n" + shortToken + " oms\n");
      ManagedChannel channel = start(BearerTokenAuthenticator.fromFile(file));

      call(channel, bearer(OPEN_TOKEN));
      call(channel, bearer(shortToken));
      failures.add(callFails(channel, bearer(WRONG_TOKEN)));
      Metadata twice = bearer(WRONG_TOKEN);
      twice.put(AUTHORIZATION, "Bearer " + OPEN_TOKEN);
      failures.add(callFails(channel, twice));
      Path duplicate =
          Files.writeString(dir.resolve("duplicate"), OPEN_TOKEN + "\n" + OPEN_TOKEN + "\n");
      IllegalArgumentException parseFailure =
          catchThrowableOfType(
              IllegalArgumentException.class, () -> BearerTokenAuthenticator.fromFile(duplicate));
      assertThat(parseFailure).isNotNull();
      assertThat(parseFailure.getMessage()).doesNotContain(OPEN_TOKEN);
    } finally {
      System.setErr(originalErr);
    }

    String log = captured.toString(StandardCharsets.UTF_8);
    for (StatusRuntimeException failure : failures) {
      assertThat(failure.toString()).doesNotContain(OPEN_TOKEN, WRONG_TOKEN);
      assertThat(failure.getTrailers().toString()).doesNotContain(OPEN_TOKEN, WRONG_TOKEN);
    }
    assertThat(log)
        .as("the token list summary and the short-token warning were logged")
        .contains(TokenList.tokenId(TokenList.sha256(OPEN_TOKEN)))
        .contains(TokenList.tokenId(TokenList.sha256(shortToken)))
        .contains("has only 12 characters");
    assertThat(log).doesNotContain(OPEN_TOKEN, shortToken, WRONG_TOKEN);
  }

  @Test
  void plaintextTcp_warnsOnceButInProcessNot() throws Exception {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    String inProcessLog;
    String tcpLog;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      call(start(authenticator), bearer(OPEN_TOKEN));
      inProcessLog = captured.toString(StandardCharsets.UTF_8);

      ManagedChannel tcp = startPlaintextTcp(authenticator);
      call(tcp, bearer(OPEN_TOKEN));
      call(tcp, bearer(HOSPITAL_TOKEN));
      tcpLog = captured.toString(StandardCharsets.UTF_8).substring(inProcessLog.length());
    } finally {
      System.setErr(originalErr);
    }

    assertThat(inProcessLog).doesNotContain("without TLS");
    assertThat(tcpLog.split("without TLS", -1)).as("log: %s", tcpLog).hasSize(2);
    assertThat(tcpLog).contains("id=" + TokenList.tokenId(TokenList.sha256(OPEN_TOKEN)));
    assertThat(tcpLog).doesNotContain(OPEN_TOKEN, HOSPITAL_TOKEN);
  }

  private ManagedChannel start(BearerTokenAuthenticator interceptor) throws IOException {
    String name = InProcessServerBuilder.generateName();
    Server server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(identityService())
            .addService(new HealthStatusManager().getHealthService())
            .intercept(interceptor)
            .build()
            .start();
    servers.add(server);
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    channels.add(channel);
    return channel;
  }

  /** Returns a service whose one method returns the allowed origins of the call's Context. */
  private static ServerServiceDefinition identityService() {
    return ServerServiceDefinition.builder("test.Identity")
        .addMethod(
            WHO_AM_I,
            ServerCalls.asyncUnaryCall(
                (request, response) -> {
                  Set<String> origins = EtlGrpcService.ALLOWED_ORIGINS.get();
                  response.onNext(
                      origins == null ? "any origin" : new TreeSet<>(origins).toString());
                  response.onCompleted();
                }))
        .build();
  }

  /** Starts the identity service behind {@code interceptor} on plaintext loopback TCP. */
  private ManagedChannel startPlaintextTcp(BearerTokenAuthenticator interceptor)
      throws IOException {
    Server server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .addService(identityService())
            .intercept(interceptor)
            .build()
            .start();
    servers.add(server);
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
            .build();
    channels.add(channel);
    return channel;
  }

  private static String call(ManagedChannel channel, Metadata headers) {
    ClientInterceptor attach = MetadataUtils.newAttachHeadersInterceptor(headers);
    return ClientCalls.blockingUnaryCall(
        ClientInterceptors.intercept(channel, attach),
        WHO_AM_I,
        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
        "who");
  }

  private static StatusRuntimeException callFails(ManagedChannel channel, Metadata headers) {
    StatusRuntimeException failure =
        catchThrowableOfType(StatusRuntimeException.class, () -> call(channel, headers));
    assertThat(failure).as("the call must fail").isNotNull();
    return failure;
  }

  private static Metadata bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + token);
    return headers;
  }

  /** Marshals strings as UTF-8. */
  private static final class Utf8Marshaller implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
