package io.github.etlrpc.core.engine;

import static io.github.etlrpc.core.engine.TestRows.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.RoundStore;
import io.github.etlrpc.api.SubmitResult;
import io.github.etlrpc.core.EtlEngines;
import io.github.etlrpc.core.RowCodec;
import io.github.etlrpc.core.store.InMemoryRoundStore;
import io.github.etlrpc.core.store.SqliteRoundStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads send batches of random sources at once. Every row carries a unique marker, so the
 * test can check that each accepted row lands in exactly one round, exactly once.
 */
class EngineStressTest {
  private static final String[] SOURCES = {"oms", "hospital", "secretaria"};

  @TempDir Path work;

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite"})
  void concurrentSubmits_everyRowInExactlyOneRound(String storeKind) throws Exception {
    int threads = 8;
    int batchesPerThread = storeKind.equals("memory") ? 400 : 120;
    int rowsPerBatch = 5;
    RecordingPipeline pipeline = new RecordingPipeline(false);
    RoundStore store = storeKind.equals("memory")
        ? new InMemoryRoundStore()
        : SqliteRoundStore.open(work.resolve("stress.db"));
    EtlEngine engine = EtlEngines.newBuilder().workDirectory(work).store(store)
        .pipeline(pipeline).pipelineConcurrency(2).maxQueuedRuns(100_000).build();
    AtomicInteger nextMarker = new AtomicInteger();
    Map<String, Set<Integer>> acceptedByRound = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        long seed = t;
        futures.add(pool.submit(() -> {
          Random random = new Random(seed);
          for (int i = 0; i < batchesPerThread; i++) {
            String source = SOURCES[random.nextInt(SOURCES.length)];
            int first = nextMarker.getAndAdd(rowsPerBatch);
            SubmitResult result = engine.submit(batch(source, "", first, rowsPerBatch));
            Set<Integer> markers = acceptedByRound.computeIfAbsent(result.roundId(),
                id -> ConcurrentHashMap.newKeySet());
            for (int m = first; m < first + rowsPerBatch; m++) {
              markers.add(m);
            }
          }
          return null;
        }));
      }
      for (Future<?> future : futures) {
        future.get(2, TimeUnit.MINUTES);
      }
      List<RoundInfo> sealed = engine.rounds(EnumSet.complementOf(EnumSet.of(RoundState.ABERTA)));
      for (RoundInfo round : sealed) {
        engine.settled(round.roundId()).get(1, TimeUnit.MINUTES);
      }

      Map<Integer, String> roundOfMarker = new HashMap<>();
      for (RoundInfo round : engine.rounds(EnumSet.allOf(RoundState.class))) {
        List<Integer> markers = round.state() == RoundState.ABERTA
            ? markersInStore(store, round.roundId())
            : pipeline.markersByRound.get(round.roundId());
        assertThat(markers).as("rows of round %s", round.roundId()).isNotNull();
        for (int marker : markers) {
          String previous = roundOfMarker.put(marker, round.roundId());
          assertThat(previous).as("marker %d in two rounds or twice", marker).isNull();
        }
        assertThat(new HashSet<>(markers))
            .as("rows the responses placed in round %s", round.roundId())
            .isEqualTo(acceptedByRound.getOrDefault(round.roundId(), Set.of()));
      }
      assertThat(roundOfMarker).hasSize(threads * batchesPerThread * rowsPerBatch);
      assertThat(engine.rounds(EnumSet.of(RoundState.ABERTA))).hasSizeLessThanOrEqualTo(1);
      assertThat(sealed).allSatisfy(round -> assertThat(round.batchesBySource().keySet())
          .containsExactlyInAnyOrder(SOURCES));
    } finally {
      pool.shutdownNow();
      engine.shutdown(Duration.ofSeconds(30));
    }
  }

  private static List<Integer> markersInStore(RoundStore store, String roundId) throws Exception {
    List<Integer> markers = new ArrayList<>();
    store.readBatches(roundId, (source, payload, offset, length) ->
        RowCodec.decode(payload, offset, length, row -> markers.add(TestRows.marker(row))));
    return markers;
  }
}
