package io.github.etlrpc.core.store;

import io.github.etlrpc.api.AppendResult;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.StoredBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write statements of {@link SqliteRoundStore}, prepared once on the writing connection. Each
 * method runs inside the caller's transaction and commits nothing. Used only by the writer
 * thread, so not thread-safe.
 */
final class SqliteWriteOps implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SqliteWriteOps.class);

  private static final Set<RoundState> CLAIMABLE =
      EnumSet.of(RoundState.FECHADA, RoundState.FALHOU, RoundState.EXECUTANDO);

  private final Connection connection;
  private final List<Statement> statements = new ArrayList<>();
  private final Statement plain;
  private final PreparedStatement findSend;
  private final PreparedStatement roundState;
  private final PreparedStatement insertBatch;
  private final PreparedStatement lastRowId;
  private final PreparedStatement insertRound;
  private final PreparedStatement touchRound;
  private final PreparedStatement addToSource;
  private final PreparedStatement setState;
  private final PreparedStatement claimRound;
  private final PreparedStatement purgeBatches;
  private final PreparedStatement purgeSources;
  private final PreparedStatement probe;

  SqliteWriteOps(Connection connection) throws SQLException {
    this.connection = connection;
    try {
      plain = track(connection.createStatement());
      findSend = prepare("SELECT round_id, source, row_count FROM batches WHERE send_id = ?");
      roundState = prepare("SELECT state FROM rounds WHERE id = ?");
      insertBatch = prepare("INSERT INTO batches (round_id, source, file_name, send_id,"
          + " row_count, payload) VALUES (?, ?, ?, ?, ?, ?)");
      lastRowId = prepare("SELECT last_insert_rowid()");
      insertRound = prepare("INSERT INTO rounds (id, round_key, state, attempts, error,"
          + " opened_at_ms, last_batch_at_ms, updated_at_ms, seq)"
          + " VALUES (?, ?, 'ABERTA', 0, '', ?, ?, ?, ?)");
      touchRound =
          prepare("UPDATE rounds SET last_batch_at_ms = ?, updated_at_ms = ? WHERE id = ?");
      addToSource = prepare("INSERT INTO round_sources (round_id, source, batches, row_count,"
          + " payload_bytes) VALUES (?, ?, 1, ?, ?) ON CONFLICT (round_id, source) DO UPDATE"
          + " SET batches = batches + 1, row_count = row_count + excluded.row_count,"
          + " payload_bytes = payload_bytes + excluded.payload_bytes");
      setState = prepare(
          "UPDATE rounds SET state = ?, error = ?, updated_at_ms = ? WHERE id = ? AND state = ?");
      claimRound = prepare("UPDATE rounds SET state = 'EXECUTANDO', attempts = attempts + 1,"
          + " updated_at_ms = ? WHERE id = ?");
      purgeBatches = prepare("UPDATE batches SET payload = x'' WHERE round_id = ?");
      purgeSources = prepare("UPDATE round_sources SET payload_bytes = 0 WHERE round_id = ?");
      probe = prepare("INSERT OR REPLACE INTO store_meta (key, value) VALUES ('probed_at_ms', ?)");
    } catch (SQLException e) {
      close();
      throw e;
    }
  }

  /** Stores a batch as {@link io.github.etlrpc.api.RoundStore#append} describes. */
  AppendResult append(String roundId, String roundKey, StoredBatch batch, long nowMs)
      throws SQLException {
    String sendId = batch.sendId();
    if (!sendId.isEmpty()) {
      AppendResult earlier = findBySendId(sendId);
      if (earlier != null) {
        return earlier;
      }
    }
    RoundState state = stateOf(roundId);
    if (state != null && state != RoundState.ABERTA) {
      throw StoreErrors.roundNotOpen(roundId, state);
    }

    insertBatch.setString(1, roundId);
    insertBatch.setString(2, batch.source());
    insertBatch.setString(3, batch.fileName());
    if (sendId.isEmpty()) {
      insertBatch.setNull(4, java.sql.Types.VARCHAR);
    } else {
      insertBatch.setString(4, sendId);
    }
    insertBatch.setLong(5, batch.rowCount());
    insertBatch.setBytes(6, payloadBytes(batch));
    insertBatch.executeUpdate();
    long batchSeq;
    try (ResultSet row = lastRowId.executeQuery()) {
      row.next();
      batchSeq = row.getLong(1);
    }

    if (state == null) {
      insertRound.setString(1, roundId);
      insertRound.setString(2, roundKey);
      insertRound.setLong(3, nowMs);
      insertRound.setLong(4, nowMs);
      insertRound.setLong(5, nowMs);
      insertRound.setLong(6, batchSeq);
      insertRound.executeUpdate();
    } else {
      touchRound.setLong(1, nowMs);
      touchRound.setLong(2, nowMs);
      touchRound.setString(3, roundId);
      touchRound.executeUpdate();
    }
    addToSource.setString(1, roundId);
    addToSource.setString(2, batch.source());
    addToSource.setLong(3, batch.rowCount());
    addToSource.setLong(4, batch.payloadLength());
    addToSource.executeUpdate();
    return new AppendResult(false, roundId, batch.source(), batch.rowCount());
  }

  /** Compare-and-set of a round's state, as {@link io.github.etlrpc.api.RoundStore#transition}. */
  boolean transition(String roundId, Set<RoundState> from, RoundState to, String error,
      long nowMs) throws SQLException {
    RoundState state = stateOf(roundId);
    if (state == null || !from.contains(state)) {
      return false;
    }
    setState.setString(1, to.name());
    setState.setString(2, error);
    setState.setLong(3, nowMs);
    setState.setString(4, roundId);
    setState.setString(5, state.name());
    return setState.executeUpdate() == 1;
  }

  /** Starts an attempt, as {@link io.github.etlrpc.api.RoundStore#claim} describes. */
  Optional<RoundInfo> claim(String roundId, long nowMs) throws SQLException {
    RoundState state = stateOf(roundId);
    if (state == null || !CLAIMABLE.contains(state)) {
      return Optional.empty();
    }
    claimRound.setLong(1, nowMs);
    claimRound.setString(2, roundId);
    claimRound.executeUpdate();
    return RoundQueries.findById(connection, roundId);
  }

  /** Empties the payloads of a CONCLUIDA round and zeroes its payload byte counts. */
  void purgePayloads(String roundId) throws SQLException {
    RoundState state = stateOf(roundId);
    if (state == null) {
      throw StoreErrors.roundNotFound(roundId);
    }
    if (state != RoundState.CONCLUIDA) {
      throw StoreErrors.purgeNotConcluded(roundId, state);
    }
    purgeBatches.setString(1, roundId);
    purgeBatches.executeUpdate();
    purgeSources.setString(1, roundId);
    purgeSources.executeUpdate();
  }

  /** Writes one small row, so that its commit shows whether the database accepts writes. */
  void probe(long nowMs) throws SQLException {
    probe.setString(1, Long.toString(nowMs));
    probe.executeUpdate();
  }

  void savepoint() throws SQLException {
    plain.execute("SAVEPOINT write_op");
  }

  void releaseSavepoint() throws SQLException {
    plain.execute("RELEASE write_op");
  }

  /** Undoes the current operation's changes and ends its savepoint. */
  void rollbackToSavepoint() throws SQLException {
    plain.execute("ROLLBACK TO write_op");
    plain.execute("RELEASE write_op");
  }

  @Override
  public void close() {
    for (Statement statement : statements) {
      try {
        statement.close();
      } catch (SQLException e) {
        log.debug("Closing a statement of the round store writer failed", e);
      }
    }
  }

  private @Nullable AppendResult findBySendId(String sendId) throws SQLException {
    findSend.setString(1, sendId);
    try (ResultSet row = findSend.executeQuery()) {
      if (!row.next()) {
        return null;
      }
      return new AppendResult(true, row.getString(1), row.getString(2), row.getLong(3));
    }
  }

  private @Nullable RoundState stateOf(String roundId) throws SQLException {
    roundState.setString(1, roundId);
    try (ResultSet row = roundState.executeQuery()) {
      return row.next() ? RoundState.valueOf(row.getString(1)) : null;
    }
  }

  /** Returns the payload range as its own array, copying only when it is a slice. */
  private static byte[] payloadBytes(StoredBatch batch) {
    byte[] payload = batch.payload();
    int offset = batch.payloadOffset();
    int length = batch.payloadLength();
    if (offset == 0 && length == payload.length) {
      return payload;
    }
    return Arrays.copyOfRange(payload, offset, offset + length);
  }

  private PreparedStatement prepare(String sql) throws SQLException {
    return track(connection.prepareStatement(sql));
  }

  private <T extends Statement> T track(T statement) {
    statements.add(statement);
    return statement;
  }
}
