package io.github.etlrpc.examples;

import io.github.etlrpc.api.RowType;
import io.github.etlrpc.grpc.proto.DadosRequest;
import io.github.etlrpc.grpc.proto.Linha;
import io.github.etlrpc.grpc.proto.LinhaHospital;
import io.github.etlrpc.grpc.proto.LinhaOMS;
import io.github.etlrpc.grpc.proto.LinhaSecretaria;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates the files one data source client sends: rows of the three {@code Linha} types with
 * values in the ranges real clients use, and origins in the mixed case they send.
 *
 * <p>Ranges: dates {@code dd-MM-yyyy} within {@link #FIRST_DATE}'s year; OMS {@code cep} an island
 * code {@value #FIRST_ISLAND}..{@value #LAST_ISLAND}; hospital and secretariat {@code cep} a region
 * code {@code island * 1000 + r} with r in 1..{@value #REGIONS_PER_ISLAND}; flags 0 or 1;
 * {@code idade} 0..{@value #MAX_AGE}; {@code escolaridade} 0..{@value #MAX_SCHOOLING};
 * {@code id_hospital} 1..{@code islands * }{@value #HOSPITALS_PER_ISLAND}, each hospital on one
 * island. The same seed gives the same rows.
 *
 * <p>Not thread-safe: use one instance per client thread.
 */
public final class SimulatedSource {
  public static final int FIRST_ISLAND = 11;
  public static final int LAST_ISLAND = 30;
  public static final int REGIONS_PER_ISLAND = 5;
  public static final int HOSPITALS_PER_ISLAND = 2;
  public static final int MAX_AGE = 100;
  public static final int MAX_SCHOOLING = 5;
  public static final LocalDate FIRST_DATE = LocalDate.of(2026, 1, 1);

  private static final int ISLANDS = LAST_ISLAND - FIRST_ISLAND + 1;
  private static final int DAYS = FIRST_DATE.lengthOfYear();
  private static final List<String> DATES = formatDates();
  private static final String[] OMS_ORIGINS = {"oms", "OMS", "Oms"};
  private static final String[] HOSPITAL_ORIGINS = {"hospital", "Hospital", "HOSPITAL"};
  private static final String[] SECRETARIA_ORIGINS = {"secretaria", "Secretaria", "SECRETARIA"};

  private final SplittableRandom random;
  private final int[] islandPopulation = new int[ISLANDS];
  private final int[] regionPopulation = new int[ISLANDS * REGIONS_PER_ISLAND];

  /** Creates a source whose rows and origins follow from {@code seed}. */
  public SimulatedSource(long seed) {
    this.random = new SplittableRandom(seed);
    for (int i = 0; i < ISLANDS; i++) {
      islandPopulation[i] = random.nextInt(20_000, 400_001);
    }
    for (int i = 0; i < regionPopulation.length; i++) {
      regionPopulation[i] = random.nextInt(1_000, 80_001);
    }
  }

  /** Random generator behind this source, for callers that draw sizes from the same seed. */
  public SplittableRandom random() {
    return random;
  }

  /** Returns the origin of {@code type} spelled in one of the cases real clients use. */
  public String origin(RowType type) {
    String[] spellings = switch (type) {
      case OMS -> OMS_ORIGINS;
      case HOSPITAL -> HOSPITAL_ORIGINS;
      case SECRETARIA -> SECRETARIA_ORIGINS;
    };
    return spellings[random.nextInt(spellings.length)];
  }

  /** Returns {@code count} new rows of {@code type}. */
  public List<Linha> rows(RowType type, int count) {
    List<Linha> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      rows.add(row(type));
    }
    return rows;
  }

  /**
   * Returns a request for one file: a mixed-case origin, {@code fileName} and {@code count} rows
   * of {@code type}. The caller adds {@code rodada} and {@code id_envio} if it uses them.
   */
  public DadosRequest.Builder request(RowType type, String fileName, int count) {
    return DadosRequest.newBuilder()
        .setOrigem(origin(type))
        .setNomeArquivo(fileName)
        .addAllDados(rows(type, count));
  }

  /** Returns one new row of {@code type}. */
  public Linha row(RowType type) {
    return switch (type) {
      case OMS -> Linha.newBuilder().setLinhaOms(omsRow()).build();
      case HOSPITAL -> Linha.newBuilder().setLinhaHospital(hospitalRow()).build();
      case SECRETARIA -> Linha.newBuilder().setLinhaSecretaria(secretariaRow()).build();
    };
  }

  private LinhaOMS omsRow() {
    int island = random.nextInt(ISLANDS);
    int population = islandPopulation[island];
    return LinhaOMS.newBuilder()
        .setNumObitos(random.nextInt(0, 41))
        .setPopulacao(population)
        .setCep(FIRST_ISLAND + island)
        .setNumRecuperados(random.nextInt(0, 401))
        .setNumVacinados(random.nextInt(0, Math.min(3_000, population) + 1))
        .setData(date())
        .build();
  }

  private LinhaHospital hospitalRow() {
    int hospital = random.nextInt(ISLANDS * HOSPITALS_PER_ISLAND);
    int island = hospital / HOSPITALS_PER_ISLAND;
    return LinhaHospital.newBuilder()
        .setIdHospital(hospital + 1)
        .setData(date())
        .setInternado(flag(30))
        .setIdade(random.nextInt(0, MAX_AGE + 1))
        .setSexo(flag(50))
        .setCep(regionCode(island, random.nextInt(REGIONS_PER_ISLAND)))
        .setSintoma1(flag(60))
        .setSintoma2(flag(40))
        .setSintoma3(flag(25))
        .setSintoma4(flag(10))
        .build();
  }

  private LinhaSecretaria secretariaRow() {
    int island = random.nextInt(ISLANDS);
    int region = random.nextInt(REGIONS_PER_ISLAND);
    return LinhaSecretaria.newBuilder()
        .setDiagnostico(flag(20))
        .setVacinado(flag(70))
        .setCep(regionCode(island, region))
        .setEscolaridade(random.nextInt(0, MAX_SCHOOLING + 1))
        .setPopulacao(regionPopulation[island * REGIONS_PER_ISLAND + region])
        .setData(date())
        .build();
  }

  /** Returns the region code of zero-based {@code island} and {@code region}. */
  private static int regionCode(int island, int region) {
    return (FIRST_ISLAND + island) * 1000 + region + 1;
  }

  /** Returns 1 with {@code percent} percent probability, else 0. */
  private int flag(int percent) {
    return random.nextInt(100) < percent ? 1 : 0;
  }

  private String date() {
    return DATES.get(random.nextInt(DAYS));
  }

  private static List<String> formatDates() {
    DateTimeFormatter format = DateTimeFormatter.ofPattern("dd-MM-yyyy");
    List<String> dates = new ArrayList<>(DAYS);
    for (int day = 0; day < DAYS; day++) {
      dates.add(FIRST_DATE.plusDays(day).format(format));
    }
    return List.copyOf(dates);
  }
}
