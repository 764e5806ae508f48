package io.github.etlrpc.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandTemplateTest {

  @Test
  void parse_splitsOnWhitespace() {
    assertThat(CommandTemplate.parse("  prog\t-a   b \n c ").arguments())
        .containsExactly("prog", "-a", "b", "c");
  }

  @Test
  void parse_quotesKeepSpaces() {
    assertThat(CommandTemplate.parse("prog \"my file\" x\"y z\"w \"\" {oms}").arguments())
        .containsExactly("prog", "my file", "xy zw", "", "{oms}");
  }

  @Test
  void parse_unterminatedQuoteRejected() {
    assertThatThrownBy(() -> CommandTemplate.parse("prog \"open"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unterminated double quote");
  }

  @Test
  void parse_blankCommandRejected() {
    assertThatThrownBy(() -> CommandTemplate.parse("   "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no program");
  }

  @Test
  void sourcePlaceholders_excludeRoundAndIgnoreCase() {
    CommandTemplate template = CommandTemplate.parse("prog {OMS} --id={round} {hospital}");

    assertThat(template.sourcePlaceholders()).containsExactlyInAnyOrder("oms", "hospital");
  }

  @Test
  void resolve_replacesInsideArguments() {
    CommandTemplate template = CommandTemplate.parse("prog --in={oms},{oms} {round}.out $1");

    List<String> command = template.resolve("r7", Map.of("oms", Path.of("/w/oms.json")));

    assertThat(command).containsExactly("prog", "--in=/w/oms.json,/w/oms.json", "r7.out", "$1");
  }

  @Test
  void resolve_roundOnlyStillAppendsFiles() {
    Map<String, Path> files = new LinkedHashMap<>();
    files.put("hospital", Path.of("/w/hospital.json"));
    files.put("clinica", Path.of("/w/clinica.json"));
    files.put("oms", Path.of("/w/oms.json"));

    List<String> command = CommandTemplate.parse("prog {round}").resolve("r1", files);

    assertThat(command).containsExactly("prog", "r1", "/w/oms.json", "/w/hospital.json",
        "/w/clinica.json");
  }

  @Test
  void resolve_unknownPlaceholderNamesIt() {
    CommandTemplate template = CommandTemplate.parse("prog {clinica}");

    assertThatThrownBy(() -> template.resolve("r1", Map.of("oms", Path.of("/w/oms.json"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Pipeline command placeholder {clinica} names no source of round r1; its"
            + " sources are [oms], and {round} is the round id");
  }
}
