/** JSON hand-off files that external pipeline programs read, one per source of a round. */
@NullMarked
package io.github.etlrpc.core.handoff;

import org.jspecify.annotations.NullMarked;
