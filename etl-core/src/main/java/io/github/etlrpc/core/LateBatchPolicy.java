package io.github.etlrpc.core;

/** Handling of a batch whose correlation key belongs to an already sealed round. */
public enum LateBatchPolicy {
  /** Reject the batch with FAILED_PRECONDITION naming the sealed round. */
  REJECT,
  /** Open a new round with the same key. The shared default round (empty key) always does this. */
  OPEN_NEW_ROUND
}
