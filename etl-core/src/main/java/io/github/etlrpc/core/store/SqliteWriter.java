package io.github.etlrpc.core.store;

import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for {@link SqliteRoundStore}: one thread owns the writing connection and runs the
 * write operations that callers queue, several per transaction. Each operation runs inside its
 * own SAVEPOINT, so an operation that throws, such as an append to a sealed round, is rolled back
 * alone while the others in its group still commit.
 * Callers wait until the commit of their group, so a returned result is durable.
 *
 * <p>If a statement or the commit fails with {@link SQLException}, the whole group is rolled back
 * and every caller in it gets UNAVAILABLE. The store then reports itself unavailable until a
 * later commit succeeds. Thread-safe.
 */
final class SqliteWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SqliteWriter.class);

  /** Most operations committed in one transaction. */
  private static final int MAX_GROUP_OPERATIONS = 64;

  /** Payload bytes after which a group takes no more operations, to bound the WAL growth. */
  private static final long MAX_GROUP_PAYLOAD_BYTES = 32L << 20;

  /** A write to run on the writer thread inside a transaction it commits afterwards. */
  @FunctionalInterface
  interface Operation<T> {
    T execute(SqliteWriteOps ops) throws SQLException;
  }

  private final Path dbFile;
  private final Connection connection;
  private final SqliteWriteOps ops;
  private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
  private final Object enqueueLock = new Object();
  private final Thread thread;
  private final AtomicBoolean probeQueued = new AtomicBoolean();
  private boolean closing;
  private volatile boolean available = true;

  /** Takes ownership of {@code connection} and starts the writer thread. */
  SqliteWriter(Path dbFile, Connection connection) throws SQLException {
    this.dbFile = dbFile;
    this.connection = connection;
    this.ops = new SqliteWriteOps(connection);
    this.thread = new Thread(this::runLoop, "etl-sqlite-writer-" + dbFile.getFileName());
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Runs {@code operation} in the next group and waits for that group's commit. An interrupt
   * does not end the wait, because the caller needs to know whether the write was committed.
   * The interrupt flag is restored afterwards.
   *
   * @param payloadBytes payload size the operation writes, for sizing groups
   * @throws EtlException what the operation threw, or UNAVAILABLE if the store is closed or the
   *     group could not be committed
   */
  <T> T execute(Operation<T> operation, long payloadBytes) {
    Pending<T> pending = new Pending<>(operation, payloadBytes);
    enqueue(pending);
    return await(pending.future);
  }

  /**
   * Returns whether the last commit succeeded and the writer is open. While unavailable, a call
   * queues one probe write unless one is already queued, and its commit makes the store
   * available again.
   */
  boolean isAvailable() {
    if (available) {
      return true;
    }
    if (probeQueued.compareAndSet(false, true)) {
      Pending<Void> probe = new Pending<>(ops -> {
        ops.probe(System.currentTimeMillis());
        return null;
      }, 0);
      probe.future.whenComplete((result, failure) -> probeQueued.set(false));
      try {
        enqueue(probe);
      } catch (EtlException e) {
        probeQueued.set(false);
      }
    }
    return false;
  }

  /** Runs the operations already queued, stops the thread and closes the connection. */
  @Override
  public void close() {
    synchronized (enqueueLock) {
      if (closing) {
        return;
      }
      closing = true;
      available = false;
      queue.add(Pending.STOP);
    }
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    ops.close();
    try {
      connection.close();
    } catch (SQLException e) {
      log.warn("Closing the round store writer connection for {} failed", dbFile, e);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void enqueue(Pending<?> pending) {
    synchronized (enqueueLock) {
      if (closing) {
        throw new EtlException(ErrorKind.UNAVAILABLE,
            "The round store " + dbFile + " is closed; open it again to write");
      }
      queue.add(pending);
    }
  }

  private void runLoop() {
    List<Pending<?>> group = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      Pending<?> first = takeUninterruptibly();
      long groupBytes = first.payloadBytes;
      group.add(first);
      while (group.size() < MAX_GROUP_OPERATIONS && groupBytes < MAX_GROUP_PAYLOAD_BYTES) {
        Pending<?> next = queue.poll();
        if (next == null) {
          break;
        }
        group.add(next);
        groupBytes += next.payloadBytes;
      }
      // enqueue() adds nothing after STOP, so STOP can only be the last element of a group.
      if (group.get(group.size() - 1) == Pending.STOP) {
        group.remove(group.size() - 1);
        stop = true;
      }
      if (!group.isEmpty()) {
        runGroup(group);
      }
      group.clear();
    }
  }

  private Pending<?> takeUninterruptibly() {
    while (true) {
      try {
        return queue.take();
      } catch (InterruptedException e) {
        log.debug("Round store writer for {} ignored an interrupt; close() stops it", dbFile);
      }
    }
  }

  private void runGroup(List<Pending<?>> group) {
    long startNanos = System.nanoTime();
    try {
      for (Pending<?> pending : group) {
        ops.savepoint();
        try {
          pending.run(ops);
          ops.releaseSavepoint();
        } catch (RuntimeException | Error e) {
          ops.rollbackToSavepoint();
          pending.reject(e);
        }
      }
      connection.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      markUnavailable(e);
      for (Pending<?> pending : group) {
        pending.future.completeExceptionally(new EtlException(ErrorKind.UNAVAILABLE,
            "Cannot commit to the round store " + dbFile + ": " + e, e));
      }
      return;
    }
    markAvailable();
    for (Pending<?> pending : group) {
      pending.complete();
    }
    log.trace("Round store {} committed {} operations in {} us", dbFile, group.size(),
        (System.nanoTime() - startNanos) / 1000);
  }

  private void rollbackQuietly() {
    try {
      connection.rollback();
    } catch (SQLException e) {
      log.warn("Rolling back a failed group in the round store {} failed too", dbFile, e);
    }
  }

  private void markUnavailable(SQLException cause) {
    if (available) {
      log.warn("Round store {} cannot commit and is unavailable until a commit succeeds",
          dbFile, cause);
    } else {
      log.debug("Round store {} still cannot commit", dbFile, cause);
    }
    available = false;
  }

  private void markAvailable() {
    if (!available && !isClosing()) {
      log.info("Round store {} commits again and is available", dbFile);
      available = true;
    }
  }

  private boolean isClosing() {
    synchronized (enqueueLock) {
      return closing;
    }
  }

  private static <T> T await(CompletableFuture<T> future) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return future.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException runtime) {
            throw runtime;
          }
          if (cause instanceof Error error) {
            throw error;
          }
          throw new EtlException(ErrorKind.INTERNAL, "Round store write failed: " + cause, cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A queued operation and the outcome it reports once its group has committed. */
  private static final class Pending<T> {
    static final Pending<Void> STOP = new Pending<>(ops -> null, 0);

    final Operation<T> operation;
    final long payloadBytes;
    final CompletableFuture<T> future = new CompletableFuture<>();
    private @Nullable T result;
    private @Nullable Throwable rejection;

    Pending(Operation<T> operation, long payloadBytes) {
      this.operation = operation;
      this.payloadBytes = payloadBytes;
    }

    void run(SqliteWriteOps ops) throws SQLException {
      result = operation.execute(ops);
    }

    void reject(Throwable failure) {
      rejection = failure;
    }

    void complete() {
      if (rejection != null) {
        future.completeExceptionally(rejection);
      } else {
        future.complete(result);
      }
    }
  }
}
