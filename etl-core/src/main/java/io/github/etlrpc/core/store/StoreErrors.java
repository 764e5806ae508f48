package io.github.etlrpc.core.store;

import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.RoundState;

/** Exceptions that both round stores throw, so their messages stay the same. */
final class StoreErrors {
  private StoreErrors() {}

  static EtlException roundNotOpen(String roundId, RoundState state) {
    return new EtlException(ErrorKind.FAILED_PRECONDITION, "Round " + roundId + " is " + state
        + " and accepts no more batches; send the batch to an open round");
  }

  static EtlException roundNotFound(String roundId) {
    return new EtlException(ErrorKind.NOT_FOUND, "Round " + roundId + " not found");
  }

  static EtlException purgeNotConcluded(String roundId, RoundState state) {
    return new EtlException(ErrorKind.FAILED_PRECONDITION, "Cannot remove the payloads of round "
        + roundId + " because it is " + state + "; only a CONCLUIDA round can be purged");
  }
}
