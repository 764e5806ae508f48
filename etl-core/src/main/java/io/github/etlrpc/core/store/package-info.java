/**
 * Implementations of {@link io.github.etlrpc.api.RoundStore}: a durable SQLite store and a heap
 * store for tests and embedding.
 */
@NullMarked
package io.github.etlrpc.core.store;

import org.jspecify.annotations.NullMarked;
