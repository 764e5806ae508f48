package io.github.etlrpc.core.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.sqlite.SQLiteConfig;

/**
 * Tables and connection settings of {@link SqliteRoundStore}.
 *
 * <p>One SQL row per batch keeps the payload as a BLOB. Per-round, per-source counts live in
 * {@code round_sources}, updated in the same transaction as each insert, so reading a round
 * never scans its batches. A round's {@code seq} is the {@code batches.seq} of its first batch,
 * which orders rounds by creation because AUTOINCREMENT never reuses a value.
 */
final class SqliteSchema {
  /** Version written to {@code store_meta}; a database with a higher one is rejected. */
  static final int VERSION = 1;

  private static final String[] DDL = {
    """
    CREATE TABLE IF NOT EXISTS rounds (
      id TEXT PRIMARY KEY,
      round_key TEXT NOT NULL,
      state TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      error TEXT NOT NULL,
      opened_at_ms INTEGER NOT NULL,
      last_batch_at_ms INTEGER NOT NULL,
      updated_at_ms INTEGER NOT NULL,
      seq INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS rounds_by_key ON rounds (round_key, seq)",
    "CREATE INDEX IF NOT EXISTS rounds_by_state ON rounds (state, seq)",
    """
    CREATE TABLE IF NOT EXISTS batches (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      round_id TEXT NOT NULL,
      source TEXT NOT NULL,
      file_name TEXT NOT NULL,
      send_id TEXT UNIQUE,
      row_count INTEGER NOT NULL,
      payload BLOB NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS batches_by_round ON batches (round_id, seq)",
    """
    CREATE TABLE IF NOT EXISTS round_sources (
      round_id TEXT NOT NULL,
      source TEXT NOT NULL,
      batches INTEGER NOT NULL,
      row_count INTEGER NOT NULL,
      payload_bytes INTEGER NOT NULL,
      PRIMARY KEY (round_id, source)) WITHOUT ROWID""",
    "CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "INSERT OR IGNORE INTO store_meta (key, value) VALUES ('schema_version', '" + VERSION + "')",
  };

  private SqliteSchema() {}

  /**
   * Opens the writing connection: WAL journal, synchronous=FULL so that each commit is on disk
   * before it returns, and the busy timeout for locks held by other processes. Manual commit.
   */
  static Connection openWriter(Path dbFile, Duration busyTimeout) throws SQLException {
    SQLiteConfig config = baseConfig(busyTimeout);
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    Connection connection = config.createConnection(url(dbFile));
    try {
      connection.setAutoCommit(false);
      return connection;
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
  }

  /** Opens a connection for queries only; each statement runs in its own read transaction. */
  static Connection openReader(Path dbFile, Duration busyTimeout) throws SQLException {
    Connection connection = baseConfig(busyTimeout).createConnection(url(dbFile));
    try (Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA query_only = 1");
      return connection;
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
  }

  /**
   * Creates missing tables and indexes on the writing connection and commits.
   *
   * @throws SQLException if the database was written by a newer schema version
   */
  static void create(Connection writer) throws SQLException {
    try (Statement statement = writer.createStatement()) {
      for (String sql : DDL) {
        statement.execute(sql);
      }
      try (ResultSet version = statement.executeQuery(
          "SELECT value FROM store_meta WHERE key = 'schema_version'")) {
        int found = version.next() ? Integer.parseInt(version.getString(1)) : VERSION;
        if (found > VERSION) {
          throw new SQLException("the database has schema version " + found
              + ", newer than version " + VERSION + " that this etl-rpc reads; use a newer"
              + " etl-rpc or another database file");
        }
      }
    }
    writer.commit();
  }

  private static SQLiteConfig baseConfig(Duration busyTimeout) {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
    return config;
  }

  private static String url(Path dbFile) {
    return "jdbc:sqlite:" + dbFile.toAbsolutePath();
  }
}
