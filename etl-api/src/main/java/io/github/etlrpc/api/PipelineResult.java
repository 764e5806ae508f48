package io.github.etlrpc.api;

/**
 * Outcome of one pipeline attempt.
 *
 * @param outcome what happened
 * @param exitCode exit code of an external program, or -1 when there was none
 * @param message short description for logs and the round's error field; empty on success
 */
public record PipelineResult(Outcome outcome, int exitCode, String message) {

  /** Kinds of outcome. */
  public enum Outcome {
    SUCCEEDED,
    FAILED,
    TIMED_OUT
  }

  public static PipelineResult succeeded(int exitCode) {
    return new PipelineResult(Outcome.SUCCEEDED, exitCode, "");
  }

  public static PipelineResult failed(int exitCode, String message) {
    return new PipelineResult(Outcome.FAILED, exitCode, message);
  }

  public static PipelineResult timedOut(String message) {
    return new PipelineResult(Outcome.TIMED_OUT, -1, message);
  }

  public boolean isSuccess() {
    return outcome == Outcome.SUCCEEDED;
  }
}
