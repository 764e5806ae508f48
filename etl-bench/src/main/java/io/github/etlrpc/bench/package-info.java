/**
 * Benchmarks of etl-rpc: JMH benchmarks of the gRPC and engine paths, a loopback load generator
 * with a child-JVM server for CPU accounting, and the helpers they share.
 */
@NullMarked
package io.github.etlrpc.bench;

import org.jspecify.annotations.NullMarked;
