package io.github.etlrpc.api;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Storage of batches and round state. Every method that changes state commits before it returns,
 * so an acknowledged batch or a reported transition survives a process crash when the
 * implementation is durable.
 *
 * <p>Each method is one transaction, so a shared database can implement this interface for
 * several server nodes: {@link #append} creates the round and inserts the batch atomically,
 * {@link #transition} is a compare-and-set on the state, and {@link #claim} lets exactly one node
 * start a pipeline run.
 *
 * <p>Implementations are thread-safe.
 */
public interface RoundStore extends AutoCloseable {

  /**
   * Stores a batch in a round, creating the round in state ABERTA if it does not exist.
   *
   * <p>If {@code batch.sendId()} is not empty and a batch with that send id is already stored,
   * stores nothing and returns {@code duplicate = true} with the earlier batch's round.
   *
   * @throws EtlException FAILED_PRECONDITION if the round exists and is not ABERTA;
   *     UNAVAILABLE if the store cannot commit
   */
  AppendResult append(String roundId, String roundKey, StoredBatch batch, long nowMs);

  /**
   * Moves a round to {@code to} if its state is one of {@code from}, recording {@code error}
   * (empty to clear it).
   *
   * @return true if the state changed
   */
  boolean transition(String roundId, Set<RoundState> from, RoundState to, String error,
      long nowMs);

  /**
   * Moves a FECHADA, FALHOU or EXECUTANDO round to EXECUTANDO and counts one more attempt. A
   * round found in EXECUTANDO is one whose previous run was cut off by a crash.
   *
   * @return the round after the claim, or empty when it is in no claimable state
   */
  Optional<RoundInfo> claim(String roundId, long nowMs);

  /** Returns one round, or empty if no round has that id. */
  Optional<RoundInfo> find(String roundId);

  /** Returns the rounds in any of {@code states}, oldest first. */
  List<RoundInfo> list(Set<RoundState> states);

  /**
   * Returns the stored batch with this send id as a {@code duplicate = true} result, or empty
   * if no batch has it. Never matches the empty send id.
   */
  Optional<AppendResult> findSend(String sendId);

  /** Returns the newest round with this correlation key, or empty if none. */
  Optional<RoundInfo> latestForKey(String roundKey);

  /** Streams the batches of a round to {@code consumer} in arrival order. */
  void readBatches(String roundId, BatchConsumer consumer) throws Exception;

  /**
   * Removes the payloads of a CONCLUIDA round, keeping its state, counts and send ids so that
   * repeated sends are still recognized.
   */
  void purgePayloads(String roundId);

  /** Whether the store can currently commit; used for health reporting. */
  boolean isAvailable();

  /** Whether committed data survives a process crash. */
  boolean isDurable();

  @Override
  void close();
}
