package io.github.etlrpc.api;

/**
 * Result of {@link RoundStore#append}.
 *
 * @param duplicate true when a batch with the same send id was already stored, in which case
 *     nothing was written and the other fields describe the earlier batch
 * @param roundId round that holds the batch
 * @param source source of the stored batch
 * @param rowCount rows of the stored batch
 */
public record AppendResult(boolean duplicate, String roundId, String source, long rowCount) {}
