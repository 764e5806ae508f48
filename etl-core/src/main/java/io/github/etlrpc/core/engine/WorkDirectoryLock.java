package io.github.etlrpc.core.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exclusive lock on {@code etl.lock} in a work directory, so two engines never recover, seal or
 * run the same rounds at once. The operating system releases it when the process dies, so a
 * crash leaves no stale lock behind.
 */
public final class WorkDirectoryLock implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkDirectoryLock.class);

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private WorkDirectoryLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code workDirectory}.
   *
   * @throws IllegalStateException if another engine holds it
   * @throws UncheckedIOException if the lock file cannot be opened
   */
  public static WorkDirectoryLock acquire(Path workDirectory) {
    Path file = workDirectory.resolve("etl.lock");
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the work directory lock " + file, e);
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("Cannot lock the work directory lock " + file, e);
    }
    if (lock == null) {
      closeQuietly(channel);
      throw new IllegalStateException("Work directory " + workDirectory + " is in use by another"
          + " engine (it holds " + file + "); stop that server first or use another work"
          + " directory");
    }
    return new WorkDirectoryLock(file, channel, lock);
  }

  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
      channel.close();
    } catch (IOException e) {
      log.warn("Cannot release the work directory lock {}", file, e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("Closing {} failed", channel, e);
    }
  }
}
