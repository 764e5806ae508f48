package io.github.etlrpc.core.pipeline;

import io.github.etlrpc.api.PipelineRun;
import io.github.etlrpc.api.Row;
import io.github.etlrpc.api.RoundStore;
import io.github.etlrpc.core.RowCodec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** {@link PipelineRun} for tests; rows come from a real store, as in the engine. */
record TestPipelineRun(
    String roundId,
    String roundKey,
    int attempt,
    List<String> sources,
    Map<String, Long> rowsBySource,
    Path roundDirectory,
    Map<String, Path> handoffFiles,
    RoundStore store) implements PipelineRun {

  @Override
  public void forEachRow(String source, Consumer<? super Row> action) throws Exception {
    store.readBatches(roundId, (batchSource, payload, offset, length) -> {
      if (batchSource.equals(source)) {
        RowCodec.decode(payload, offset, length, action);
      }
    });
  }
}
