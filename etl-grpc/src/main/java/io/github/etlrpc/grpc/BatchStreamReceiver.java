package io.github.etlrpc.grpc;

import io.github.etlrpc.api.Batch;
import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.grpc.proto.DadosResponse;
import io.grpc.stub.StreamObserver;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the messages of one EnviarDadosStream call into one batch and submits it when the
 * client half-closes. The payloads of all messages are concatenated, which is valid because a
 * payload is just a sequence of {@code dados} records. The origin is checked when it first
 * arrives and the limits after every message, so a bad stream is rejected before it is complete.
 * A cancelled or failed stream is dropped without storing anything.
 *
 * <p>Each chunk's payload bytes are reserved from the budget that {@link EtlGrpcService} shares
 * among all streams before the chunk is buffered. They are released when the submit returns,
 * when the stream is rejected, and when the client cancels or the call fails. grpc calls a
 * request observer from one thread at a time, so this class needs no locking.
 */
final class BatchStreamReceiver implements StreamObserver<byte[]> {
  private static final Logger log = LoggerFactory.getLogger(BatchStreamReceiver.class);
  private static final String METHOD = "EnviarDadosStream";

  private final EtlGrpcService service;
  private final StreamObserver<DadosResponse> response;

  private String origin = "";
  private String source = "";
  private String fileName = "";
  private String roundKey = "";
  private String sendId = "";
  private int messages;
  private long rows;
  /** The only message so far; its payload is used in place when no second message comes. */
  private @Nullable IncomingBatch single;
  /** Concatenated payloads once a second message has arrived. */
  private @Nullable ByteArrayBuffer payload;
  /** Bytes of the service's shared stream budget that this call holds. */
  private long reservedBytes;
  private boolean ended;

  BatchStreamReceiver(EtlGrpcService service, StreamObserver<DadosResponse> response) {
    this.service = service;
    this.response = response;
  }

  @Override
  public void onNext(byte[] message) {
    if (ended) {
      return;
    }
    try {
      IncomingBatch part = IncomingBatch.parse(message);
      mergeHeader(part);
      rows += part.rowCount();
      service.checkRowCount(rows);
      append(part);
      messages++;
    } catch (RuntimeException e) {
      reject(e);
    }
  }

  @Override
  public void onError(Throwable error) {
    if (!ended) {
      log.debug("{} from '{}' ended by the client after {} messages and {} rows ({}); nothing"
          + " stored", METHOD, origin, messages, rows, error.toString());
    }
    release();
    releaseBudget();
  }

  @Override
  public void onCompleted() {
    if (ended) {
      return;
    }
    try {
      if (messages == 0) {
        throw new EtlException(ErrorKind.INVALID_ARGUMENT,
            METHOD + " received no message; send at least one DadosRequest before half-closing");
      }
      Batch batch = buildBatch();
      release();
      try {
        service.submit(batch, source.isEmpty() ? origin : source, METHOD, response);
      } finally {
        // The batch references the buffered bytes until the engine has stored them.
        releaseBudget();
      }
    } catch (RuntimeException e) {
      reject(e);
    }
  }

  private void mergeHeader(IncomingBatch part) {
    if (!part.origin().isEmpty()) {
      if (origin.isEmpty()) {
        source = service.checkOrigin(part.origin());
        origin = part.origin();
      } else if (!service.checkOrigin(part.origin()).equals(source)) {
        throw conflict("origem", origin, part.origin());
      }
    }
    if (!part.fileName().isEmpty() && fileName.isEmpty()) {
      service.checkFileName(part.fileName());
      fileName = part.fileName();
    }
    roundKey = mergeField("rodada", roundKey, part.roundKey());
    sendId = mergeField("id_envio", sendId, part.sendId());
  }

  private static String mergeField(String field, String current, String incoming) {
    if (incoming.isEmpty() || incoming.equals(current)) {
      return current;
    }
    if (!current.isEmpty()) {
      throw conflict(field, current, incoming);
    }
    return incoming;
  }

  private static EtlException conflict(String field, String first, String later) {
    return new EtlException(ErrorKind.INVALID_ARGUMENT,
        METHOD + " messages disagree on " + field + ": '" + first + "' then '" + later
            + "'; one stream carries one batch, so later messages leave " + field
            + " empty or repeat it");
  }

  private void append(IncomingBatch part) {
    long total = bufferedBytes() + part.payloadLength();
    if (total > service.maxStreamBatchBytes()) {
      throw new EtlException(ErrorKind.RESOURCE_EXHAUSTED,
          METHOD + " batch reached " + total + " payload bytes, over the limit of "
              + service.maxStreamBatchBytes() + "; split the file into several sends");
    }
    service.reserveStreamBytes(part.payloadLength());
    reservedBytes += part.payloadLength();
    if (messages == 0) {
      single = part;
      return;
    }
    if (payload == null) {
      IncomingBatch first = single;
      payload = new ByteArrayBuffer((int) Math.min(2 * total, service.maxStreamBatchBytes()));
      payload.write(first.payloadArray(), first.payloadOffset(), first.payloadLength());
      single = null;
    }
    payload.write(part.payloadArray(), part.payloadOffset(), part.payloadLength());
  }

  private long bufferedBytes() {
    if (payload != null) {
      return payload.size();
    }
    return single == null ? 0 : single.payloadLength();
  }

  private Batch buildBatch() {
    Batch.Builder builder = Batch.newBuilder(origin)
        .fileName(fileName)
        .roundKey(roundKey)
        .sendId(sendId);
    if (payload != null) {
      builder.payload(payload.array(), 0, payload.size());
    } else if (single != null) {
      builder.payload(single.payloadArray(), single.payloadOffset(), single.payloadLength());
    }
    return builder.build();
  }

  private void reject(RuntimeException failure) {
    release();
    releaseBudget();
    EtlGrpcService.fail(response, failure, METHOD);
  }

  /** Ends the call and drops its buffers; the budget is released separately. */
  private void release() {
    ended = true;
    single = null;
    payload = null;
  }

  private void releaseBudget() {
    service.releaseStreamBytes(reservedBytes);
    reservedBytes = 0;
  }
}
