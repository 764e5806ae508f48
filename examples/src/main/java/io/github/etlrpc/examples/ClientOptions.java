package io.github.etlrpc.examples;

import io.github.etlrpc.grpc.EtlClient;
import io.github.etlrpc.grpc.security.TlsSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Connection options shared by the commands that call a running server. */
final class ClientOptions {
  @Option(names = "--target", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:50051",
      description = "Server address. Default: ${DEFAULT-VALUE}.")
  String target;

  @Option(names = "--tls-ca", paramLabel = "PEM",
      description = "Connects with TLS, trusting the CA certificates in this PEM file."
          + " Default: plaintext.")
  Path tlsCa;

  @Option(names = "--tls-cert", paramLabel = "PEM",
      description = "Client certificate chain for mutual TLS; needs --tls-ca and --tls-key.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM",
      description = "Unencrypted PKCS#8 private key of --tls-cert.")
  Path tlsKey;

  @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:ETL_TOKEN}",
      description = "Bearer token sent in the authorization header. Other local users can see"
          + " command-line arguments, so prefer the ETL_TOKEN environment variable, which is"
          + " the default.")
  String token;

  /**
   * Opens a client with these options.
   *
   * @throws IllegalArgumentException if a TLS file is missing or invalid, or only one of
   *     {@code --tls-cert} and {@code --tls-key} is set
   */
  EtlClient open() {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together; got only "
          + (tlsCert == null ? "--tls-key " + tlsKey : "--tls-cert " + tlsCert));
    }
    if (tlsCert != null && tlsCa == null) {
      throw new IllegalArgumentException(
          "--tls-cert " + tlsCert + " needs --tls-ca with the CA that signed the server");
    }
    EtlClient.Builder builder = EtlClient.forTarget(target);
    if (tlsCa != null) {
      TlsSettings.ForClient tls = TlsSettings.client(tlsCa);
      if (tlsCert != null) {
        tls = tls.clientCertificate(tlsCert, tlsKey);
      }
      builder.channelCredentials(tls.toChannelCredentials());
    } else {
      builder.usePlaintext();
    }
    if (token != null && !token.isEmpty()) {
      builder.bearerToken(token);
    }
    return builder.build();
  }
}
