package io.github.etlrpc.grpc.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token list parsing through {@link BearerTokenAuthenticator#fromFile} and fromEnvironment. */
class TokenListTest {
  private static final String TOKEN_A = "tokenA-7f3c9a1e5b2d8f4c";
  private static final String TOKEN_B = "tokenB-1d6e0b9a7c3f5e2a";
  private static final String TOKEN_C = "tokenC-9b4a2e7d1c8f3b6e";

  @TempDir Path dir;

  @Test
  void parse_commentsAndBlankLines_areSkipped() {
    List<TokenList.Entry> entries =
        TokenList.parse(
            List.of(
                "# header comment",
                "",
                "   ",
                TOKEN_A + "   # trailing comment",
                "  " + TOKEN_B + "\toms",
                "   # indented comment"),
            "test list",
            "line");

    assertThat(entries).hasSize(2);
    assertThat(entries.get(0).origins()).isEmpty();
    assertThat(entries.get(0).digest()).isEqualTo(TokenList.sha256(TOKEN_A));
    assertThat(entries.get(1).origins()).containsExactly("oms");
    assertThat(entries.get(1).digest()).isEqualTo(TokenList.sha256(TOKEN_B));
  }

  @Test
  void parse_origins_areTrimmedAndLowerCased() {
    List<TokenList.Entry> entries =
        TokenList.parse(List.of(TOKEN_A + " OMS, Hospital ,secretaria"), "test list", "line");

    assertThat(entries.get(0).origins()).containsExactlyInAnyOrder("oms", "hospital", "secretaria");
  }

  @Test
  void parse_hashInsideToken_isKept() {
    List<TokenList.Entry> entries = TokenList.parse(List.of("abc#def"), "test list", "line");

    assertThat(entries.get(0).digest()).isEqualTo(TokenList.sha256("abc#def"));
  }

  @Test
  void tokenId_isDigestPrefix() {
    byte[] digest = TokenList.sha256("abc");

    // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
    assertThat(TokenList.tokenId(digest)).isEqualTo("ba7816bf");
  }

  @Test
  void fromFile_countsTokens() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("tokens"), TOKEN_A + "\n" + TOKEN_B + " oms\n" + TOKEN_C + " hospital\n");

    assertThat(BearerTokenAuthenticator.fromFile(file).tokenCount()).isEqualTo(3);
  }

  @Test
  void fromFile_missing_namesPath() {
    Path missing = dir.resolve("no-such-tokens");

    assertThatThrownBy(() -> BearerTokenAuthenticator.fromFile(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("not found");
  }

  @Test
  void fromFile_duplicateToken_namesBothLines() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("tokens"), TOKEN_A + "\n# comment\n" + TOKEN_B + "\n" + TOKEN_A + " oms\n");

    assertThatThrownBy(() -> BearerTokenAuthenticator.fromFile(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("line 4 repeats the token of line 1")
        .message()
        .doesNotContain(TOKEN_A);
  }

  @Test
  void fromFile_emptyOriginInList_namesLine() throws Exception {
    Path file =
        Files.writeString(dir.resolve("tokens"), TOKEN_A + "\n" + TOKEN_B + " oms,,hospital\n");

    assertThatThrownBy(() -> BearerTokenAuthenticator.fromFile(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 2: empty origin")
        .message()
        .doesNotContain(TOKEN_B);
  }

  @Test
  void fromFile_originsSeparatedBySpace_namesLine() throws Exception {
    Path file = Files.writeString(dir.resolve("tokens"), TOKEN_A + " oms hospital\n");

    assertThatThrownBy(() -> BearerTokenAuthenticator.fromFile(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 1: origin 'oms hospital' contains whitespace")
        .message()
        .doesNotContain(TOKEN_A);
  }

  @Test
  void fromFile_nonAsciiToken_hidesToken() throws Exception {
    String token = "tökén-1234567890abcdef";
    Path file = Files.writeString(dir.resolve("tokens"), TOKEN_A + "\n" + token + "\n");

    assertThatThrownBy(() -> BearerTokenAuthenticator.fromFile(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 2: the token has a character outside visible ASCII at"
            + " position 2")
        .message()
        .doesNotContain(token);
  }

  @Test
  void fromFile_onlyComments_isRejected() throws Exception {
    Path file = Files.writeString(dir.resolve("tokens"), "# nothing here\n\n");

    assertThatThrownBy(() -> BearerTokenAuthenticator.fromFile(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("has no bearer token");
  }

  @Test
  void fromEnvironment_semicolonsAndNewlines_separateEntries() {
    Map<String, String> environment =
        Map.of("ETL_TOKENS", TOKEN_A + " oms;" + TOKEN_B + "\n" + TOKEN_C + " hospital;;");

    BearerTokenAuthenticator authenticator =
        BearerTokenAuthenticator.fromEnvironment("ETL_TOKENS", environment::get);

    assertThat(authenticator.tokenCount()).isEqualTo(3);
  }

  @Test
  void fromEnvironment_unset_namesVariable() {
    assertThatThrownBy(() -> BearerTokenAuthenticator.fromEnvironment("ETL_TOKENS", name -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("environment variable ETL_TOKENS is not set or blank");
  }

  @Test
  void fromEnvironment_blank_namesVariable() {
    Map<String, String> environment = Map.of("ETL_TOKENS", "  \n ");

    assertThatThrownBy(
            () -> BearerTokenAuthenticator.fromEnvironment("ETL_TOKENS", environment::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ETL_TOKENS is not set or blank");
  }

  @Test
  void fromEnvironment_badEntry_namesEntryNumber() {
    Map<String, String> environment = Map.of("ETL_TOKENS", TOKEN_A + ";" + TOKEN_B + " oms,");

    assertThatThrownBy(
            () -> BearerTokenAuthenticator.fromEnvironment("ETL_TOKENS", environment::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("environment variable ETL_TOKENS, entry 2: empty origin")
        .message()
        .doesNotContain(TOKEN_B);
  }
}
