package io.github.etlrpc.grpc.security;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test public-key infrastructure generated with BouncyCastle and written as PEM files: a CA, a
 * server certificate for 127.0.0.1, ::1 and localhost, a client certificate from the same CA, and
 * a second CA, trusted by no test, with a client certificate of its own. Keys are EC P-256 because
 * generating them takes milliseconds. Certificates are valid from an hour ago for one day.
 */
final class TestPki {
  private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());

  private final Path caCert;
  private final Path serverCert;
  private final Path serverKey;
  private final Path clientCert;
  private final Path clientKey;
  private final Path otherCaCert;
  private final Path untrustedClientCert;
  private final Path untrustedClientKey;

  private TestPki(Path dir) throws IOException, GeneralSecurityException {
    Issuer ca = Issuer.selfSigned("CN=etl-rpc test CA");
    Issuer otherCa = Issuer.selfSigned("CN=etl-rpc untrusted test CA");
    KeyPair serverKeys = newKeyPair();
    KeyPair clientKeys = newKeyPair();
    KeyPair untrustedClientKeys = newKeyPair();

    caCert = writePem(dir.resolve("ca.pem"), ca.certificate());
    otherCaCert = writePem(dir.resolve("other-ca.pem"), otherCa.certificate());
    serverCert = writePem(dir.resolve("server.pem"), ca.issueServer("CN=localhost", serverKeys));
    serverKey = writePkcs8(dir.resolve("server-key.pem"), serverKeys);
    clientCert = writePem(dir.resolve("client.pem"), ca.issueClient("CN=client-oms", clientKeys));
    clientKey = writePkcs8(dir.resolve("client-key.pem"), clientKeys);
    untrustedClientCert =
        writePem(
            dir.resolve("untrusted-client.pem"),
            otherCa.issueClient("CN=client-untrusted", untrustedClientKeys));
    untrustedClientKey = writePkcs8(dir.resolve("untrusted-client-key.pem"), untrustedClientKeys);
  }

  /** Generates the certificates and keys and writes them under {@code dir}. */
  static TestPki create(Path dir) {
    try {
      return new TestPki(dir);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("failed to generate test certificates in " + dir, e);
    }
  }

  Path caCert() {
    return caCert;
  }

  Path serverCert() {
    return serverCert;
  }

  Path serverKey() {
    return serverKey;
  }

  Path clientCert() {
    return clientCert;
  }

  Path clientKey() {
    return clientKey;
  }

  /** Returns a CA that signed neither the server nor the trusted client certificate. */
  Path otherCaCert() {
    return otherCaCert;
  }

  /** Client certificate signed by {@link #otherCaCert()}. */
  Path untrustedClientCert() {
    return untrustedClientCert;
  }

  Path untrustedClientKey() {
    return untrustedClientKey;
  }

  /** Writes a fresh EC key in the SEC1 format ({@code BEGIN EC PRIVATE KEY}) to {@code file}. */
  static Path writeSec1Key(Path file) throws IOException, GeneralSecurityException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(newKeyPair());
    }
    return file;
  }

  /** Writes a fresh PKCS#8 EC key that belongs to no certificate to {@code file}. */
  static Path writeUnrelatedKey(Path file) throws IOException, GeneralSecurityException {
    return writePkcs8(file, newKeyPair());
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static Path writePem(Path file, X509Certificate certificate) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(certificate);
    }
    return file;
  }

  private static Path writePkcs8(Path file, KeyPair keys) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
    }
    return file;
  }

  /** A CA certificate with its key pair, able to sign leaf certificates. */
  private record Issuer(X509Certificate certificate, KeyPair keys) {

    static Issuer selfSigned(String subject) throws GeneralSecurityException {
      KeyPair keys = newKeyPair();
      X500Name name = new X500Name(subject);
      try {
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder =
            newBuilder(name, name, keys)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(
                    Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(
                    Extension.subjectKeyIdentifier,
                    false,
                    extensions.createSubjectKeyIdentifier(keys.getPublic()));
        return new Issuer(sign(builder, keys), keys);
      } catch (IOException e) {
        throw new GeneralSecurityException("failed to build CA certificate " + subject, e);
      }
    }

    X509Certificate issueServer(String subject, KeyPair leafKeys)
        throws GeneralSecurityException {
      GeneralNames names =
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1"),
                new GeneralName(GeneralName.dNSName, "localhost")
              });
      return issueLeaf(subject, leafKeys, KeyPurposeId.id_kp_serverAuth, names);
    }

    X509Certificate issueClient(String subject, KeyPair leafKeys)
        throws GeneralSecurityException {
      return issueLeaf(subject, leafKeys, KeyPurposeId.id_kp_clientAuth, null);
    }

    private X509Certificate issueLeaf(
        String subject, KeyPair leafKeys, KeyPurposeId purpose, GeneralNames names)
        throws GeneralSecurityException {
      try {
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder =
            newBuilder(
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                    new X500Name(subject),
                    leafKeys)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                .addExtension(
                    Extension.authorityKeyIdentifier,
                    false,
                    extensions.createAuthorityKeyIdentifier(certificate));
        if (names != null) {
          builder.addExtension(Extension.subjectAlternativeName, false, names);
        }
        return sign(builder, keys);
      } catch (IOException e) {
        throw new GeneralSecurityException("failed to build certificate " + subject, e);
      }
    }

    private static X509v3CertificateBuilder newBuilder(
        X500Name issuer, X500Name subject, KeyPair subjectKeys) {
      Instant now = Instant.now();
      return new JcaX509v3CertificateBuilder(
          issuer,
          BigInteger.valueOf(SERIALS.incrementAndGet()),
          Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(1))),
          subject,
          subjectKeys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signerKeys)
        throws GeneralSecurityException {
      try {
        return new JcaX509CertificateConverter()
            .getCertificate(
                builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(signerKeys.getPrivate())));
      } catch (OperatorCreationException e) {
        throw new GeneralSecurityException("failed to sign certificate", e);
      }
    }
  }
}
