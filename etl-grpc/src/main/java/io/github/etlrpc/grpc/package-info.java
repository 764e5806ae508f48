/**
 * gRPC binding of etl-rpc: the {@code etl.ETLService} method descriptors and stubs, the service
 * adapter over an {@link io.github.etlrpc.api.EtlEngine}, a ready-made server and client, and a
 * Prometheus scrape endpoint.
 */
@NullMarked
package io.github.etlrpc.grpc;

import org.jspecify.annotations.NullMarked;
