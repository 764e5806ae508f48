package io.github.etlrpc.core;

/** Retention of a round's JSON hand-off files after its pipeline run. */
public enum HandoffRetention {
  /** Delete them once the pipeline succeeds; failed and parked rounds keep theirs. */
  DELETE_ON_SUCCESS,
  /** Keep them for every round. */
  KEEP
}
