package io.github.etlrpc.core.pipeline;

import io.github.etlrpc.core.store.InMemoryRoundStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs one attempt of round {@code r1} with {@link ExternalProgramInvoker} in a child JVM, so
 * that a test can kill the JVM in the middle of the run as a server crash would. Arguments: the
 * round directory and a shell script to run there.
 */
final class PipelineAttemptMain {
  private PipelineAttemptMain() {}

  public static void main(String[] args) throws Exception {
    Path roundDirectory = Path.of(args[0]);
    ExternalProgramInvoker invoker = ExternalProgramInvoker.newBuilder()
        .command(List.of("/bin/sh", args[1]))
        .build();
    try (InMemoryRoundStore store = new InMemoryRoundStore()) {
      System.out.println(invoker.run(new TestPipelineRun("r1", "key-a", 1, List.of(), Map.of(),
          roundDirectory, Map.of(), store)));
    }
  }
}
