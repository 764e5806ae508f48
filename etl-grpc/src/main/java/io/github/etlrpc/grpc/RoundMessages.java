package io.github.etlrpc.grpc;

import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.SubmitResult;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.github.etlrpc.grpc.proto.EstadoRodada;
import io.github.etlrpc.grpc.proto.Rodada;

/** Conversions from engine values to wire messages. */
final class RoundMessages {
  private RoundMessages() {}

  /** Returns the wire enum value with the same number as {@code state}. */
  static EstadoRodada toEstado(RoundState state) {
    EstadoRodada estado = EstadoRodada.forNumber(state.number());
    return estado == null ? EstadoRodada.ESTADO_RODADA_DESCONHECIDO : estado;
  }

  static Rodada toRodada(RoundInfo round) {
    return Rodada.newBuilder()
        .setRodadaId(round.roundId())
        .setRodada(round.roundKey())
        .setEstado(toEstado(round.state()))
        .putAllRegistrosPorOrigem(round.rowsBySource())
        .setTentativas(round.attempts())
        .setErro(round.error())
        .setAbertaEmMs(round.openedAtMs())
        .setAtualizadaEmMs(round.updatedAtMs())
        .build();
  }

  /**
   * Returns the response to an accepted batch. The first sentence of {@code mensagem} is the one
   * existing clients print; the engine's round summary follows it.
   */
  static DadosResponse toResponse(SubmitResult result) {
    return DadosResponse.newBuilder()
        .setMensagem(firstSentence(result) + " " + result.roundSummary())
        .setRegistros(result.rows())
        .setRodadaId(result.roundId())
        .setEstado(toEstado(result.state()))
        .setDuplicado(result.duplicate())
        .build();
  }

  /**
   * Returns the response to the batch that sealed its round, once the pipeline outcome is known
   * or the wait for it ran out. {@code round} is the round's latest snapshot.
   */
  static DadosResponse toSettledResponse(SubmitResult result, RoundInfo round, boolean settled,
      long waitedMs) {
    String outcome = settled
        ? "Pipeline da rodada terminou em " + round.state() + "."
        : "Pipeline da rodada ainda em " + round.state() + " após " + waitedMs + " ms de espera.";
    if (!round.error().isEmpty()) {
      outcome += " Erro: " + round.error();
    }
    return toResponse(result).toBuilder()
        .setMensagem(firstSentence(result) + " " + result.roundSummary() + " " + outcome)
        .setEstado(toEstado(round.state()))
        .build();
  }

  private static String firstSentence(SubmitResult result) {
    return "Recebido " + result.rows() + " registros do tipo " + result.source() + ".";
  }
}
