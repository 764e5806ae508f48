package io.github.etlrpc.bench;

import java.util.Locale;

/** Round store behind a benchmarked engine. */
public enum StoreKind {
  /** Durable {@code SqliteRoundStore} in a temporary work directory. */
  SQLITE,
  /** {@code InMemoryRoundStore}: no durability, the upper bound for the store's cost. */
  MEMORY;

  /**
   * Returns the kind named {@code name}, ignoring case ({@code sqlite} or {@code memory}).
   *
   * @throws IllegalArgumentException for any other name
   */
  public static StoreKind parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Unknown store '" + name + "'; use sqlite or memory", e);
    }
  }

  /** Lower-case name, as used in JMH parameters and command lines. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
