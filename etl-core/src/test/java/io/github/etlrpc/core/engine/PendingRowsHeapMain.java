package io.github.etlrpc.core.engine;

import io.github.etlrpc.api.Batch;
import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.Row;
import io.github.etlrpc.core.EtlEngines;
import io.github.etlrpc.core.RowCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM program for {@link PendingRowsHeapTest}: holds one million rows in an open round on
 * the durable store, then seals it and lets the pipeline read the hand-off files. Meant to run
 * under a small {@code -Xmx}; prints one {@code OK} line on success and exits 1 otherwise.
 */
public final class PendingRowsHeapMain {
  private static final int BATCHES = 100;
  private static final int ROWS_PER_BATCH = 10_000;

  private PendingRowsHeapMain() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    long[] handoffBytes = new long[1];
    try (EtlEngine engine = EtlEngines.newBuilder().workDirectory(work)
        .pipeline(run -> {
          for (Path file : run.handoffFiles().values()) {
            handoffBytes[0] += Files.size(file);
          }
          return PipelineResult.succeeded(0);
        })
        .build()) {
      String roundId = null;
      for (int b = 0; b < BATCHES; b++) {
        List<Row> rows = new ArrayList<>(ROWS_PER_BATCH);
        for (int i = 0; i < ROWS_PER_BATCH; i++) {
          int marker = b * ROWS_PER_BATCH + i;
          rows.add(new Row.Secretaria(marker & 1, (marker >> 1) & 1, 11001 + marker % 5,
              marker % 6, 1000 + marker % 5000, "03-12-2026"));
        }
        byte[] payload = RowCodec.encode(rows);
        rows = null;
        roundId = engine.submit(Batch.newBuilder("secretaria").payload(payload).build())
            .roundId();
      }
      engine.submit(Batch.newBuilder("oms").payload(RowCodec.encode(List.of(
          new Row.Oms(1, 2, 11, 3, 4, "03-12-2026")))).build());
      System.gc();
      Runtime runtime = Runtime.getRuntime();
      long usedWhileOpen = runtime.totalMemory() - runtime.freeMemory();
      RoundInfo open = engine.round(roundId).orElseThrow();
      if (open.state() != RoundState.ABERTA || open.totalRows() != 1_000_001L) {
        System.out.println("FAIL open round " + open);
        System.exit(1);
      }
      engine.submit(Batch.newBuilder("hospital").payload(RowCodec.encode(List.of(
          new Row.Hospital(1, "03-12-2026", 1, 30, 0, 11001, 0, 1, 0, 0)))).build());
      RoundInfo done = engine.settled(roundId).get(5, TimeUnit.MINUTES);
      if (done.state() != RoundState.CONCLUIDA) {
        System.out.println("FAIL round " + done);
        System.exit(1);
      }
      System.out.println("OK pendingRows=" + open.totalRows() + " usedHeapWhileOpen="
          + usedWhileOpen + " maxHeap=" + runtime.maxMemory() + " handoffBytes="
          + handoffBytes[0]);
    }
  }
}
