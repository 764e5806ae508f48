package io.github.etlrpc.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** One pipeline attempt for one sealed round, as handed to a {@link PipelineInvoker}. */
public interface PipelineRun {

  /** Id of the round; the same on every attempt, also after a restart. */
  String roundId();

  /** Correlation key of the round, empty for the shared default round. */
  String roundKey();

  /** Attempt number, starting at 1. */
  int attempt();

  /**
   * Sources of the round's hand-off: the required sources, then every other known source, each
   * in catalog order. A source that sent nothing has no rows and an empty hand-off file.
   */
  List<String> sources();

  /** Accepted rows per source. */
  Map<String, Long> rowsBySource();

  /** Folder of this round under the work directory; hand-off files and logs go here. */
  Path roundDirectory();

  /**
   * JSON hand-off file per source, in {@link #sources()} order. Empty when the invoker does not
   * use hand-off files.
   */
  Map<String, Path> handoffFiles();

  /** Streams the rows of one source in arrival order, decoded from the store. */
  void forEachRow(String source, Consumer<? super Row> action) throws Exception;
}
