package io.github.etlrpc.grpc.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses bearer token lists. Each entry is {@code token} or {@code token origin1,origin2}. Text
 * from a {@code #} at the start of an entry or after whitespace is a comment, and blank entries
 * are skipped. Only SHA-256 digests of the tokens are kept, and error messages name the entry
 * number, never the token.
 */
final class TokenList {
  /** Minimum token length without a warning, because shorter tokens are easy to guess. */
  static final int RECOMMENDED_MIN_LENGTH = 16;

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final Pattern COMMENT = Pattern.compile("(^|\\s)#.*$");
  private static final int TOKEN_ID_HEX_CHARS = 8;

  private TokenList() {}

  /**
   * One accepted token.
   *
   * @param digest SHA-256 digest of the token's UTF-8 bytes
   * @param id first {@value #TOKEN_ID_HEX_CHARS} hex characters of the digest, safe to log
   * @param origins lower-case origins the token may send, empty when it may send any origin
   * @param length number of characters of the token, for the short-token warning
   */
  record Entry(byte[] digest, String id, Set<String> origins, int length) {}

  /**
   * Parses {@code entries}, one entry per element.
   *
   * @param source where the entries come from, such as {@code "file /etc/etl/tokens"}, for
   *     messages
   * @param entryName what an element is called in messages, such as {@code "line"}
   * @throws IllegalArgumentException for a malformed entry, a repeated token or no token at all
   */
  static List<Entry> parse(List<String> entries, String source, String entryName) {
    List<Entry> parsed = new ArrayList<>();
    List<Integer> entryNumbers = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      int number = i + 1;
      String text = COMMENT.matcher(entries.get(i)).replaceFirst("").strip();
      if (text.isEmpty()) {
        continue;
      }
      String[] fields = WHITESPACE.split(text, 2);
      String token = fields[0];
      String where = source + ", " + entryName + " " + number;
      checkTokenCharacters(token, where);
      Set<String> origins = fields.length == 2 ? parseOrigins(fields[1], where) : Set.of();
      byte[] digest = sha256(token);
      for (int j = 0; j < parsed.size(); j++) {
        if (MessageDigest.isEqual(parsed.get(j).digest(), digest)) {
          throw new IllegalArgumentException(
              where + " repeats the token of " + entryName + " " + entryNumbers.get(j)
                  + "; list each token once, with all its origins.");
        }
      }
      parsed.add(new Entry(digest, tokenId(digest), origins, token.length()));
      entryNumbers.add(number);
    }
    if (parsed.isEmpty()) {
      throw new IllegalArgumentException(
          source + " has no bearer token; add one token per " + entryName
              + ", optionally followed by a comma-separated list of origins.");
    }
    return List.copyOf(parsed);
  }

  /** Returns the SHA-256 digest of the UTF-8 bytes of {@code token}. */
  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }

  /** Returns the loggable id of a token: the first hex characters of its SHA-256 digest. */
  static String tokenId(byte[] digest) {
    return HexFormat.of().formatHex(digest).substring(0, TOKEN_ID_HEX_CHARS);
  }

  private static void checkTokenCharacters(String token, String where) {
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new IllegalArgumentException(
            where + ": the token has a character outside visible ASCII at position " + (i + 1)
                + "; bearer tokens travel in an HTTP/2 header and must be printable ASCII.");
      }
    }
  }

  private static Set<String> parseOrigins(String list, String where) {
    Set<String> origins = new LinkedHashSet<>();
    for (String part : list.split(",", -1)) {
      String origin = part.strip().toLowerCase(Locale.ROOT);
      if (origin.isEmpty()) {
        throw new IllegalArgumentException(
            where + ": empty origin in the list '" + list.strip()
                + "'; write origins separated by single commas, such as oms,hospital.");
      }
      if (WHITESPACE.matcher(origin).find()) {
        throw new IllegalArgumentException(
            where + ": origin '" + origin + "' contains whitespace; separate origins with"
                + " commas.");
      }
      origins.add(origin);
    }
    return Set.copyOf(origins);
  }
}
