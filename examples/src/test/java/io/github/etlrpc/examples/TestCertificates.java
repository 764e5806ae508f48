package io.github.etlrpc.examples;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
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
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for tests, writing PEM files: CA certificates, and leaf
 * certificates valid for 127.0.0.1 and localhost with PKCS#8 EC keys.
 */
final class TestCertificates {
  private static final String SIGNATURE = "SHA256withECDSA";

  private final KeyPair caKeys;
  private final X500Name caName;
  private final X509Certificate caCertificate;
  private long nextSerial = 2;

  private TestCertificates(String caCommonName) throws GeneralSecurityException {
    this.caKeys = newKeyPair();
    this.caName = new X500Name("CN=" + caCommonName);
    X509v3CertificateBuilder builder = builder(caName, BigInteger.ONE, caKeys);
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      this.caCertificate = sign(builder);
    } catch (IOException e) {
      throw new GeneralSecurityException("Cannot add CA extensions", e);
    }
  }

  static TestCertificates newAuthority(String commonName) throws GeneralSecurityException {
    return new TestCertificates(commonName);
  }

  /** Writes the CA certificate to {@code file}. */
  Path writeCaCertificate(Path file) throws IOException, GeneralSecurityException {
    return writePem(file, "CERTIFICATE", caCertificate.getEncoded());
  }

  /**
   * Issues a certificate for 127.0.0.1 and localhost, usable by servers and clients, and writes
   * it to {@code certificateFile} and its key to {@code keyFile}.
   */
  void issueLeaf(String commonName, Path certificateFile, Path keyFile)
      throws IOException, GeneralSecurityException {
    KeyPair keys = newKeyPair();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caName,
        BigInteger.valueOf(nextSerial++), validFrom(), validUntil(),
        new X500Name("CN=" + commonName), keys.getPublic());
    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
        new GeneralName[] {
          new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
          new GeneralName(GeneralName.dNSName, "localhost")
        }));
    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    X509Certificate certificate = sign(builder);
    writePem(certificateFile, "CERTIFICATE", certificate.getEncoded());
    writePem(keyFile, "PRIVATE KEY", keys.getPrivate().getEncoded());
  }

  private X509v3CertificateBuilder builder(X500Name subject, BigInteger serial, KeyPair keys) {
    return new JcaX509v3CertificateBuilder(caName, serial, validFrom(), validUntil(), subject,
        keys.getPublic());
  }

  private X509Certificate sign(X509v3CertificateBuilder builder)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder(SIGNATURE).build(caKeys.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("Cannot create a " + SIGNATURE + " signer", e);
    }
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return generator.generateKeyPair();
  }

  private static Date validFrom() {
    return Date.from(Instant.now().minus(Duration.ofHours(1)));
  }

  private static Date validUntil() {
    return Date.from(Instant.now().plus(Duration.ofDays(1)));
  }

  private static Path writePem(Path file, String label, byte[] der) throws IOException {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    String pem = "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    return Files.writeString(file, pem, StandardCharsets.US_ASCII);
  }
}
