package io.github.etlrpc.core.engine;

import static io.github.etlrpc.core.engine.TestRows.batch;
import static io.github.etlrpc.core.engine.TestRows.batchWithSendId;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.SubmitResult;
import io.github.etlrpc.core.EtlEngines;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restarts on the durable SQLite store in the same work directory. */
class EngineRecoveryTest {
  @TempDir Path work;

  @Test
  void restart_keepsOpenRoundAndSealsItLater() throws Exception {
    String roundId;
    try (EtlEngine first = EtlEngines.newBuilder().workDirectory(work)
        .pipeline(new RecordingPipeline(false)).build()) {
      roundId = first.submit(batch("oms", "", 1, 3)).roundId();
      first.submit(batch("hospital", "", 10, 2));
    }

    RecordingPipeline pipeline = new RecordingPipeline(false);
    try (EtlEngine second = EtlEngines.newBuilder().workDirectory(work).pipeline(pipeline)
        .build()) {
      assertThat(second.round(roundId).orElseThrow().state()).isEqualTo(RoundState.ABERTA);
      SubmitResult last = second.submit(batch("secretaria", "", 20, 1));

      assertThat(last.roundId()).isEqualTo(roundId);
      assertThat(second.settled(roundId).get(10, TimeUnit.SECONDS).state())
          .isEqualTo(RoundState.CONCLUIDA);
      assertThat(pipeline.markersByRound.get(roundId)).containsExactly(1, 2, 3, 10, 11, 20);
    }
  }

  @Test
  void restart_recognizesDuplicateSend() throws Exception {
    String roundId;
    try (EtlEngine first = EtlEngines.newBuilder().workDirectory(work)
        .pipeline(new RecordingPipeline(false)).build()) {
      roundId = first.submit(batchWithSendId("oms", "", "envio-7", 1, 3)).roundId();
    }

    try (EtlEngine second = EtlEngines.newBuilder().workDirectory(work)
        .pipeline(new RecordingPipeline(false)).build()) {
      SubmitResult repeat = second.submit(batchWithSendId("OMS", "", "envio-7", 1, 3));

      assertThat(repeat.duplicate()).isTrue();
      assertThat(repeat.roundId()).isEqualTo(roundId);
      assertThat(second.round(roundId).orElseThrow().rowsBySource()).containsEntry("oms", 3L);
    }
  }

  @Test
  void restart_rerunsInterruptedRoundWithSameId() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    String roundId;
    EtlEngine first = EtlEngines.newBuilder().workDirectory(work).maxAttempts(2)
        .pipeline(run -> {
          started.countDown();
          new CountDownLatch(1).await();
          return PipelineResult.succeeded(0);
        })
        .build();
    roundId = first.submit(batch("oms", "", 1, 1)).roundId();
    first.submit(batch("hospital", "", 2, 1));
    first.submit(batch("secretaria", "", 3, 1));
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(first.shutdown(Duration.ofMillis(100))).isFalse();

    List<String> runs = new CopyOnWriteArrayList<>();
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    try (EtlEngine second = EtlEngines.newBuilder().workDirectory(work).maxAttempts(2)
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(10))
        .pipeline(run -> {
          runs.add(run.roundId());
          attempts.add(run.attempt());
          return runs.size() == 1
              ? PipelineResult.failed(1, "first run after restart fails")
              : PipelineResult.succeeded(0);
        })
        .build()) {
      RoundInfo done = second.settled(roundId).get(10, TimeUnit.SECONDS);

      assertThat(done.state())
          .as("the attempt cut off by the shutdown does not use up maxAttempts(2)")
          .isEqualTo(RoundState.CONCLUIDA);
      assertThat(runs).containsExactly(roundId, roundId);
      assertThat(attempts).containsExactly(2, 3);
      assertThat(done.attempts()).isEqualTo(3);
    }
  }
}
