package io.github.etlrpc.grpc.security;

import io.github.etlrpc.grpc.EtlGrpcService;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.inprocess.InProcessSocketAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server interceptor that admits calls carrying a known bearer token in the {@code
 * authorization: Bearer <token>} metadata and rejects the rest with UNAUTHENTICATED.
 *
 * <p>Tokens come from a file ({@link #fromFile}) or an environment variable ({@link
 * #fromEnvironment}). Each entry is either {@code token} or {@code token origin1,origin2}:
 *
 * <pre>
 * # may send every origin
 * 9f2c1e7d4b0a6c3358e1f0a2
 * # may send only oms, or only hospital and secretaria
 * 41d7aa09c3e25b7f10c48d6e  oms
 * 0be5c3f18d6a2e9047b13c5d  hospital,secretaria
 * </pre>
 *
 * <p>A token bound to origins is admitted, and the call's {@link Context} carries the lower-case
 * origin set under {@link EtlGrpcService#ALLOWED_ORIGINS}; the service then rejects a batch of
 * another origin with PERMISSION_DENIED. Calls to the services in {@link #exemptServices()}
 * (health checks and server reflection by default) pass without a token.
 *
 * <p>Only SHA-256 digests of the tokens are kept in memory. A presented token is hashed and
 * compared with every stored digest by {@link MessageDigest#isEqual}, without stopping at a
 * match, so the time taken does not reveal which stored token, or how much of one, matched.
 * Tokens never appear in logs or status descriptions; logs name a token by its id, the first 8
 * hex characters of its SHA-256 digest ({@code printf %s "$TOKEN" | sha256sum | cut -c1-8}).
 *
 * <p>Bearer tokens are readable by anyone on the path of a plaintext connection, so use them
 * with TLS ({@link TlsSettings}). The first token that arrives over a network connection without
 * TLS is logged as a warning; in-process calls are exempt. Instances are immutable and
 * thread-safe.
 */
public final class BearerTokenAuthenticator implements ServerInterceptor {
  /** Services reachable without a token: health checking and both server reflection versions. */
  public static final Set<String> DEFAULT_EXEMPT_SERVICES =
      Set.of(
          "grpc.health.v1.Health",
          "grpc.reflection.v1.ServerReflection",
          "grpc.reflection.v1alpha.ServerReflection");

  static final String MISSING_TOKEN =
      "missing bearer token; send metadata authorization: Bearer <token>";
  static final String INVALID_TOKEN = "invalid bearer token";

  private static final Logger log = LoggerFactory.getLogger(BearerTokenAuthenticator.class);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> WWW_AUTHENTICATE =
      Metadata.Key.of("www-authenticate", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER_PREFIX = "bearer ";

  private final List<TokenList.Entry> tokens;
  private final Set<String> exemptServices;
  private final AtomicBoolean plaintextWarned;

  private BearerTokenAuthenticator(
      List<TokenList.Entry> tokens, Set<String> exemptServices, AtomicBoolean plaintextWarned) {
    this.tokens = tokens;
    this.exemptServices = exemptServices;
    this.plaintextWarned = plaintextWarned;
  }

  /**
   * Reads tokens from a UTF-8 file with one entry per line; {@code #} starts a comment and blank
   * lines are skipped. Protect the file like a password file (for example mode 0600).
   *
   * @throws IllegalArgumentException if the file is missing or unreadable, has a malformed
   *     line, repeats a token, or has no token. The message names the path and line number.
   */
  public static BearerTokenAuthenticator fromFile(Path file) {
    Objects.requireNonNull(file, "file");
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          "bearer token file " + file + " not found (absolute path: " + file.toAbsolutePath()
              + ").",
          e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "failed to read bearer token file " + file + ": " + e, e);
    }
    return create(TokenList.parse(lines, "bearer token file " + file, "line"));
  }

  /**
   * Reads tokens from an environment variable in the file format, with entries separated by
   * newlines or {@code ;}, such as {@code ETL_TOKENS="t1 oms;t2 hospital,secretaria"}.
   *
   * @throws IllegalArgumentException if the variable is unset or blank, has a malformed entry,
   *     repeats a token, or has no token. The message names the variable and entry number.
   */
  public static BearerTokenAuthenticator fromEnvironment(String varName) {
    return fromEnvironment(varName, System::getenv);
  }

  /** Reads tokens from {@code varName} as looked up by {@code environment}; for tests. */
  static BearerTokenAuthenticator fromEnvironment(
      String varName, Function<String, @Nullable String> environment) {
    Objects.requireNonNull(varName, "varName");
    String value = environment.apply(varName);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "environment variable " + varName + " is not set or blank; set it to bearer tokens"
              + " separated by ';' or newlines, each optionally followed by origins.");
    }
    List<String> entries = Arrays.asList(value.split("[;\\r\\n]", -1));
    return create(TokenList.parse(entries, "environment variable " + varName, "entry"));
  }

  private static BearerTokenAuthenticator create(List<TokenList.Entry> tokens) {
    for (TokenList.Entry token : tokens) {
      if (token.length() < TokenList.RECOMMENDED_MIN_LENGTH) {
        log.warn(
            "bearer token id={} has only {} characters; use at least 32 random characters",
            token.id(),
            token.length());
      }
    }
    log.info("loaded {} bearer token(s): {}", tokens.size(), describe(tokens));
    return new BearerTokenAuthenticator(tokens, DEFAULT_EXEMPT_SERVICES, new AtomicBoolean());
  }

  /**
   * Returns an authenticator with the same tokens that lets calls to {@code serviceNames} pass
   * without a token. Names are full service names such as {@code grpc.health.v1.Health}; an
   * empty set makes every service require a token.
   */
  public BearerTokenAuthenticator withExemptServices(Set<String> serviceNames) {
    return new BearerTokenAuthenticator(tokens, Set.copyOf(serviceNames), plaintextWarned);
  }

  /** Full names of the services whose calls need no token. */
  public Set<String> exemptServices() {
    return exemptServices;
  }

  /** Number of tokens this authenticator admits. */
  public int tokenCount() {
    return tokens.size();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String service = call.getMethodDescriptor().getServiceName();
    if (service != null && exemptServices.contains(service)) {
      return next.startCall(call, headers);
    }
    String method = call.getMethodDescriptor().getFullMethodName();
    Iterable<String> authorization = headers.getAll(AUTHORIZATION);
    if (authorization != null && countOf(authorization) > 1) {
      log.debug("rejected call {} from {}: several authorization headers", method,
          remoteAddress(call));
      return reject(call, INVALID_TOKEN + "; send exactly one authorization header");
    }
    String token = authorization == null ? null : bearerToken(authorization.iterator().next());
    if (token == null) {
      log.debug("rejected call {} from {}: no bearer token", method, remoteAddress(call));
      return reject(call, MISSING_TOKEN);
    }
    byte[] digest = TokenList.sha256(token);
    TokenList.Entry match = find(digest);
    if (match == null) {
      log.debug(
          "rejected call {} from {}: unknown bearer token id={}",
          method,
          remoteAddress(call),
          TokenList.tokenId(digest));
      return reject(call, INVALID_TOKEN);
    }
    warnOnceIfPlaintext(call, match);
    log.trace("admitted call {} with bearer token id={}", method, match.id());
    if (match.origins().isEmpty()) {
      return next.startCall(call, headers);
    }
    Context context = Context.current().withValue(EtlGrpcService.ALLOWED_ORIGINS, match.origins());
    return Contexts.interceptCall(context, call, headers, next);
  }

  /** Returns the token of an {@code authorization} value with the Bearer scheme, or null. */
  private static @Nullable String bearerToken(String value) {
    // RFC 7235: the scheme name is case-insensitive.
    if (!value.regionMatches(true, 0, BEARER_PREFIX, 0, BEARER_PREFIX.length())) {
      return null;
    }
    String token = value.substring(BEARER_PREFIX.length()).strip();
    return token.isEmpty() ? null : token;
  }

  private static int countOf(Iterable<String> values) {
    int count = 0;
    for (Iterator<String> iterator = values.iterator(); iterator.hasNext(); iterator.next()) {
      count++;
    }
    return count;
  }

  /** Compares {@code digest} with every stored digest, without an early exit on a match. */
  private TokenList.@Nullable Entry find(byte[] digest) {
    TokenList.Entry match = null;
    for (TokenList.Entry entry : tokens) {
      boolean equal = MessageDigest.isEqual(entry.digest(), digest);
      if (equal && match == null) {
        match = entry;
      }
    }
    return match;
  }

  private static <ReqT, RespT> ServerCall.Listener<ReqT> reject(
      ServerCall<ReqT, RespT> call, String description) {
    Metadata trailers = new Metadata();
    trailers.put(WWW_AUTHENTICATE, "Bearer");
    call.close(Status.UNAUTHENTICATED.withDescription(description), trailers);
    return new ServerCall.Listener<>() {};
  }

  private void warnOnceIfPlaintext(ServerCall<?, ?> call, TokenList.Entry token) {
    boolean encrypted =
        call.getSecurityLevel() == SecurityLevel.PRIVACY_AND_INTEGRITY
            || call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION) != null;
    // In-process calls never leave the JVM, so there is no path to read the token on.
    boolean inProcess =
        call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR) instanceof InProcessSocketAddress;
    if (!encrypted && !inProcess && plaintextWarned.compareAndSet(false, true)) {
      log.warn(
          "bearer token id={} arrived from {} over a connection without TLS, where anyone on"
              + " the path can read it; configure TLS with TlsSettings (logged once)",
          token.id(),
          remoteAddress(call));
    }
  }

  private static Object remoteAddress(ServerCall<?, ?> call) {
    Object address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    return address == null ? "unknown address" : address;
  }

  private static String describe(List<TokenList.Entry> tokens) {
    List<String> parts = new ArrayList<>();
    for (TokenList.Entry token : tokens) {
      parts.add(
          "id=" + token.id() + " origins="
              + (token.origins().isEmpty() ? "any" : new TreeSet<>(token.origins())));
    }
    return String.join(", ", parts);
  }
}
