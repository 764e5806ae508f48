package io.github.etlrpc.api;

/**
 * Failure reported to a caller of the engine. The message names the offending value and the fix;
 * {@link #kind()} selects the gRPC status the service adapter sends.
 */
public class EtlException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;

  public EtlException(ErrorKind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public EtlException(ErrorKind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /** Category of this failure. */
  public ErrorKind kind() {
    return kind;
  }
}
