package io.github.etlrpc.api;

/**
 * Receives round changes. It is called on engine threads right after each committed change, so
 * it must return quickly and never block. A slow consumer buffers or drops on its own side.
 */
@FunctionalInterface
public interface RoundListener {
  void onRoundChanged(RoundInfo round);
}
