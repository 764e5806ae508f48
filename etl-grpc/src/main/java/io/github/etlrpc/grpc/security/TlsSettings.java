package io.github.etlrpc.grpc.security;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS and mutual TLS settings read from PEM files, turned into gRPC credentials.
 *
 * <p>Server side, for {@code EtlServer.Builder.serverCredentials(...)}:
 *
 * <pre>{@code
 * ServerCredentials credentials =
 *     TlsSettings.server(Path.of("server-chain.pem"), Path.of("server-key.pem"))
 *         .requireClientAuth(Path.of("client-ca.pem")) // optional: mutual TLS
 *         .toServerCredentials();
 * }</pre>
 *
 * <p>Client side, for {@code EtlClient} builder {@code channelCredentials(...)}:
 *
 * <pre>{@code
 * ChannelCredentials credentials =
 *     TlsSettings.client(Path.of("ca.pem"))
 *         .clientCertificate(Path.of("client-chain.pem"), Path.of("client-key.pem"))
 *         .toChannelCredentials();
 * }</pre>
 *
 * <p>Certificate files hold one or more {@code -----BEGIN CERTIFICATE-----} blocks, the leaf
 * first in a chain. Key files hold one unencrypted PKCS#8 RSA or EC key ({@code -----BEGIN
 * PRIVATE KEY-----}). The files are read and checked once, when the settings are created: a
 * missing file, a file that is not PEM, a PKCS#1 or encrypted key, or a key that does not belong
 * to the first certificate of its chain fails with an {@link IllegalArgumentException} naming the
 * path. Later changes to the files are not picked up, so rotating a certificate needs a restart.
 *
 * <p>All instances are immutable and thread-safe; the {@code require...} and {@code
 * clientCertificate} methods return new instances.
 */
public final class TlsSettings {
  private static final Logger log = LoggerFactory.getLogger(TlsSettings.class);

  private TlsSettings() {}

  /**
   * Starts server settings from the server's certificate chain and private key.
   *
   * @param certChain PEM file with the server certificate first, then any intermediates
   * @param privateKey PEM file with the unencrypted PKCS#8 key of the server certificate
   * @throws IllegalArgumentException if a file is missing, unreadable or not as described
   */
  public static ForServer server(Path certChain, Path privateKey) {
    return new ForServer(KeyMaterial.read(certChain, privateKey, "server"), null);
  }

  /**
   * Starts client settings that trust the certificate authorities in {@code trustedCas}.
   *
   * @param trustedCas PEM file with the CA certificates that may sign the server certificate
   * @throws IllegalArgumentException if the file is missing, unreadable or has no certificate
   */
  public static ForClient client(Path trustedCas) {
    Objects.requireNonNull(trustedCas, "trustedCas");
    return new ForClient(PemFiles.readCertificates(trustedCas, "trusted CA file"), null);
  }

  /** Server-side TLS settings: the server's key material and, for mutual TLS, the client CAs. */
  public static final class ForServer {
    private final KeyMaterial keyMaterial;
    private final PemFiles.@Nullable Certificates trustedClientCas;

    private ForServer(KeyMaterial keyMaterial, PemFiles.@Nullable Certificates trustedClientCas) {
      this.keyMaterial = keyMaterial;
      this.trustedClientCas = trustedClientCas;
    }

    /**
     * Returns settings that require every client to present a certificate signed by one of the
     * CAs in {@code trustedClientCas} (mutual TLS). Handshakes without such a certificate fail.
     *
     * @throws IllegalArgumentException if the file is missing, unreadable or has no certificate
     */
    public ForServer requireClientAuth(Path trustedClientCas) {
      Objects.requireNonNull(trustedClientCas, "trustedClientCas");
      return new ForServer(
          keyMaterial, PemFiles.readCertificates(trustedClientCas, "trusted client CA file"));
    }

    /** Whether clients must present a certificate from a trusted CA. */
    public boolean requiresClientAuth() {
      return trustedClientCas != null;
    }

    /** Builds grpc {@link TlsServerCredentials} from these settings. */
    public ServerCredentials toServerCredentials() {
      TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder();
      try {
        builder.keyManager(
            new ByteArrayInputStream(keyMaterial.chainPem()),
            new ByteArrayInputStream(keyMaterial.keyPem()));
        if (trustedClientCas != null) {
          builder
              .trustManager(
                  new ByteArrayInputStream(PemFiles.toPem(trustedClientCas.certificates())))
              .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        }
      } catch (IOException e) {
        // A ByteArrayInputStream never throws; grpc declares IOException for any InputStream.
        throw new UncheckedIOException(e);
      }
      log.info(
          "TLS server credentials: certificate {} from {}, client certificates {}",
          keyMaterial.describeLeaf(),
          keyMaterial.chainPath(),
          trustedClientCas == null
              ? "not requested"
              : "required, " + trustedClientCas.certificates().size() + " trusted CA(s) from "
                  + trustedClientCas.path());
      return builder.build();
    }

    @Override
    public String toString() {
      return "TlsSettings.ForServer{certChain=" + keyMaterial.chainPath()
          + ", trustedClientCas=" + (trustedClientCas == null ? "none" : trustedClientCas.path())
          + "}";
    }
  }

  /** Client-side TLS settings: the trusted CAs and, for mutual TLS, the client's key material. */
  public static final class ForClient {
    private final PemFiles.Certificates trustedCas;
    private final @Nullable KeyMaterial keyMaterial;

    private ForClient(PemFiles.Certificates trustedCas, @Nullable KeyMaterial keyMaterial) {
      this.trustedCas = trustedCas;
      this.keyMaterial = keyMaterial;
    }

    /**
     * Returns settings that present this certificate when the server requests one (mutual TLS).
     *
     * @param certChain PEM file with the client certificate first, then any intermediates
     * @param privateKey PEM file with the unencrypted PKCS#8 key of the client certificate
     * @throws IllegalArgumentException if a file is missing, unreadable or not as described
     */
    public ForClient clientCertificate(Path certChain, Path privateKey) {
      return new ForClient(trustedCas, KeyMaterial.read(certChain, privateKey, "client"));
    }

    /** Builds grpc {@link TlsChannelCredentials} from these settings. */
    public ChannelCredentials toChannelCredentials() {
      TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
      try {
        builder.trustManager(new ByteArrayInputStream(PemFiles.toPem(trustedCas.certificates())));
        if (keyMaterial != null) {
          builder.keyManager(
              new ByteArrayInputStream(keyMaterial.chainPem()),
              new ByteArrayInputStream(keyMaterial.keyPem()));
        }
      } catch (IOException e) {
        // A ByteArrayInputStream never throws; grpc declares IOException for any InputStream.
        throw new UncheckedIOException(e);
      }
      return builder.build();
    }

    @Override
    public String toString() {
      return "TlsSettings.ForClient{trustedCas=" + trustedCas.path() + ", certChain="
          + (keyMaterial == null ? "none" : keyMaterial.chainPath()) + "}";
    }
  }

  /** A certificate chain and the private key of its first certificate, checked to match. */
  private record KeyMaterial(PemFiles.Certificates chain, PrivateKey key) {

    static KeyMaterial read(Path certChain, Path privateKey, String side) {
      Objects.requireNonNull(certChain, "certChain");
      Objects.requireNonNull(privateKey, "privateKey");
      PemFiles.Certificates chain =
          PemFiles.readCertificates(certChain, "TLS " + side + " certificate chain file");
      PrivateKey key = PemFiles.readPrivateKey(privateKey, "TLS " + side + " private key file");
      checkKeyMatches(chain, key, privateKey);
      warnIfOutsideValidity(chain.first(), certChain);
      return new KeyMaterial(chain, key);
    }

    Path chainPath() {
      return chain.path();
    }

    byte[] chainPem() {
      return PemFiles.toPem(chain.certificates());
    }

    byte[] keyPem() {
      return PemFiles.toPem(key);
    }

    String describeLeaf() {
      X509Certificate leaf = chain.first();
      return "'" + leaf.getSubjectX500Principal().getName() + "' valid until "
          + leaf.getNotAfter().toInstant();
    }

    /** Signs a probe with the key and verifies it with the leaf certificate's public key. */
    private static void checkKeyMatches(
        PemFiles.Certificates chain, PrivateKey key, Path keyPath) {
      X509Certificate leaf = chain.first();
      String certAlgorithm = leaf.getPublicKey().getAlgorithm();
      String mismatch =
          "TLS private key file " + keyPath + " does not belong to the first certificate in "
              + chain.path() + " (subject '" + leaf.getSubjectX500Principal().getName() + "')";
      if (!certAlgorithm.equals(key.getAlgorithm())) {
        throw new IllegalArgumentException(
            mismatch + ": the key is " + key.getAlgorithm() + ", the certificate is "
                + certAlgorithm + ".");
      }
      String signatureAlgorithm =
          key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      byte[] probe = ("etl-rpc key check " + keyPath).getBytes(StandardCharsets.UTF_8);
      boolean matches;
      try {
        Signature signer = Signature.getInstance(signatureAlgorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(signatureAlgorithm);
        verifier.initVerify(leaf.getPublicKey());
        verifier.update(probe);
        matches = verifier.verify(signature);
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(mismatch + ": " + e.getMessage() + ".", e);
      }
      if (!matches) {
        throw new IllegalArgumentException(mismatch + ".");
      }
    }

    /** Logs a warning for an expired or not yet valid certificate; peers will reject it. */
    private static void warnIfOutsideValidity(X509Certificate leaf, Path certChain) {
      try {
        leaf.checkValidity();
      } catch (CertificateExpiredException | CertificateNotYetValidException e) {
        log.warn(
            "TLS certificate '{}' in {} is outside its validity period {} to {}; peers will"
                + " reject it",
            leaf.getSubjectX500Principal().getName(),
            certChain,
            leaf.getNotBefore().toInstant(),
            leaf.getNotAfter().toInstant());
      }
    }
  }
}
