package io.github.etlrpc.core.store;

import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pool of query-only connections for {@link SqliteRoundStore}. In WAL mode they read committed
 * data while the writer thread commits, so reads do not queue behind the group commit. A
 * connection is opened when none is idle, and at most {@link #MAX_IDLE} idle ones are kept.
 * Thread-safe.
 */
final class SqliteReaders implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SqliteReaders.class);

  private static final int MAX_IDLE = 4;

  /** Work done with one borrowed connection. */
  @FunctionalInterface
  interface Query<T> {
    T run(Connection connection) throws Exception;
  }

  private final Path dbFile;
  private final Duration busyTimeout;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private boolean closed;

  SqliteReaders(Path dbFile, Duration busyTimeout) {
    this.dbFile = dbFile;
    this.busyTimeout = busyTimeout;
  }

  /**
   * Runs {@code query} on a pooled connection. A {@link SQLException} becomes UNAVAILABLE with a
   * message starting "Cannot {@code action}"; other exceptions pass through unchanged.
   */
  <T> T run(String action, Query<T> query) throws Exception {
    Connection connection = borrow(action);
    boolean healthy = true;
    try {
      return query.run(connection);
    } catch (SQLException e) {
      healthy = false;
      throw new EtlException(ErrorKind.UNAVAILABLE,
          "Cannot " + action + " in the round store " + dbFile + ": " + e, e);
    } finally {
      giveBack(connection, healthy);
    }
  }

  /** Same as {@link #run} for queries that throw no checked exception besides SQLException. */
  <T> T query(String action, Query<T> query) {
    try {
      return run(action, query);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new EtlException(ErrorKind.INTERNAL, "Cannot " + action + ": " + e, e);
    }
  }

  @Override
  public void close() {
    synchronized (idle) {
      closed = true;
      for (Connection connection : idle) {
        closeQuietly(connection);
      }
      idle.clear();
    }
  }

  private Connection borrow(String action) {
    synchronized (idle) {
      if (closed) {
        throw new EtlException(ErrorKind.UNAVAILABLE, "Cannot " + action + " because the round"
            + " store " + dbFile + " is closed; open it again to read");
      }
      Connection pooled = idle.pollFirst();
      if (pooled != null) {
        return pooled;
      }
    }
    try {
      return SqliteSchema.openReader(dbFile, busyTimeout);
    } catch (SQLException e) {
      throw new EtlException(ErrorKind.UNAVAILABLE,
          "Cannot " + action + " because the round store " + dbFile + " cannot be opened: " + e,
          e);
    }
  }

  /**
   * Keeps a connection for reuse, or closes it if it failed with an SQLException, the pool is
   * closed or enough connections are idle.
   */
  private void giveBack(Connection connection, boolean healthy) {
    synchronized (idle) {
      if (healthy && !closed && idle.size() < MAX_IDLE) {
        idle.addFirst(connection);
        return;
      }
    }
    closeQuietly(connection);
  }

  private void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      log.debug("Closing a reader connection of the round store {} failed", dbFile, e);
    }
  }
}
