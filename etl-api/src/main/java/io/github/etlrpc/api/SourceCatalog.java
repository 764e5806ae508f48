package io.github.etlrpc.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Known data sources, each with the row type it sends, and the sources a round requires. Source
 * names are matched after stripping white space and lower-casing, so {@code " Hospital"} is
 * {@code hospital}. Immutable and thread-safe.
 */
public final class SourceCatalog {
  private final Map<String, RowType> rowTypes;
  private final List<String> required;

  private SourceCatalog(Map<String, RowType> rowTypes, List<String> required) {
    this.rowTypes = rowTypes;
    this.required = required;
  }

  /** Returns the catalog of the original system: oms, hospital, secretaria, all required. */
  public static SourceCatalog defaults() {
    Map<String, RowType> types = new LinkedHashMap<>();
    types.put("oms", RowType.OMS);
    types.put("hospital", RowType.HOSPITAL);
    types.put("secretaria", RowType.SECRETARIA);
    return of(types, List.copyOf(types.keySet()));
  }

  /**
   * Returns a catalog of the given sources, in the given order.
   *
   * @throws IllegalArgumentException if a name is blank, two names normalize to the same name,
   *     or a required source is not among the sources
   */
  public static SourceCatalog of(Map<String, RowType> sources, List<String> requiredSources) {
    Map<String, RowType> types = new LinkedHashMap<>();
    for (Map.Entry<String, RowType> entry : sources.entrySet()) {
      String name = normalize(entry.getKey());
      if (name.isEmpty()) {
        throw new IllegalArgumentException("Source name must not be blank");
      }
      if (types.put(name, Objects.requireNonNull(entry.getValue())) != null) {
        throw new IllegalArgumentException("Source '" + name + "' is listed twice");
      }
    }
    if (requiredSources.isEmpty()) {
      throw new IllegalArgumentException("At least one required source is needed");
    }
    List<String> required = requiredSources.stream().map(SourceCatalog::normalize).toList();
    for (String name : required) {
      if (!types.containsKey(name)) {
        throw new IllegalArgumentException(
            "Required source '" + name + "' is not a known source; known sources: "
                + types.keySet());
      }
    }
    return new SourceCatalog(Collections.unmodifiableMap(types), List.copyOf(required));
  }

  /**
   * Returns the default sources with only {@code requiredSources} required.
   *
   * @throws IllegalArgumentException if a required source is not oms, hospital or secretaria
   */
  public static SourceCatalog requiring(List<String> requiredSources) {
    return of(defaults().rowTypes, requiredSources);
  }

  /** Strips white space from a source name and lower-cases it, as every lookup does. */
  public static String normalize(String name) {
    return name.strip().toLowerCase(Locale.ROOT);
  }

  /** Known sources and their row types, in configuration order. */
  public Map<String, RowType> rowTypes() {
    return rowTypes;
  }

  /** Sources every complete round needs, in configuration order. */
  public List<String> requiredSources() {
    return required;
  }

  /**
   * Returns the normalized name of {@code origin}.
   *
   * @throws EtlException INVALID_ARGUMENT naming the origin and the known sources
   */
  public String resolve(String origin) {
    String name = normalize(origin);
    if (!rowTypes.containsKey(name)) {
      throw new EtlException(
          ErrorKind.INVALID_ARGUMENT,
          "Unknown origin '" + origin + "'; use one of " + String.join(", ", rowTypes.keySet()));
    }
    return name;
  }

  /** Returns the row type of a normalized source name. */
  public RowType rowType(String source) {
    RowType type = rowTypes.get(source);
    if (type == null) {
      throw new IllegalArgumentException("Unknown source '" + source + "'");
    }
    return type;
  }

  @Override
  public String toString() {
    return "SourceCatalog" + rowTypes + " required " + required;
  }
}
