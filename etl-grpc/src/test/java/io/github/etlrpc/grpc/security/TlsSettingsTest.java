package io.github.etlrpc.grpc.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsSettingsTest {
  @TempDir static Path pkiDir;
  @TempDir Path dir;

  private static TestPki pki;

  @BeforeAll
  static void generateCertificates() {
    pki = TestPki.create(pkiDir);
  }

  @Test
  void server_withoutClientAuth_buildsTlsCredentials() {
    TlsSettings.ForServer settings = TlsSettings.server(pki.serverCert(), pki.serverKey());

    ServerCredentials credentials = settings.toServerCredentials();

    assertThat(settings.requiresClientAuth()).isFalse();
    assertThat(credentials).isInstanceOf(TlsServerCredentials.class);
    TlsServerCredentials tls = (TlsServerCredentials) credentials;
    assertThat(tls.getClientAuth()).isEqualTo(TlsServerCredentials.ClientAuth.NONE);
    assertThat(new String(tls.getCertificateChain(), StandardCharsets.US_ASCII))
        .startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(new String(tls.getPrivateKey(), StandardCharsets.US_ASCII))
        .startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(tls.getRootCertificates()).isNull();
  }

  @Test
  void server_requireClientAuth_setsRequireAndRoots() {
    TlsSettings.ForServer plain = TlsSettings.server(pki.serverCert(), pki.serverKey());
    TlsSettings.ForServer mutual = plain.requireClientAuth(pki.caCert());

    TlsServerCredentials tls = (TlsServerCredentials) mutual.toServerCredentials();

    assertThat(mutual.requiresClientAuth()).isTrue();
    assertThat(plain.requiresClientAuth()).as("the original settings are unchanged").isFalse();
    assertThat(tls.getClientAuth()).isEqualTo(TlsServerCredentials.ClientAuth.REQUIRE);
    assertThat(new String(tls.getRootCertificates(), StandardCharsets.US_ASCII))
        .startsWith("-----BEGIN CERTIFICATE-----");
  }

  @Test
  void client_withCertificate_setsKeyAndRoots() {
    TlsChannelCredentials withoutCert =
        (TlsChannelCredentials) TlsSettings.client(pki.caCert()).toChannelCredentials();
    TlsChannelCredentials withCert =
        (TlsChannelCredentials)
            TlsSettings.client(pki.caCert())
                .clientCertificate(pki.clientCert(), pki.clientKey())
                .toChannelCredentials();

    assertThat(withoutCert.getRootCertificates()).isNotNull();
    assertThat(withoutCert.getPrivateKey()).isNull();
    assertThat(withCert.getRootCertificates()).isNotNull();
    assertThat(withCert.getCertificateChain()).isNotNull();
    assertThat(withCert.getPrivateKey()).isNotNull();
  }

  @Test
  void server_missingCertFile_namesPath() {
    Path missing = dir.resolve("nope/server.pem");

    assertThatThrownBy(() -> TlsSettings.server(missing, pki.serverKey()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("not found");
  }

  @Test
  void server_missingKeyFile_namesPath() {
    Path missing = dir.resolve("server-key.pem");

    assertThatThrownBy(() -> TlsSettings.server(pki.serverCert(), missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("private key");
  }

  @Test
  void client_missingCaFile_namesPath() {
    Path missing = dir.resolve("ca.pem");

    assertThatThrownBy(() -> TlsSettings.client(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("not found");
  }

  @Test
  void requireClientAuth_missingFile_namesPath() {
    Path missing = dir.resolve("client-ca.pem");
    TlsSettings.ForServer settings = TlsSettings.server(pki.serverCert(), pki.serverKey());

    assertThatThrownBy(() -> settings.requireClientAuth(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void server_certFileNotPem_namesPath() throws Exception {
    Path text = Files.writeString(dir.resolve("server.txt"), "this is not a certificate\n");

    assertThatThrownBy(() -> TlsSettings.server(text, pki.serverKey()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(text.toString())
        .hasMessageContaining("not a PEM file");
  }

  @Test
  void server_derCertificate_namesPathAndConversion() throws Exception {
    byte[] der = java.util.Base64.getMimeDecoder().decode(pemBody(pki.serverCert()));
    Path derFile = Files.write(dir.resolve("server.der"), der);

    assertThatThrownBy(() -> TlsSettings.server(derFile, pki.serverKey()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(derFile.toString())
        .hasMessageContaining("openssl x509 -inform der");
  }

  @Test
  void server_keyFileGivenAsCert_namesPath() {
    assertThatThrownBy(() -> TlsSettings.server(pki.serverKey(), pki.serverKey()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(pki.serverKey().toString())
        .hasMessageContaining("no -----BEGIN CERTIFICATE----- block")
        .hasMessageContaining("PRIVATE KEY");
  }

  @Test
  void server_certFileGivenAsKey_namesPath() {
    assertThatThrownBy(() -> TlsSettings.server(pki.serverCert(), pki.serverCert()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(pki.serverCert().toString())
        .hasMessageContaining("exactly one -----BEGIN PRIVATE KEY----- block");
  }

  @Test
  void server_corruptCertificate_namesPath() throws Exception {
    Path corrupt =
        Files.writeString(
            dir.resolve("corrupt.pem"),
            "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n");

    assertThatThrownBy(() -> TlsSettings.server(corrupt, pki.serverKey()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(corrupt.toString())
        .hasMessageContaining("not a valid X.509 certificate");
  }

  @Test
  void server_badBase64_namesPath() throws Exception {
    Path corrupt =
        Files.writeString(
            dir.resolve("base64.pem"),
            "-----BEGIN CERTIFICATE-----\n%%%% not base64 %%%%\n-----END CERTIFICATE-----\n");

    assertThatThrownBy(() -> TlsSettings.server(corrupt, pki.serverKey()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(corrupt.toString())
        .hasMessageContaining("not valid Base64");
  }

  @Test
  void server_sec1Key_suggestsPkcs8Conversion() throws Exception {
    Path sec1 = TestPki.writeSec1Key(dir.resolve("ec-key.pem"));

    assertThatThrownBy(() -> TlsSettings.server(pki.serverCert(), sec1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(sec1.toString())
        .hasMessageContaining("EC PRIVATE KEY")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void server_encryptedKey_isRejected() throws Exception {
    Path encrypted =
        Files.writeString(
            dir.resolve("encrypted.pem"),
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAECAwQFBgcICQ==\n"
                + "-----END ENCRYPTED PRIVATE KEY-----\n");

    assertThatThrownBy(() -> TlsSettings.server(pki.serverCert(), encrypted))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(encrypted.toString())
        .hasMessageContaining("encrypted private key");
  }

  @Test
  void server_keyOfOtherCertificate_isRejected() throws Exception {
    Path unrelated = TestPki.writeUnrelatedKey(dir.resolve("unrelated-key.pem"));

    assertThatThrownBy(() -> TlsSettings.server(pki.serverCert(), unrelated))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(unrelated.toString())
        .hasMessageContaining(pki.serverCert().toString())
        .hasMessageContaining("does not belong to the first certificate");
  }

  @Test
  void client_clientKeyOfServerCert_isRejected() {
    TlsSettings.ForClient settings = TlsSettings.client(pki.caCert());

    assertThatThrownBy(() -> settings.clientCertificate(pki.clientCert(), pki.serverKey()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(pki.serverKey().toString())
        .hasMessageContaining("does not belong to the first certificate");
  }

  @Test
  void server_directoryAsCertFile_namesPath() {
    assertThatThrownBy(() -> TlsSettings.server(dir, pki.serverKey()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("is a directory");
  }

  @Test
  void server_pemWithSurroundingText_isAccepted() throws Exception {
    String chain = Files.readString(pki.serverCert(), StandardCharsets.US_ASCII);
    Path annotated =
        Files.writeString(
            dir.resolve("annotated.pem"),
            "subject=CN=localhost\nissuer=CN=etl-rpc test CA\n" + chain + "\ntrailing notes\n");

    TlsSettings.ForServer settings = TlsSettings.server(annotated, pki.serverKey());

    assertThat(settings.toServerCredentials()).isInstanceOf(TlsServerCredentials.class);
  }

  @Test
  void toString_namesFilesNotKeys() {
    TlsSettings.ForServer settings =
        TlsSettings.server(pki.serverCert(), pki.serverKey()).requireClientAuth(pki.caCert());

    assertThat(settings.toString())
        .contains(pki.serverCert().toString())
        .contains(pki.caCert().toString())
        .doesNotContain("PRIVATE KEY");
  }

  private static String pemBody(Path pem) throws Exception {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    return text.replaceAll("-----[A-Z ]+-----", "").strip();
  }
}
