/**
 * Public interfaces and value types of etl-rpc: batches, rounds, the round store, completion
 * policies and pipeline invokers. Nothing here depends on gRPC or protobuf.
 */
@NullMarked
package io.github.etlrpc.api;

import org.jspecify.annotations.NullMarked;
