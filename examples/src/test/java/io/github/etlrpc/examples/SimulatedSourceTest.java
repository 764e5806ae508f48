package io.github.etlrpc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.etlrpc.api.RowType;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.Linha;
import io.github.etlrpc.grpc.proto.LinhaHospital;
import io.github.etlrpc.grpc.proto.LinhaOMS;
import io.github.etlrpc.grpc.proto.LinhaSecretaria;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimulatedSourceTest {
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("dd-MM-uuuu").withResolverStyle(ResolverStyle.STRICT);
  private static final int ROWS = 5_000;

  @Test
  void omsRows_stayInRanges() {
    List<Linha> rows = new SimulatedSource(7).rows(RowType.OMS, ROWS);

    Set<Integer> islands = new HashSet<>();
    for (Linha linha : rows) {
      assertThat(linha.getLinhaCase()).isEqualTo(Linha.LinhaCase.LINHA_OMS);
      LinhaOMS row = linha.getLinhaOms();
      assertThat(row.getCep()).isBetween(11, 30);
      assertThat(row.getNumObitos()).isBetween(0, row.getPopulacao());
      assertThat(row.getNumRecuperados()).isBetween(0, row.getPopulacao());
      assertThat(row.getNumVacinados()).isBetween(0, row.getPopulacao());
      assertThat(row.getPopulacao()).isPositive();
      assertValidDate(row.getData());
      islands.add(row.getCep());
    }
    assertThat(islands).hasSize(20);
  }

  @Test
  void hospitalRows_stayInRanges() {
    List<Linha> rows = new SimulatedSource(7).rows(RowType.HOSPITAL, ROWS);

    for (Linha linha : rows) {
      assertThat(linha.getLinhaCase()).isEqualTo(Linha.LinhaCase.LINHA_HOSPITAL);
      LinhaHospital row = linha.getLinhaHospital();
      assertRegionCode(row.getCep());
      assertThat(row.getIdHospital()).isBetween(1, 20 * SimulatedSource.HOSPITALS_PER_ISLAND);
      assertThat(row.getInternado()).isBetween(0, 1);
      assertThat(row.getIdade()).isBetween(0, 100);
      assertThat(row.getSexo()).isBetween(0, 1);
      assertThat(row.getSintoma1()).isBetween(0, 1);
      assertThat(row.getSintoma2()).isBetween(0, 1);
      assertThat(row.getSintoma3()).isBetween(0, 1);
      assertThat(row.getSintoma4()).isBetween(0, 1);
      assertValidDate(row.getData());
    }
  }

  @Test
  void hospitalRows_hospitalStaysOnOneIsland() {
    List<Linha> rows = new SimulatedSource(3).rows(RowType.HOSPITAL, ROWS);

    java.util.Map<Integer, Integer> islandOfHospital = new java.util.HashMap<>();
    for (Linha linha : rows) {
      LinhaHospital row = linha.getLinhaHospital();
      Integer previous = islandOfHospital.putIfAbsent(row.getIdHospital(), row.getCep() / 1000);
      if (previous != null) {
        assertThat(row.getCep() / 1000).isEqualTo(previous);
      }
    }
  }

  @Test
  void secretariaRows_stayInRanges() {
    List<Linha> rows = new SimulatedSource(7).rows(RowType.SECRETARIA, ROWS);

    Set<Integer> flagsSeen = new HashSet<>();
    for (Linha linha : rows) {
      assertThat(linha.getLinhaCase()).isEqualTo(Linha.LinhaCase.LINHA_SECRETARIA);
      LinhaSecretaria row = linha.getLinhaSecretaria();
      assertRegionCode(row.getCep());
      assertThat(row.getDiagnostico()).isBetween(0, 1);
      assertThat(row.getVacinado()).isBetween(0, 1);
      assertThat(row.getEscolaridade()).isBetween(0, 5);
      assertThat(row.getPopulacao()).isPositive();
      assertValidDate(row.getData());
      flagsSeen.add(row.getVacinado());
    }
    assertThat(flagsSeen).containsExactlyInAnyOrder(0, 1);
  }

  @Test
  void origin_usesSeveralCasesOfTheSourceName() {
    SimulatedSource source = new SimulatedSource(11);

    Set<String> spellings = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String origin = source.origin(RowType.HOSPITAL);
      assertThat(origin.toLowerCase(Locale.ROOT)).isEqualTo("hospital");
      spellings.add(origin);
    }
    assertThat(spellings).hasSizeGreaterThan(1);
  }

  @Test
  void request_carriesOriginNameAndRows() {
    DadosRequest request = new SimulatedSource(5).request(RowType.SECRETARIA, "s.csv", 25).build();

    assertThat(request.getOrigem().toLowerCase(Locale.ROOT)).isEqualTo("secretaria");
    assertThat(request.getNomeArquivo()).isEqualTo("s.csv");
    assertThat(request.getDadosCount()).isEqualTo(25);
  }

  @Test
  void rows_sameSeedGivesSameRows() {
    List<Linha> first = new SimulatedSource(42).rows(RowType.OMS, 100);
    List<Linha> second = new SimulatedSource(42).rows(RowType.OMS, 100);
    List<Linha> other = new SimulatedSource(43).rows(RowType.OMS, 100);

    assertThat(first).isEqualTo(second);
    assertThat(first).isNotEqualTo(other);
  }

  @Test
  void fileSizes_originalClientsDrawHospitalInRange() {
    SplittableRandom random = new SplittableRandom(1);
    FileSizes sizes = FileSizes.ORIGINAL_CLIENTS;

    assertThat(sizes.rowsFor(RowType.OMS, random)).isEqualTo(10_000);
    assertThat(sizes.rowsFor(RowType.SECRETARIA, random)).isEqualTo(20_000);
    for (int i = 0; i < 100; i++) {
      assertThat(sizes.rowsFor(RowType.HOSPITAL, random)).isBetween(5_000, 8_000);
    }
  }

  private static void assertRegionCode(int cep) {
    assertThat(cep / 1000).isBetween(11, 30);
    assertThat(cep % 1000).isBetween(1, 5);
  }

  private static void assertValidDate(String date) {
    LocalDate parsed = LocalDate.parse(date, DATE);
    assertThat(parsed.getYear()).isEqualTo(SimulatedSource.FIRST_DATE.getYear());
  }
}
