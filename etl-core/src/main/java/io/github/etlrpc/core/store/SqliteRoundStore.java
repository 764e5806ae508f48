package io.github.etlrpc.core.store;

import io.github.etlrpc.api.AppendResult;
import io.github.etlrpc.api.BatchConsumer;
import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.RoundStore;
import io.github.etlrpc.api.StoredBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable {@link RoundStore} in one SQLite database file (org.xerial sqlite-jdbc), in WAL mode
 * with {@code synchronous=FULL}, so a method that changes state returns only after its
 * transaction is on disk and survives a process crash.
 *
 * <p>One batch is one SQL row holding the payload as a BLOB. Writes go through a single writer
 * thread that commits the writes queued by concurrent callers in one transaction (group commit),
 * each inside its own savepoint, so one rejected append does not fail the others. Reads use a
 * small pool of query-only connections, which WAL mode lets run while the writer commits.
 *
 * <p>{@link #isAvailable()} turns false when a commit fails, for example when another process
 * holds the database lock past the busy timeout or the disk is full, and true again after the
 * next successful commit; while unavailable, each {@code isAvailable()} call queues one probe
 * write. Every {@link SQLException} reaches callers as {@link EtlException} UNAVAILABLE with the
 * SQLException as its cause.
 *
 * <p>Thread-safe. Only one {@code SqliteRoundStore} should write a database file at a time.
 */
public final class SqliteRoundStore implements RoundStore {
  private static final Logger log = LoggerFactory.getLogger(SqliteRoundStore.class);

  /** Busy timeout used by {@link #open(Path)}. */
  public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);

  private final Path dbFile;
  private final SqliteWriter writer;
  private final SqliteReaders readers;
  private final AtomicBoolean closed = new AtomicBoolean();

  private SqliteRoundStore(Path dbFile, SqliteWriter writer, SqliteReaders readers) {
    this.dbFile = dbFile;
    this.writer = writer;
    this.readers = readers;
  }

  /**
   * Opens or creates the store in {@code dbFile} with a busy timeout of 5 seconds, creating
   * missing parent directories.
   *
   * @throws EtlException UNAVAILABLE if the file cannot be opened or has a newer schema version
   */
  public static SqliteRoundStore open(Path dbFile) {
    return open(dbFile, DEFAULT_BUSY_TIMEOUT);
  }

  /**
   * Opens or creates the store in {@code dbFile}, creating missing parent directories.
   *
   * @param busyTimeout how long a statement waits for a lock held by another connection or
   *     process before it fails
   * @throws IllegalArgumentException if {@code busyTimeout} is negative
   * @throws EtlException UNAVAILABLE if the file cannot be opened or has a newer schema version
   */
  public static SqliteRoundStore open(Path dbFile, Duration busyTimeout) {
    if (busyTimeout.isNegative()) {
      throw new IllegalArgumentException("Busy timeout is " + busyTimeout + "; use 0 or more");
    }
    Path file = dbFile.toAbsolutePath().normalize();
    @Nullable Connection connection = null;
    try {
      Path parent = file.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      connection = SqliteSchema.openWriter(file, busyTimeout);
      SqliteSchema.create(connection);
      SqliteWriter writer = new SqliteWriter(file, connection);
      log.info("Opened round store {} (WAL journal, synchronous=FULL, busy timeout {} ms)",
          file, busyTimeout.toMillis());
      return new SqliteRoundStore(file, writer, new SqliteReaders(file, busyTimeout));
    } catch (SQLException | IOException e) {
      closeQuietly(connection);
      throw new EtlException(ErrorKind.UNAVAILABLE,
          "Cannot open the round store " + file + ": " + e, e);
    }
  }

  @Override
  public AppendResult append(String roundId, String roundKey, StoredBatch batch, long nowMs) {
    Objects.requireNonNull(roundId, "roundId");
    Objects.requireNonNull(roundKey, "roundKey");
    Objects.checkFromIndexSize(batch.payloadOffset(), batch.payloadLength(),
        batch.payload().length);
    return writer.execute(ops -> ops.append(roundId, roundKey, batch, nowMs),
        batch.payloadLength());
  }

  @Override
  public boolean transition(String roundId, Set<RoundState> from, RoundState to, String error,
      long nowMs) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(error, "error");
    Set<RoundState> fromStates = from.isEmpty() ? Set.of() : EnumSet.copyOf(from);
    return writer.execute(ops -> ops.transition(roundId, fromStates, to, error, nowMs), 0);
  }

  @Override
  public Optional<RoundInfo> claim(String roundId, long nowMs) {
    return writer.execute(ops -> ops.claim(roundId, nowMs), 0);
  }

  @Override
  public Optional<RoundInfo> find(String roundId) {
    return readers.query("read round " + roundId,
        connection -> RoundQueries.findById(connection, roundId));
  }

  @Override
  public List<RoundInfo> list(Set<RoundState> states) {
    return readers.query("list rounds in " + states,
        connection -> RoundQueries.list(connection, states));
  }

  @Override
  public Optional<AppendResult> findSend(String sendId) {
    if (sendId.isEmpty()) {
      return Optional.empty();
    }
    return readers.query("look up send id " + sendId,
        connection -> RoundQueries.findSend(connection, sendId));
  }

  @Override
  public Optional<RoundInfo> latestForKey(String roundKey) {
    return readers.query("read the latest round of key '" + roundKey + "'",
        connection -> RoundQueries.latestForKey(connection, roundKey));
  }

  /**
   * Streams the batches with a database cursor, one payload in memory at a time. The cursor
   * reads one snapshot, so batches committed during the call are not included.
   */
  @Override
  public void readBatches(String roundId, BatchConsumer consumer) throws Exception {
    Objects.requireNonNull(consumer, "consumer");
    readers.run("read the batches of round " + roundId, connection -> {
      try (PreparedStatement statement = connection.prepareStatement(
          "SELECT source, payload FROM batches WHERE round_id = ? ORDER BY seq")) {
        statement.setString(1, roundId);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            String source = rows.getString(1);
            byte[] payload = rows.getBytes(2);
            if (payload == null) {
              payload = new byte[0];
            }
            consumer.accept(source, payload, 0, payload.length);
          }
        }
      }
      return null;
    });
  }

  /**
   * Replaces the payloads of a CONCLUIDA round with empty BLOBs and sets its payload byte count
   * to 0. Row and batch counts and send ids stay. The freed pages are reused by later batches, but
   * the file does not shrink.
   *
   * @throws EtlException NOT_FOUND for an unknown round, FAILED_PRECONDITION unless the round is
   *     CONCLUIDA, UNAVAILABLE if the store cannot commit
   */
  @Override
  public void purgePayloads(String roundId) {
    writer.execute(ops -> {
      ops.purgePayloads(roundId);
      return null;
    }, 0);
  }

  @Override
  public boolean isAvailable() {
    return writer.isAvailable();
  }

  /** Returns true: a commit is on disk before the method that made it returns. */
  @Override
  public boolean isDurable() {
    return true;
  }

  /** Commits the writes already queued, then closes every connection. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    writer.close();
    readers.close();
    log.info("Closed round store {}", dbFile);
  }

  private static void closeQuietly(@Nullable Connection connection) {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException e) {
      log.debug("Closing a round store connection after a failed open failed", e);
    }
  }
}
