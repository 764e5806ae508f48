package io.github.etlrpc.core.engine;

import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.PipelineRun;
import io.github.etlrpc.api.PipelineInvoker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * In-JVM pipeline that records, per round id, the markers of the rows it read and every attempt
 * it saw; when it uses hand-off files it also records their contents.
 */
final class RecordingPipeline implements PipelineInvoker {
  final Map<String, List<Integer>> markersByRound = new ConcurrentHashMap<>();
  final Map<String, Map<String, String>> filesByRound = new ConcurrentHashMap<>();
  final List<String> attempts = new CopyOnWriteArrayList<>();
  private final boolean useFiles;

  RecordingPipeline(boolean useFiles) {
    this.useFiles = useFiles;
  }

  @Override
  public PipelineResult run(PipelineRun run) throws Exception {
    attempts.add(run.roundId() + "#" + run.attempt());
    List<Integer> markers = new ArrayList<>();
    for (String source : run.sources()) {
      run.forEachRow(source, row -> markers.add(TestRows.marker(row)));
    }
    markersByRound.put(run.roundId(), markers);
    if (useFiles) {
      Map<String, String> contents = new ConcurrentHashMap<>();
      for (Map.Entry<String, Path> file : run.handoffFiles().entrySet()) {
        contents.put(file.getKey(), Files.readString(file.getValue()));
      }
      filesByRound.put(run.roundId(), contents);
    }
    return PipelineResult.succeeded(0);
  }

  @Override
  public boolean usesHandoffFiles() {
    return useFiles;
  }
}
