package io.github.etlrpc.core.store;

import io.github.etlrpc.api.AppendResult;
import io.github.etlrpc.api.BatchConsumer;
import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.RoundStore;
import io.github.etlrpc.api.StoredBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@link RoundStore} that keeps everything on the heap, for tests and for embedding where losing
 * the data is acceptable. Not durable: a process exit loses every batch and round, including
 * acknowledged ones, and {@link #isDurable()} returns false.
 *
 * <p>Payloads are copied on {@link #append} and again for each {@link #readBatches} delivery, so
 * neither side can change stored bytes. Thread-safe: one lock guards all state, and
 * {@link #readBatches} calls its consumer outside that lock.
 */
public final class InMemoryRoundStore implements RoundStore {
  private static final Set<RoundState> CLAIMABLE =
      EnumSet.of(RoundState.FECHADA, RoundState.FALHOU, RoundState.EXECUTANDO);

  private final Object lock = new Object();
  /** Rounds in creation order, which is the "oldest first" order of {@link #list}. */
  private final Map<String, MemoryRound> rounds = new LinkedHashMap<>();
  private final Map<String, String> latestRoundByKey = new HashMap<>();
  private final Map<String, AppendResult> batchesBySendId = new HashMap<>();
  private boolean closed;

  /** Creates an empty, open store. */
  public InMemoryRoundStore() {}

  @Override
  public Optional<AppendResult> findSend(String sendId) {
    if (sendId.isEmpty()) {
      return Optional.empty();
    }
    synchronized (lock) {
      throwIfClosed();
      return Optional.ofNullable(batchesBySendId.get(sendId));
    }
  }

  @Override
  public AppendResult append(String roundId, String roundKey, StoredBatch batch, long nowMs) {
    Objects.requireNonNull(roundId, "roundId");
    Objects.requireNonNull(roundKey, "roundKey");
    Objects.checkFromIndexSize(batch.payloadOffset(), batch.payloadLength(),
        batch.payload().length);
    synchronized (lock) {
      throwIfClosed();
      String sendId = batch.sendId();
      if (!sendId.isEmpty()) {
        AppendResult earlier = batchesBySendId.get(sendId);
        if (earlier != null) {
          return earlier;
        }
      }
      MemoryRound round = rounds.get(roundId);
      if (round != null && round.state != RoundState.ABERTA) {
        throw StoreErrors.roundNotOpen(roundId, round.state);
      }
      if (round == null) {
        round = new MemoryRound(roundId, roundKey, nowMs);
        rounds.put(roundId, round);
        latestRoundByKey.put(roundKey, roundId);
      }
      byte[] payload = Arrays.copyOfRange(batch.payload(), batch.payloadOffset(),
          batch.payloadOffset() + batch.payloadLength());
      round.add(batch.source(), batch.rowCount(), payload, nowMs);
      if (!sendId.isEmpty()) {
        batchesBySendId.put(sendId,
            new AppendResult(true, roundId, batch.source(), batch.rowCount()));
      }
      return new AppendResult(false, roundId, batch.source(), batch.rowCount());
    }
  }

  @Override
  public boolean transition(String roundId, Set<RoundState> from, RoundState to, String error,
      long nowMs) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(error, "error");
    synchronized (lock) {
      throwIfClosed();
      MemoryRound round = rounds.get(roundId);
      if (round == null || !from.contains(round.state)) {
        return false;
      }
      round.state = to;
      round.error = error;
      round.updatedAtMs = nowMs;
      return true;
    }
  }

  @Override
  public Optional<RoundInfo> claim(String roundId, long nowMs) {
    synchronized (lock) {
      throwIfClosed();
      MemoryRound round = rounds.get(roundId);
      if (round == null || !CLAIMABLE.contains(round.state)) {
        return Optional.empty();
      }
      round.state = RoundState.EXECUTANDO;
      round.attempts++;
      round.updatedAtMs = nowMs;
      return Optional.of(round.snapshot());
    }
  }

  @Override
  public Optional<RoundInfo> find(String roundId) {
    synchronized (lock) {
      throwIfClosed();
      MemoryRound round = rounds.get(roundId);
      return round == null ? Optional.empty() : Optional.of(round.snapshot());
    }
  }

  @Override
  public List<RoundInfo> list(Set<RoundState> states) {
    synchronized (lock) {
      throwIfClosed();
      List<RoundInfo> matching = new ArrayList<>();
      for (MemoryRound round : rounds.values()) {
        if (states.contains(round.state)) {
          matching.add(round.snapshot());
        }
      }
      return matching;
    }
  }

  @Override
  public Optional<RoundInfo> latestForKey(String roundKey) {
    synchronized (lock) {
      throwIfClosed();
      String roundId = latestRoundByKey.get(roundKey);
      return roundId == null ? Optional.empty() : Optional.of(rounds.get(roundId).snapshot());
    }
  }

  @Override
  public void readBatches(String roundId, BatchConsumer consumer) throws Exception {
    List<MemoryBatch> batches;
    synchronized (lock) {
      throwIfClosed();
      MemoryRound round = rounds.get(roundId);
      if (round == null) {
        return;
      }
      batches = List.copyOf(round.batches);
    }
    for (MemoryBatch batch : batches) {
      byte[] copy = batch.payload.clone();
      consumer.accept(batch.source, copy, 0, copy.length);
    }
  }

  @Override
  public void purgePayloads(String roundId) {
    synchronized (lock) {
      throwIfClosed();
      MemoryRound round = rounds.get(roundId);
      if (round == null) {
        throw StoreErrors.roundNotFound(roundId);
      }
      if (round.state != RoundState.CONCLUIDA) {
        throw StoreErrors.purgeNotConcluded(roundId, round.state);
      }
      round.batches.replaceAll(batch -> new MemoryBatch(batch.source, new byte[0]));
      round.payloadBytes = 0;
    }
  }

  /** Returns true until {@link #close()}. */
  @Override
  public boolean isAvailable() {
    synchronized (lock) {
      return !closed;
    }
  }

  /** Returns false: the data lives only on the heap. */
  @Override
  public boolean isDurable() {
    return false;
  }

  /** Drops all data; every later call except {@link #isAvailable()} throws UNAVAILABLE. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      rounds.clear();
      latestRoundByKey.clear();
      batchesBySendId.clear();
    }
  }

  private void throwIfClosed() {
    if (closed) {
      throw new EtlException(ErrorKind.UNAVAILABLE,
          "The in-memory round store is closed; open a new store");
    }
  }

  private record MemoryBatch(String source, byte[] payload) {}

  /** Mutable state of one round, guarded by the store's lock. */
  private static final class MemoryRound {
    final String roundId;
    final String roundKey;
    RoundState state = RoundState.ABERTA;
    int attempts;
    String error = "";
    final long openedAtMs;
    long lastBatchAtMs;
    long updatedAtMs;
    long payloadBytes;
    final Map<String, Long> rowsBySource = new HashMap<>();
    final Map<String, Integer> batchesBySource = new HashMap<>();
    final List<MemoryBatch> batches = new ArrayList<>();

    MemoryRound(String roundId, String roundKey, long nowMs) {
      this.roundId = roundId;
      this.roundKey = roundKey;
      this.openedAtMs = nowMs;
      this.lastBatchAtMs = nowMs;
      this.updatedAtMs = nowMs;
    }

    void add(String source, long rowCount, byte[] payload, long nowMs) {
      batches.add(new MemoryBatch(source, payload));
      rowsBySource.merge(source, rowCount, Long::sum);
      batchesBySource.merge(source, 1, Integer::sum);
      payloadBytes += payload.length;
      lastBatchAtMs = nowMs;
      updatedAtMs = nowMs;
    }

    RoundInfo snapshot() {
      return new RoundInfo(roundId, roundKey, state, rowsBySource, batchesBySource,
          payloadBytes, attempts, error, openedAtMs, lastBatchAtMs, updatedAtMs);
    }
  }
}
