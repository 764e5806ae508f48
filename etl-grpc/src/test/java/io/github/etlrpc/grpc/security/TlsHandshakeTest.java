package io.github.etlrpc.grpc.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TLS handshakes over loopback Netty between credentials built by {@link TlsSettings}. The
 * server runs the standard health service; a call that completes proves the handshake succeeded.
 */
class TlsHandshakeTest {
  private static final long DEADLINE_SECONDS = 10;

  @TempDir static Path pkiDir;

  private static TestPki pki;

  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final AtomicReference<String> clientPrincipal = new AtomicReference<>();

  @BeforeAll
  static void generateCertificates() {
    pki = TestPki.create(pkiDir);
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
  void tls_clientTrustingCa_completesCall() throws Exception {
    int port = startServer(TlsSettings.server(pki.serverCert(), pki.serverKey()));

    HealthCheckResponse response =
        check(port, TlsSettings.client(pki.caCert()).toChannelCredentials());

    assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(clientPrincipal.get()).isEqualTo("no client certificate");
  }

  @Test
  void tls_clientTrustingOtherCa_failsUnavailable() throws Exception {
    int port = startServer(TlsSettings.server(pki.serverCert(), pki.serverKey()));

    StatusRuntimeException failure =
        checkFails(port, TlsSettings.client(pki.otherCaCert()).toChannelCredentials());

    assertThat(failure.getStatus().getCode())
        .as("status %s", failure.getStatus())
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(clientPrincipal.get()).as("no call reached the service").isNull();
  }

  @Test
  void tls_plaintextClient_fails() throws Exception {
    int port = startServer(TlsSettings.server(pki.serverCert(), pki.serverKey()));

    StatusRuntimeException failure = checkFails(port, InsecureChannelCredentials.create());

    assertThat(failure.getStatus().getCode())
        .as("status %s", failure.getStatus())
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(clientPrincipal.get()).as("no call reached the service").isNull();
  }

  @Test
  void mutualTls_trustedClientCert_completesCall() throws Exception {
    int port =
        startServer(
            TlsSettings.server(pki.serverCert(), pki.serverKey()).requireClientAuth(pki.caCert()));

    HealthCheckResponse response =
        check(
            port,
            TlsSettings.client(pki.caCert())
                .clientCertificate(pki.clientCert(), pki.clientKey())
                .toChannelCredentials());

    assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(clientPrincipal.get()).isEqualTo("CN=client-oms");
  }

  @Test
  void mutualTls_clientWithoutCert_isRejected() throws Exception {
    int port =
        startServer(
            TlsSettings.server(pki.serverCert(), pki.serverKey()).requireClientAuth(pki.caCert()));

    StatusRuntimeException failure =
        checkFails(port, TlsSettings.client(pki.caCert()).toChannelCredentials());

    assertThat(failure.getStatus().getCode())
        .as("status %s", failure.getStatus())
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(clientPrincipal.get()).as("no call reached the service").isNull();
  }

  @Test
  void mutualTls_untrustedClientCert_isRejected() throws Exception {
    int port =
        startServer(
            TlsSettings.server(pki.serverCert(), pki.serverKey()).requireClientAuth(pki.caCert()));

    StatusRuntimeException failure =
        checkFails(
            port,
            TlsSettings.client(pki.caCert())
                .clientCertificate(pki.untrustedClientCert(), pki.untrustedClientKey())
                .toChannelCredentials());

    assertThat(failure.getStatus().getCode())
        .as("status %s", failure.getStatus())
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(clientPrincipal.get()).as("no call reached the service").isNull();
  }

  private int startServer(TlsSettings.ForServer settings) throws Exception {
    ServerCredentials credentials = settings.toServerCredentials();
    HealthStatusManager health = new HealthStatusManager();
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), credentials)
            .addService(
                ServerInterceptors.intercept(health.getHealthService(), new PrincipalRecorder()))
            .build()
            .start();
    servers.add(server);
    return server.getPort();
  }

  private HealthCheckResponse check(int port, ChannelCredentials credentials) {
    ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, credentials)
        .build();
    channels.add(channel);
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance());
  }

  private StatusRuntimeException checkFails(int port, ChannelCredentials credentials) {
    StatusRuntimeException failure =
        catchThrowableOfType(StatusRuntimeException.class, () -> check(port, credentials));
    assertThat(failure).as("the call must fail").isNotNull();
    return failure;
  }

  /** Records the client certificate's subject that the server saw on the TLS session. */
  private final class PrincipalRecorder implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
      String principal;
      try {
        Principal peer = session.getPeerPrincipal();
        principal = peer.getName();
      } catch (SSLPeerUnverifiedException e) {
        principal = "no client certificate";
      }
      clientPrincipal.set(principal);
      return next.startCall(call, headers);
    }
  }
}
