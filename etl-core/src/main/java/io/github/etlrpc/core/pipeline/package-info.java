/**
 * {@link io.github.etlrpc.api.PipelineInvoker} implementations: an external program fed with the
 * JSON hand-off files, and an in-JVM processor that reads rows from the store.
 */
@NullMarked
package io.github.etlrpc.core.pipeline;

import org.jspecify.annotations.NullMarked;
