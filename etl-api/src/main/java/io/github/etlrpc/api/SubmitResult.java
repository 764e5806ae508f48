package io.github.etlrpc.api;

/**
 * Outcome of an accepted batch.
 *
 * @param source normalized source name of the batch
 * @param rows rows accepted by this call, or stored by the first call for a duplicate send
 * @param roundId round the batch joined
 * @param state that round's state right after this call
 * @param duplicate whether the send id was already stored, so nothing new was stored
 * @param roundSummary one Portuguese sentence on what happened to the round, for
 *     {@code mensagem}
 */
public record SubmitResult(
    String source,
    long rows,
    String roundId,
    RoundState state,
    boolean duplicate,
    String roundSummary) {}
