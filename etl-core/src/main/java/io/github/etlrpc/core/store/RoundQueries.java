package io.github.etlrpc.core.store;

import io.github.etlrpc.api.AppendResult;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Queries that return {@link RoundInfo} snapshots. Each is a single statement joining
 * {@code rounds} with {@code round_sources}, so a snapshot comes from one read transaction.
 */
final class RoundQueries {
  private static final String SELECT_ROUNDS = """
      SELECT r.id, r.round_key, r.state, r.attempts, r.error, r.opened_at_ms,
             r.last_batch_at_ms, r.updated_at_ms, s.source, s.batches, s.row_count,
             s.payload_bytes
      FROM rounds r LEFT JOIN round_sources s ON s.round_id = r.id
      """;

  static final String BY_ID = SELECT_ROUNDS + " WHERE r.id = ?";

  static final String LATEST_FOR_KEY = SELECT_ROUNDS
      + " WHERE r.id = (SELECT id FROM rounds WHERE round_key = ? ORDER BY seq DESC LIMIT 1)";

  private RoundQueries() {}

  /** Returns the SQL that lists rounds in {@code count} states, oldest first. */
  static String inStates(int count) {
    return SELECT_ROUNDS + " WHERE r.state IN (" + "?, ".repeat(count - 1) + "?)"
        + " ORDER BY r.seq";
  }

  static Optional<RoundInfo> findById(Connection connection, String roundId)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(BY_ID)) {
      statement.setString(1, roundId);
      List<RoundInfo> rounds = read(statement);
      return rounds.isEmpty() ? Optional.empty() : Optional.of(rounds.get(0));
    }
  }

  static List<RoundInfo> list(Connection connection, Set<RoundState> states) throws SQLException {
    if (states.isEmpty()) {
      return List.of();
    }
    try (PreparedStatement statement = connection.prepareStatement(inStates(states.size()))) {
      int index = 1;
      for (RoundState state : states) {
        statement.setString(index++, state.name());
      }
      return read(statement);
    }
  }

  static Optional<AppendResult> findSend(Connection connection, String sendId)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT round_id, source, row_count FROM batches WHERE send_id = ?")) {
      statement.setString(1, sendId);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(new AppendResult(true, rows.getString(1), rows.getString(2),
            rows.getLong(3)));
      }
    }
  }

  static Optional<RoundInfo> latestForKey(Connection connection, String roundKey)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(LATEST_FOR_KEY)) {
      statement.setString(1, roundKey);
      List<RoundInfo> rounds = read(statement);
      return rounds.isEmpty() ? Optional.empty() : Optional.of(rounds.get(0));
    }
  }

  /** Runs a statement built on {@link #SELECT_ROUNDS}, whose rows arrive grouped by round. */
  private static List<RoundInfo> read(PreparedStatement statement) throws SQLException {
    List<RoundInfo> rounds = new ArrayList<>();
    try (ResultSet rows = statement.executeQuery()) {
      RoundBuilder current = null;
      while (rows.next()) {
        String roundId = rows.getString(1);
        if (current == null || !current.roundId.equals(roundId)) {
          if (current != null) {
            rounds.add(current.build());
          }
          current = new RoundBuilder(rows);
        }
        String source = rows.getString(9);
        if (source != null) {
          current.addSource(source, rows.getInt(10), rows.getLong(11), rows.getLong(12));
        }
      }
      if (current != null) {
        rounds.add(current.build());
      }
    }
    return rounds;
  }

  /** Collects the joined rows of one round. */
  private static final class RoundBuilder {
    final String roundId;
    final String roundKey;
    final RoundState state;
    final int attempts;
    final String error;
    final long openedAtMs;
    final long lastBatchAtMs;
    final long updatedAtMs;
    final Map<String, Long> rowsBySource = new HashMap<>();
    final Map<String, Integer> batchesBySource = new HashMap<>();
    long payloadBytes;

    RoundBuilder(ResultSet row) throws SQLException {
      roundId = row.getString(1);
      roundKey = row.getString(2);
      state = RoundState.valueOf(row.getString(3));
      attempts = row.getInt(4);
      error = row.getString(5);
      openedAtMs = row.getLong(6);
      lastBatchAtMs = row.getLong(7);
      updatedAtMs = row.getLong(8);
    }

    void addSource(String source, int batches, long rowCount, long bytes) {
      batchesBySource.put(source, batches);
      rowsBySource.put(source, rowCount);
      payloadBytes += bytes;
    }

    RoundInfo build() {
      return new RoundInfo(roundId, roundKey, state, rowsBySource, batchesBySource,
          payloadBytes, attempts, error, openedAtMs, lastBatchAtMs, updatedAtMs);
    }
  }
}
