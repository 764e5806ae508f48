package io.github.etlrpc.core;

/** Entry point for building an {@link io.github.etlrpc.api.EtlEngine}. */
public final class EtlEngines {
  private EtlEngines() {}

  /** Returns a builder with the defaults documented on each of its methods. */
  public static EngineBuilder newBuilder() {
    return new EngineBuilder();
  }
}
