package io.github.etlrpc.core.engine;

import java.util.List;

/** Portuguese sentences for {@code mensagem}, which clients of the wire contract print. */
final class RoundSummaries {
  private RoundSummaries() {}

  static String open(String roundId, List<String> missing) {
    if (missing.isEmpty()) {
      return "Rodada " + roundId + " aberta; as origens obrigatórias chegaram, aguardando a"
          + " regra de conclusão.";
    }
    return "Rodada " + roundId + " aberta; aguardando " + String.join(", ", missing) + ".";
  }

  static String sealed(String roundId) {
    return "Rodada " + roundId + " completa; pipeline agendado.";
  }

  static String parked(String roundId) {
    return "Rodada " + roundId + " expirou e foi estacionada.";
  }

  static String duplicate(String sendId, String roundId) {
    return "Envio " + sendId + " já recebido na rodada " + roundId
        + "; nada foi armazenado de novo.";
  }
}
