package io.github.etlrpc.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.etlrpc.api.PipelineResult;
import io.github.etlrpc.api.PipelineRun;
import io.github.etlrpc.api.Row;
import io.github.etlrpc.api.StoredBatch;
import io.github.etlrpc.core.RowCodec;
import io.github.etlrpc.core.store.InMemoryRoundStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InJvmPipelineInvokerTest {
  @TempDir Path directory;

  private final InMemoryRoundStore store = new InMemoryRoundStore();

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void run_normalReturnSucceeds() throws Exception {
    Row.Oms oms = new Row.Oms(1, 2, 11, 3, 4, "01-12-2026");
    Row.Hospital hospital = new Row.Hospital(9, "01-12-2026", 1, 40, 0, 11002, 0, 1, 0, 0);
    append("oms", oms);
    append("hospital", hospital);
    append("oms", oms);
    AtomicReference<PipelineRun> seen = new AtomicReference<>();
    List<Row> omsRows = new ArrayList<>();
    InJvmPipelineInvoker invoker = InJvmPipelineInvoker.of(run -> {
      seen.set(run);
      run.forEachRow("oms", omsRows::add);
    });
    TestPipelineRun run = run();

    PipelineResult result = invoker.run(run);

    assertThat(result).isEqualTo(PipelineResult.succeeded(0));
    assertThat(seen.get()).isSameAs(run);
    assertThat(omsRows).containsExactly(oms, oms);
  }

  @Test
  void run_exceptionFailsWithClassAndMessage() throws Exception {
    InJvmPipelineInvoker invoker = InJvmPipelineInvoker.of(run -> {
      throw new IllegalStateException("island 31 is unknown");
    });

    PipelineResult result = invoker.run(run());

    assertThat(result).isEqualTo(PipelineResult.failed(-1,
        "java.lang.IllegalStateException: island 31 is unknown"));
  }

  @Test
  void run_interruptedExceptionPropagates() {
    InJvmPipelineInvoker invoker = InJvmPipelineInvoker.of(run -> {
      throw new InterruptedException("shutting down");
    });

    assertThatThrownBy(() -> invoker.run(run())).isInstanceOf(InterruptedException.class);
  }

  @Test
  void usesHandoffFiles_false() {
    assertThat(InJvmPipelineInvoker.of(run -> { }).usesHandoffFiles()).isFalse();
  }

  private void append(String source, Row row) {
    byte[] payload = RowCodec.encode(List.of(row));
    store.append("r1", "", new StoredBatch(source, "", "", 1, payload, 0, payload.length), 1);
  }

  private TestPipelineRun run() {
    return new TestPipelineRun("r1", "", 1, List.of("oms", "hospital", "secretaria"),
        Map.of("oms", 2L, "hospital", 1L), directory, Map.of(), store);
  }
}
