package io.github.etlrpc.api;

/** One decoded {@code Linha}: exactly one of the three row records. */
public sealed interface Row permits Row.Oms, Row.Hospital, Row.Secretaria {

  /** Row type of this row. */
  RowType type();

  /** A {@code LinhaOMS}: per-island statistics. {@code cep} is an island code. */
  record Oms(int numObitos, int populacao, int cep, int numRecuperados, int numVacinados,
      String data) implements Row {
    @Override
    public RowType type() {
      return RowType.OMS;
    }
  }

  /** A {@code LinhaHospital}: one admission. {@code cep} is a region code island*1000+r. */
  record Hospital(int idHospital, String data, int internado, int idade, int sexo, int cep,
      int sintoma1, int sintoma2, int sintoma3, int sintoma4) implements Row {
    @Override
    public RowType type() {
      return RowType.HOSPITAL;
    }
  }

  /** A {@code LinhaSecretaria}: one patient record. {@code cep} is a region code. */
  record Secretaria(int diagnostico, int vacinado, int cep, int escolaridade, int populacao,
      String data) implements Row {
    @Override
    public RowType type() {
      return RowType.SECRETARIA;
    }
  }
}
