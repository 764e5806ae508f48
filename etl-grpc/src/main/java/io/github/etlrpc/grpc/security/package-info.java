/**
 * Transport security for the etl-rpc gRPC server and client: TLS and mutual TLS credentials from
 * PEM files ({@link io.github.etlrpc.grpc.security.TlsSettings}) and bearer-token authentication
 * with optional per-token origin restrictions ({@link
 * io.github.etlrpc.grpc.security.BearerTokenAuthenticator}).
 */
@NullMarked
package io.github.etlrpc.grpc.security;

import org.jspecify.annotations.NullMarked;
