package io.github.etlrpc.grpc.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files of certificates and PKCS#8 private keys. Every failure is an {@link
 * IllegalArgumentException} whose message names the path, so a misconfigured server fails at
 * startup with the file to fix instead of during the first TLS handshake.
 */
final class PemFiles {
  private static final Pattern BLOCK =
      Pattern.compile(
          "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final String CERTIFICATE = "CERTIFICATE";
  private static final String PRIVATE_KEY = "PRIVATE KEY";
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private PemFiles() {}

  /** One PEM block: its label, such as {@code CERTIFICATE}, and its Base64 body. */
  private record Block(String label, String body) {
    byte[] der(Path path, String role) {
      try {
        // The strict decoder, unlike the MIME one, rejects characters outside Base64.
        return Base64.getDecoder().decode(WHITESPACE.matcher(body).replaceAll(""));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            role + " " + path + " has a " + label + " block whose body is not valid Base64"
                + " (PEM headers such as Proc-Type are not supported): " + e.getMessage(),
            e);
      }
    }
  }

  /** Certificates read from one file, with the file's path for messages. */
  record Certificates(Path path, List<X509Certificate> certificates) {
    X509Certificate first() {
      return certificates.get(0);
    }
  }

  /** Reads every {@code CERTIFICATE} block of {@code path}; at least one must be present. */
  static Certificates readCertificates(Path path, String role) {
    List<Block> blocks = readBlocks(path, role);
    List<X509Certificate> certificates = new ArrayList<>();
    CertificateFactory factory = x509Factory();
    for (Block block : blocks) {
      if (!block.label().equals(CERTIFICATE)) {
        continue;
      }
      ByteArrayInputStream der = new ByteArrayInputStream(block.der(path, role));
      try {
        certificates.add((X509Certificate) factory.generateCertificate(der));
      } catch (CertificateException e) {
        throw new IllegalArgumentException(
            role + " " + path + " has a CERTIFICATE block that is not a valid X.509 certificate: "
                + e.getMessage(),
            e);
      }
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(
          role + " " + path + " has no -----BEGIN CERTIFICATE----- block; found "
              + labels(blocks) + ". Point it at a PEM certificate file.");
    }
    return new Certificates(path, List.copyOf(certificates));
  }

  /** Reads the single unencrypted PKCS#8 RSA or EC private key of {@code path}. */
  static PrivateKey readPrivateKey(Path path, String role) {
    List<Block> blocks = readBlocks(path, role);
    List<Block> keys = new ArrayList<>();
    for (Block block : blocks) {
      String label = block.label();
      if (label.equals(PRIVATE_KEY)) {
        keys.add(block);
      } else if (label.equals("RSA PRIVATE KEY") || label.equals("EC PRIVATE KEY")) {
        throw new IllegalArgumentException(
            role + " " + path + " holds a " + label + " block, which is not PKCS#8. Convert it"
                + " with: openssl pkcs8 -topk8 -nocrypt -in " + path + " -out key-pkcs8.pem");
      } else if (label.equals("ENCRYPTED PRIVATE KEY")) {
        throw new IllegalArgumentException(
            role + " " + path + " holds an encrypted private key, which is not supported."
                + " Decrypt it with: openssl pkcs8 -in " + path + " -out key-pkcs8.pem"
                + " and protect the output with file permissions.");
      }
    }
    if (keys.size() != 1) {
      throw new IllegalArgumentException(
          role + " " + path + " must hold exactly one -----BEGIN PRIVATE KEY----- block, found "
              + keys.size() + " (all blocks: " + labels(blocks) + ").");
    }
    byte[] der = keys.get(0).der(path, role);
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // Not this algorithm; the next one may match.
      }
    }
    throw new IllegalArgumentException(
        role + " " + path + " holds a PRIVATE KEY block that is not a valid RSA or EC PKCS#8"
            + " key.");
  }

  /** Encodes certificates as a clean PEM text, one block each, in the given order. */
  static byte[] toPem(List<X509Certificate> certificates) {
    StringBuilder text = new StringBuilder();
    for (X509Certificate certificate : certificates) {
      try {
        appendBlock(text, CERTIFICATE, certificate.getEncoded());
      } catch (CertificateException e) {
        throw new IllegalStateException(
            "cannot re-encode certificate " + certificate.getSubjectX500Principal(), e);
      }
    }
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Encodes a private key as a PEM {@code PRIVATE KEY} block. */
  static byte[] toPem(PrivateKey key) {
    StringBuilder text = new StringBuilder();
    appendBlock(text, PRIVATE_KEY, key.getEncoded());
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static void appendBlock(StringBuilder text, String label, byte[] der) {
    text.append("-----BEGIN ").append(label).append("-----\n");
    text.append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der));
    text.append("\n-----END ").append(label).append("-----\n");
  }

  private static List<Block> readBlocks(Path path, String role) {
    String text = new String(readFile(path, role), StandardCharsets.US_ASCII);
    List<Block> blocks = new ArrayList<>();
    Matcher matcher = BLOCK.matcher(text);
    while (matcher.find()) {
      blocks.add(new Block(matcher.group(1), matcher.group(2)));
    }
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException(
          role + " " + path + " is not a PEM file: no -----BEGIN ...----- / -----END ...-----"
              + " block found. Convert a DER file with: openssl x509 -inform der (certificates)"
              + " or openssl pkcs8 -inform der (keys).");
    }
    return blocks;
  }

  private static byte[] readFile(Path path, String role) {
    if (Files.isDirectory(path)) {
      throw new IllegalArgumentException(role + " " + path + " is a directory, not a PEM file.");
    }
    try {
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          role + " " + path + " not found (absolute path: " + path.toAbsolutePath() + ").", e);
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException(
          role + " " + path + " is not readable by this process; check its permissions.", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "failed to read " + role + " " + path + ": " + e.getMessage(), e);
    }
  }

  private static List<String> labels(List<Block> blocks) {
    List<String> labels = new ArrayList<>();
    for (Block block : blocks) {
      labels.add(block.label());
    }
    return labels;
  }

  private static CertificateFactory x509Factory() {
    try {
      return CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("this JVM has no X.509 certificate factory", e);
    }
  }
}
