package io.github.etlrpc.bench.crash;

/**
 * One batch a simulated source sent, with the markers {@code firstMarker} to
 * {@code firstMarker + rows - 1}.
 *
 * @param client index of the sending client
 * @param sendId {@code id_envio} of every send of this batch
 * @param source source of the rows
 * @param firstMarker marker of the first row; the others follow without gaps
 * @param rows number of rows
 * @param roundId {@code rodada_id} of the acknowledgement, empty when never acknowledged
 * @param duplicate whether the acknowledgement had {@code duplicado} set, meaning an earlier
 *     send whose response was lost had already stored the batch
 * @param sends calls made until the acknowledgement, or until the client gave up
 */
record SentBatch(
    int client,
    String sendId,
    MarkerSource source,
    int firstMarker,
    int rows,
    String roundId,
    boolean duplicate,
    int sends) {

  /** Returns whether the server acknowledged the batch with an OK response. */
  boolean acknowledged() {
    return !roundId.isEmpty();
  }

  /** Marker one past the last row's marker. */
  int endMarker() {
    return firstMarker + rows;
  }
}
