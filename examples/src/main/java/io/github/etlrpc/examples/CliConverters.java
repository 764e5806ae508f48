package io.github.etlrpc.examples;

import io.github.etlrpc.api.CompletionPolicy;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.core.LateBatchPolicy;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;

/** Picocli converters for the option values of {@link EtlCli}. */
final class CliConverters {
  private CliConverters() {}

  /**
   * Parses a duration as a number with a unit ({@code 500ms}, {@code 30s}, {@code 30m},
   * {@code 2h}, {@code 1d}) or in ISO-8601 form ({@code PT30M}).
   */
  static final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
      String text = value.trim().toLowerCase(Locale.ROOT);
      Matcher matcher = SHORT.matcher(text);
      if (matcher.matches()) {
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        };
      }
      try {
        return Duration.parse(value.trim());
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException("Invalid duration '" + value
            + "'; use a number with ms, s, m, h or d (such as 30s or 30m) or ISO-8601 (PT30M)");
      }
    }
  }

  /**
   * Parses a size in bytes: a plain count ({@code 1073741824}) or a count with a binary unit
   * ({@code 512KiB}, {@code 256MiB}, {@code 2GiB}), in any case.
   */
  static final class ByteSizeConverter implements ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(kib|mib|gib)?");

    @Override
    public Long convert(String value) {
      Matcher matcher = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
      if (!matcher.matches()) {
        throw invalidSize(value);
      }
      int shift = matcher.group(2) == null ? 0 : switch (matcher.group(2)) {
        case "kib" -> 10;
        case "mib" -> 20;
        default -> 30;
      };
      try {
        long amount = Long.parseLong(matcher.group(1));
        if (amount > Long.MAX_VALUE >> shift) {
          throw invalidSize(value);
        }
        return amount << shift;
      } catch (NumberFormatException e) {
        throw invalidSize(value);
      }
    }

    private static CommandLine.TypeConversionException invalidSize(String value) {
      return new CommandLine.TypeConversionException("Invalid size '" + value
          + "'; use a number of bytes, optionally with KiB, MiB or GiB (such as 512MiB)");
    }
  }

  /** Maps fixed lower-case words to values, naming the allowed words on a mismatch. */
  private abstract static class ChoiceConverter<T> implements ITypeConverter<T> {
    private final Map<String, T> choices;

    ChoiceConverter(Map<String, T> choices) {
      this.choices = choices;
    }

    @Override
    public T convert(String value) {
      T choice = choices.get(value.trim().toLowerCase(Locale.ROOT));
      if (choice == null) {
        throw new CommandLine.TypeConversionException(
            "Invalid value '" + value + "'; use one of " + String.join(", ",
                choices.keySet().stream().sorted().toList()));
      }
      return choice;
    }
  }

  /** {@code reject} or {@code new-round}. */
  static final class LateBatchesConverter extends ChoiceConverter<LateBatchPolicy> {
    LateBatchesConverter() {
      super(Map.of("reject", LateBatchPolicy.REJECT, "new-round", LateBatchPolicy.OPEN_NEW_ROUND));
    }
  }

  /** {@code first} or {@code last}. */
  static final class TimeoutStartConverter extends ChoiceConverter<CompletionPolicy.TimeoutStart> {
    TimeoutStartConverter() {
      super(Map.of("first", CompletionPolicy.TimeoutStart.FIRST_BATCH,
          "last", CompletionPolicy.TimeoutStart.LAST_BATCH));
    }
  }

  /** {@code seal} or {@code park}. */
  static final class OnTimeoutConverter extends ChoiceConverter<CompletionPolicy.OnTimeout> {
    OnTimeoutConverter() {
      super(Map.of("seal", CompletionPolicy.OnTimeout.SEAL_PARTIAL,
          "park", CompletionPolicy.OnTimeout.PARK));
    }
  }

  /** A round state name in any case, such as {@code estacionada}. */
  static final class RoundStateConverter extends ChoiceConverter<RoundState> {
    RoundStateConverter() {
      super(stateNames());
    }

    private static Map<String, RoundState> stateNames() {
      Map<String, RoundState> names = new java.util.HashMap<>();
      for (RoundState state : RoundState.values()) {
        names.put(state.name().toLowerCase(Locale.ROOT), state);
      }
      return names;
    }
  }
}
