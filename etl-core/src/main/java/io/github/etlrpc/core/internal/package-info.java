/**
 * Implementation details shared by etl-core packages. Public only for that reason: no
 * compatibility promise, not for use outside etl-rpc.
 */
@NullMarked
package io.github.etlrpc.core.internal;

import org.jspecify.annotations.NullMarked;
