package io.github.etlrpc.api;

/**
 * Receives round changes. Called on engine threads right after each committed change, so it must
 * return quickly and never block; a slow consumer buffers or drops on its own side.
 */
@FunctionalInterface
public interface RoundListener {
  void onRoundChanged(RoundInfo round);
}
