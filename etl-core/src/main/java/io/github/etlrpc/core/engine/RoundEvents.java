package io.github.etlrpc.core.engine;

import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans round changes out to watchers. Publishing and subscribing share one monitor, so a new
 * watcher receives its snapshot strictly before any change published after it.
 */
final class RoundEvents {
  private static final Logger log = LoggerFactory.getLogger(RoundEvents.class);

  private record Watcher(String roundId, RoundListener listener) {
    boolean matches(RoundInfo round) {
      return roundId.isEmpty() || roundId.equals(round.roundId());
    }
  }

  private final List<Watcher> watchers = new CopyOnWriteArrayList<>();

  AutoCloseable subscribe(String roundId, RoundListener listener,
      Supplier<List<RoundInfo>> snapshot) {
    Watcher watcher = new Watcher(roundId, listener);
    synchronized (this) {
      for (RoundInfo round : snapshot.get()) {
        deliver(watcher, round);
      }
      watchers.add(watcher);
    }
    return () -> watchers.remove(watcher);
  }

  synchronized void publish(RoundInfo round) {
    for (Watcher watcher : new ArrayList<>(watchers)) {
      if (watcher.matches(round)) {
        deliver(watcher, round);
      }
    }
  }

  private static void deliver(Watcher watcher, RoundInfo round) {
    try {
      watcher.listener().onRoundChanged(round);
    } catch (RuntimeException e) {
      log.warn("Round listener failed on round {} in state {}; the engine goes on",
          round.roundId(), round.state(), e);
    }
  }
}
