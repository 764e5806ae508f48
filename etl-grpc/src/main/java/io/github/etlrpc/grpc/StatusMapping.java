package io.github.etlrpc.grpc;

import io.github.etlrpc.api.EtlException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps exceptions raised while handling a call to the status the client receives. */
final class StatusMapping {
  private static final Logger log = LoggerFactory.getLogger(StatusMapping.class);

  private StatusMapping() {}

  /**
   * Returns the status for {@code failure}: an {@link EtlException} maps to the code named like
   * its kind with its message as description, a status exception keeps its status, and anything
   * else is logged here with its stack trace and becomes INTERNAL.
   */
  static Status toStatus(Throwable failure, String method) {
    if (failure instanceof EtlException etl) {
      return Status.fromCode(Status.Code.valueOf(etl.kind().name()))
          .withDescription(etl.getMessage());
    }
    if (failure instanceof StatusRuntimeException e) {
      return e.getStatus();
    }
    if (failure instanceof StatusException e) {
      return e.getStatus();
    }
    log.error("{} failed with an unexpected exception", method, failure);
    return Status.INTERNAL.withDescription(
        method + " failed inside the server (" + failure.getClass().getSimpleName()
            + "); the server log has the details");
  }
}
