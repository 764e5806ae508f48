package io.github.etlrpc.api;

/** Categories of {@link EtlException}; each maps to one gRPC status code of the same name. */
public enum ErrorKind {
  /** Unknown origin, empty or mismatched row, malformed payload, too long a name. */
  INVALID_ARGUMENT,
  /** Unknown round id. */
  NOT_FOUND,
  /** A batch for a round that is already sealed, or an operation on a round in the wrong state. */
  FAILED_PRECONDITION,
  /** A send id that is already stored for a different batch. */
  ALREADY_EXISTS,
  /** Over a size, row, round, pending-bytes or queue limit. */
  RESOURCE_EXHAUSTED,
  /** The store cannot be reached or the engine is shutting down. */
  UNAVAILABLE,
  /** Missing or wrong credentials. */
  UNAUTHENTICATED,
  /** Valid credentials that do not allow this origin. */
  PERMISSION_DENIED,
  /** A bug or an unexpected failure inside the engine. */
  INTERNAL
}
