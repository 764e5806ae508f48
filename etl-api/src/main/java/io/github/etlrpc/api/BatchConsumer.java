package io.github.etlrpc.api;

/** Receives the stored batches of one round, in arrival order. */
@FunctionalInterface
public interface BatchConsumer {
  /**
   * Accepts one batch. The payload array may be reused after this method returns, so copy what
   * must outlive the call.
   */
  void accept(String source, byte[] payload, int offset, int length) throws Exception;
}
