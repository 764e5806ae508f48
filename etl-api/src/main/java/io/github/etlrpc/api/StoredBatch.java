package io.github.etlrpc.api;

/**
 * A validated batch as the store keeps it.
 *
 * @param source normalized source name
 * @param fileName file name the client sent, metadata only
 * @param sendId client-chosen send id, empty when none
 * @param rowCount rows in the payload
 * @param payload encoded rows, as described in {@link Batch}
 * @param payloadOffset first payload byte in {@code payload}
 * @param payloadLength payload size in bytes
 */
public record StoredBatch(
    String source,
    String fileName,
    String sendId,
    long rowCount,
    byte[] payload,
    int payloadOffset,
    int payloadLength) {}
