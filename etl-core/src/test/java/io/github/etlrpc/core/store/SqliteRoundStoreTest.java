package io.github.etlrpc.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.etlrpc.api.AppendResult;
import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.RoundStore;
import io.github.etlrpc.api.StoredBatch;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteRoundStoreTest extends RoundStoreContract {
  @TempDir Path directory;

  @Override
  protected RoundStore newStore() {
    return SqliteRoundStore.open(directory.resolve("etl.db"));
  }

  @Test
  void isDurable_true() {
    assertThat(store.isDurable()).isTrue();
  }

  @Test
  void reopen_keepsRoundsStatesAndBatches() throws Exception {
    store.append("r1", "key", batch("oms", "s1", 3, "abc"), 1_000);
    store.append("r1", "key", batch("hospital", "s2", 2, "de"), 2_000);
    store.append("r2", "", batch("oms", "", 1, "f"), 3_000);
    store.transition("r1", Set.of(RoundState.ABERTA), RoundState.FECHADA, "", 4_000);
    store.claim("r1", 5_000);
    store.transition("r1", Set.of(RoundState.EXECUTANDO), RoundState.FALHOU, "exit code 3",
        6_000);
    RoundInfo before = store.find("r1").orElseThrow();
    store.close();

    store = SqliteRoundStore.open(directory.resolve("etl.db"));

    assertThat(store.find("r1")).contains(before);
    assertThat(before.state()).isEqualTo(RoundState.FALHOU);
    assertThat(before.attempts()).isEqualTo(1);
    assertThat(before.error()).isEqualTo("exit code 3");
    assertThat(before.rowsBySource()).isEqualTo(Map.of("oms", 3L, "hospital", 2L));
    assertThat(readAll("r1")).containsExactly("oms:abc", "hospital:de");
    assertThat(readAll("r2")).containsExactly("oms:f");
    assertThat(store.latestForKey("key").orElseThrow().roundId()).isEqualTo("r1");
  }

  @Test
  void reopen_detectsDuplicateSendIds() {
    store.append("r1", "", batch("oms", "send-1", 3, "abc"), 1_000);
    store.close();

    store = SqliteRoundStore.open(directory.resolve("etl.db"));
    AppendResult repeat = store.append("r2", "", batch("oms", "send-1", 3, "abc"), 2_000);

    assertThat(repeat).isEqualTo(new AppendResult(true, "r1", "oms", 3));
    assertThat(store.find("r2")).isEmpty();
  }

  @Test
  void reopen_newRoundsListAfterOldOnes() {
    store.append("b-old", "", batch("oms", "", 1, "a"), 1_000);
    store.close();

    store = SqliteRoundStore.open(directory.resolve("etl.db"));
    store.append("a-new", "", batch("oms", "", 1, "a"), 2_000);

    assertThat(store.list(EnumSet.allOf(RoundState.class)).stream().map(RoundInfo::roundId))
        .containsExactly("b-old", "a-new");
  }

  @Test
  void schema_usesWalAndOneRowPerBatch() throws Exception {
    for (int i = 0; i < 5; i++) {
      store.append("r1", "", batch("oms", i % 2 == 0 ? "" : "s" + i, 100, "payload-" + i),
          1_000);
    }

    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      assertThat(queryString(statement, "PRAGMA journal_mode")).isEqualTo("wal");
      assertThat(queryString(statement, "SELECT COUNT(*) FROM batches")).isEqualTo("5");
      assertThat(queryString(statement, "SELECT COUNT(*) FROM batches WHERE send_id IS NULL"))
          .isEqualTo("3");
      assertThat(queryString(statement, "SELECT SUM(LENGTH(payload)) FROM batches"))
          .isEqualTo("45");
      assertThat(queryString(statement, "SELECT seq FROM rounds WHERE id = 'r1'"))
          .isEqualTo(queryString(statement, "SELECT MIN(seq) FROM batches"));
    }
  }

  @Test
  void lockedDatabase_unavailableUntilProbeCommits() throws Exception {
    store.close();
    store = SqliteRoundStore.open(directory.resolve("etl.db"), Duration.ofMillis(100));
    store.append("r1", "", batch("oms", "", 1, "a"), 1_000);

    try (Connection other = connect(); Statement statement = other.createStatement()) {
      statement.execute("BEGIN EXCLUSIVE");

      assertThatThrownBy(() -> store.append("r1", "", batch("oms", "", 1, "b"), 2_000))
          .isInstanceOfSatisfying(EtlException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
            assertThat(e.getCause()).isInstanceOf(SQLException.class);
          })
          .hasMessageStartingWith("Cannot commit to the round store ");
      assertThat(store.isAvailable()).isFalse();
      assertThat(store.isAvailable()).isFalse();

      statement.execute("ROLLBACK");
    }

    await().atMost(Duration.ofSeconds(20)).until(store::isAvailable);
    store.append("r1", "", batch("oms", "", 1, "c"), 3_000);
    assertThat(readAll("r1")).containsExactly("oms:a", "oms:c");
  }

  @Test
  void open_newerSchemaRejected() throws Exception {
    store.close();
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      statement.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'");
    }

    assertThatThrownBy(() -> SqliteRoundStore.open(directory.resolve("etl.db")))
        .isInstanceOfSatisfying(EtlException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE))
        .hasMessageContaining("schema version 99");
    store = new InMemoryRoundStore();
  }

  @Test
  void killedProcess_keepsAcknowledgedAppends() throws Exception {
    Path dbFile = directory.resolve("crash.db");
    Path childErrors = directory.resolve("child-stderr.txt");
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath,
        SqliteAppendChild.class.getName(), dbFile.toString(), "100000")
        .redirectError(childErrors.toFile())
        .start();
    AtomicInteger lastAcked = new AtomicInteger(-1);
    CountDownLatch enoughAcks = new CountDownLatch(1);
    Thread reader = new Thread(() -> readAcks(child, lastAcked, enoughAcks, 40));
    reader.start();
    try {
      assertThat(enoughAcks.await(60, TimeUnit.SECONDS))
          .as("child acknowledged 40 appends; its stderr: %s", childErrors)
          .isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    reader.join(TimeUnit.SECONDS.toMillis(30));
    int acked = lastAcked.get();

    assertThat(child.exitValue()).as("exit value after SIGKILL").isEqualTo(137);
    assertThat(acked).isGreaterThanOrEqualTo(39);
    try (SqliteRoundStore reopened = SqliteRoundStore.open(dbFile)) {
      List<byte[]> stored = new ArrayList<>();
      for (int round = 0; round <= acked / 10; round++) {
        reopened.readBatches("round-" + round, (source, payload, offset, length) ->
            stored.add(payload.clone()));
      }
      assertThat(stored.size()).isGreaterThanOrEqualTo(acked + 1);
      for (int i = 0; i <= acked; i++) {
        assertThat(stored.get(i)).as("payload of append %d", i)
            .isEqualTo(SqliteAppendChild.payloadOf(i));
        byte[] payload = SqliteAppendChild.payloadOf(i);
        AppendResult repeat = reopened.append(SqliteAppendChild.roundOf(i), "",
            new StoredBatch(SqliteAppendChild.sourceOf(i), "", "send-" + i, i, payload, 0,
                payload.length), 5_000);
        assertThat(repeat).as("repeat of append %d", i).isEqualTo(new AppendResult(true,
            SqliteAppendChild.roundOf(i), SqliteAppendChild.sourceOf(i), i));
      }
    }
    assertThat(Files.exists(dbFile)).isTrue();
  }

  private static void readAcks(Process child, AtomicInteger lastAcked, CountDownLatch enough,
      int target) {
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.startsWith("acked ")) {
          int index = Integer.parseInt(line.substring("acked ".length()));
          lastAcked.set(index);
          if (index + 1 >= target) {
            enough.countDown();
          }
        }
      }
    } catch (java.io.IOException e) {
      // The stream closes when the child is killed, and lastAcked keeps the last line read.
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("etl.db"));
  }

  private static String queryString(Statement statement, String sql) throws SQLException {
    try (ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getString(1);
    }
  }
}
