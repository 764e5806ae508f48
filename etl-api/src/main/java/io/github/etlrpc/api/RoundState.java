package io.github.etlrpc.api;

/** Lifecycle states of a round. The numbers are those of the {@code EstadoRodada} wire enum. */
public enum RoundState {
  /** Collecting batches. */
  ABERTA(1),
  /** Complete and waiting for the pipeline. */
  FECHADA(2),
  /** Pipeline running. */
  EXECUTANDO(3),
  /** Pipeline succeeded. Terminal. */
  CONCLUIDA(4),
  /** Last attempt failed; another attempt is scheduled. */
  FALHOU(5),
  /** Retries exhausted or the round expired; kept for an operator. */
  ESTACIONADA(6);

  private final int number;

  RoundState(int number) {
    this.number = number;
  }

  /** Number of this state in the {@code EstadoRodada} wire enum. */
  public int number() {
    return number;
  }

  /** Returns whether the round still accepts batches. */
  public boolean isOpen() {
    return this == ABERTA;
  }

  /** Returns whether the state is CONCLUIDA or ESTACIONADA, which change only by an operator. */
  public boolean isSettled() {
    return this == CONCLUIDA || this == ESTACIONADA;
  }
}
