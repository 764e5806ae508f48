package io.github.etlrpc.bench.crash;

/** Moment at which the harness kills the server in one iteration. */
enum KillMode {
  /**
   * A random 0 to 1,000 ms after a recording pipeline process appeared under the server: mostly
   * while the pipeline JVM starts or reads its hand-off files.
   */
  PIPELINE,
  /**
   * Right after a client's batch was acknowledged with estado FECHADA: the round is sealed in the
   * store and its pipeline run is being claimed or its hand-off files written.
   */
  SEAL,
  /**
   * A random 0 to 150 ms after a pipeline run wrote its ledger file: while it sleeps before
   * exiting, or after it exited and before or after the server recorded the round as CONCLUIDA.
   * A kill before that record makes the restarted server run the round again.
   */
  LEDGER,
  /** A random 0.3 to 2.5 s after the server came up, while the clients send batches. */
  SEND,
  /**
   * 0 to 300 ms after the restarted server first responded to a call, while it dispatches the
   * rounds it recovered and seals those whose timeout passed during the downtime.
   */
  RECOVERY
}
