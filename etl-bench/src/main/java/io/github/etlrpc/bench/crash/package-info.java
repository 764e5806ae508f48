/**
 * Crash harness. It runs the server as a child JVM and kills it with SIGKILL at chosen moments
 * while simulated sources send batches, then restarts it on the same work directory. A ledger
 * written by a recording pipeline shows whether every acknowledged row reached exactly one
 * completed round.
 */
@NullMarked
package io.github.etlrpc.bench.crash;

import org.jspecify.annotations.NullMarked;
