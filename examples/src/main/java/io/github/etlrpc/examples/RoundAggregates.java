package io.github.etlrpc.examples;

import io.github.etlrpc.api.Row;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Totals the reference pipeline computes over one round's rows. OMS rows carry an island code in
 * {@code cep}; hospital and secretariat rows carry a region code, whose island is
 * {@code cep / 1000}. Memory grows with the number of islands and hospitals, not with rows. Not
 * thread-safe.
 */
final class RoundAggregates implements Consumer<Row> {

  /** OMS totals of one island. */
  static final class OmsTotals {
    long deaths;
    long recovered;
    long vaccinated;
  }

  /** Hospital rows and admissions ({@code internado = 1}) of one hospital or island. */
  static final class AdmissionTotals {
    long records;
    long admissions;
  }

  /** Secretariat rows, vaccinated and diagnosed people of one island. */
  static final class SecretariaTotals {
    long records;
    long vaccinated;
    long diagnosed;
  }

  private final SortedMap<Integer, OmsTotals> omsByIsland = new TreeMap<>();
  private final SortedMap<Integer, AdmissionTotals> admissionsByHospital = new TreeMap<>();
  private final SortedMap<Integer, AdmissionTotals> admissionsByIsland = new TreeMap<>();
  private final SortedMap<Integer, SecretariaTotals> secretariaByIsland = new TreeMap<>();
  private long omsRows;
  private long hospitalRows;
  private long secretariaRows;

  @Override
  public void accept(Row row) {
    // Java 17 has no pattern matching for switch, and Row is sealed to these three records.
    if (row instanceof Row.Oms oms) {
      addOms(oms);
    } else if (row instanceof Row.Hospital hospital) {
      addHospital(hospital);
    } else {
      addSecretaria((Row.Secretaria) row);
    }
  }

  private void addOms(Row.Oms row) {
    omsRows++;
    OmsTotals totals = omsByIsland.computeIfAbsent(row.cep(), island -> new OmsTotals());
    totals.deaths += row.numObitos();
    totals.recovered += row.numRecuperados();
    totals.vaccinated += row.numVacinados();
  }

  private void addHospital(Row.Hospital row) {
    hospitalRows++;
    int admitted = row.internado() == 1 ? 1 : 0;
    AdmissionTotals hospital =
        admissionsByHospital.computeIfAbsent(row.idHospital(), id -> new AdmissionTotals());
    hospital.records++;
    hospital.admissions += admitted;
    AdmissionTotals island =
        admissionsByIsland.computeIfAbsent(row.cep() / 1000, id -> new AdmissionTotals());
    island.records++;
    island.admissions += admitted;
  }

  private void addSecretaria(Row.Secretaria row) {
    secretariaRows++;
    SecretariaTotals totals =
        secretariaByIsland.computeIfAbsent(row.cep() / 1000, id -> new SecretariaTotals());
    totals.records++;
    totals.vaccinated += row.vacinado() == 1 ? 1 : 0;
    totals.diagnosed += row.diagnostico() == 1 ? 1 : 0;
  }

  long omsRows() {
    return omsRows;
  }

  long hospitalRows() {
    return hospitalRows;
  }

  long secretariaRows() {
    return secretariaRows;
  }

  SortedMap<Integer, OmsTotals> omsByIsland() {
    return omsByIsland;
  }

  SortedMap<Integer, AdmissionTotals> admissionsByHospital() {
    return admissionsByHospital;
  }

  SortedMap<Integer, AdmissionTotals> admissionsByIsland() {
    return admissionsByIsland;
  }

  SortedMap<Integer, SecretariaTotals> secretariaByIsland() {
    return secretariaByIsland;
  }

  /** Mean of the islands' OMS death totals, or 0 when no OMS row was read. */
  double meanDeaths() {
    if (omsByIsland.isEmpty()) {
      return 0;
    }
    long sum = 0;
    for (OmsTotals totals : omsByIsland.values()) {
      sum += totals.deaths;
    }
    return (double) sum / omsByIsland.size();
  }

  /** Islands whose OMS death total is strictly above {@link #meanDeaths()}, ascending. */
  List<Integer> islandsAboveMeanDeaths() {
    double mean = meanDeaths();
    return omsByIsland.entrySet().stream()
        .filter(entry -> entry.getValue().deaths > mean)
        .map(Map.Entry::getKey)
        .toList();
  }

  /** Islands that appear in any source, ascending. */
  SortedSet<Integer> allIslands() {
    SortedSet<Integer> islands = new TreeSet<>(omsByIsland.keySet());
    islands.addAll(admissionsByIsland.keySet());
    islands.addAll(secretariaByIsland.keySet());
    return islands;
  }
}
