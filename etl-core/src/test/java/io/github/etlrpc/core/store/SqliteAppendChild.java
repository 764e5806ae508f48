package io.github.etlrpc.core.store;

import io.github.etlrpc.api.StoredBatch;
import java.nio.file.Path;

/**
 * Child process for the crash test: appends batches to a SQLite store as fast as it can and
 * prints {@code acked <i>} after each append returns, until the parent kills it.
 *
 * <p>Arguments: database file, number of appends at most.
 */
public final class SqliteAppendChild {
  private SqliteAppendChild() {}

  public static void main(String[] args) {
    Path dbFile = Path.of(args[0]);
    int count = Integer.parseInt(args[1]);
    SqliteRoundStore store = SqliteRoundStore.open(dbFile);
    for (int i = 0; i < count; i++) {
      byte[] payload = payloadOf(i);
      store.append(roundOf(i), "", new StoredBatch(sourceOf(i), "file-" + i, "send-" + i, i,
          payload, 0, payload.length), 1_000L + i);
      System.out.println("acked " + i);
      System.out.flush();
    }
    System.out.println("done");
    store.close();
  }

  /** Round of append {@code i}: ten appends per round. */
  static String roundOf(int i) {
    return "round-" + (i / 10);
  }

  static String sourceOf(int i) {
    return i % 2 == 0 ? "oms" : "hospital";
  }

  /** Payload of append {@code i}: 4 KiB whose bytes depend on {@code i}. */
  static byte[] payloadOf(int i) {
    byte[] payload = new byte[4096];
    for (int j = 0; j < payload.length; j++) {
      payload[j] = (byte) (i * 31 + j);
    }
    return payload;
  }
}
