package io.github.etlrpc.core.pipeline;

import io.github.etlrpc.api.SourceCatalog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pipeline command with placeholders: {@code {round}} for the round id and {@code {<source>}}
 * for the absolute path of that source's hand-off file. A placeholder may fill a whole argument
 * or part of one, as in {@code --oms={oms}}. Names are matched like source names, ignoring case.
 * Immutable.
 */
final class CommandTemplate {
  /** Placeholder replaced by the round id. */
  static final String ROUND = "round";

  /** File order appended when the command names no source: the C++ pipeline's argument order. */
  private static final List<String> DEFAULT_FILE_ORDER = List.of("oms", "secretaria", "hospital");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([\\p{L}\\p{N}_.-]+)\\}");

  private final List<String> arguments;
  private final Set<String> sourcePlaceholders;

  CommandTemplate(List<String> arguments) {
    if (arguments.isEmpty() || arguments.get(0).isBlank()) {
      throw new IllegalArgumentException(
          "Pipeline command " + arguments + " has no program; name the program first");
    }
    this.arguments = List.copyOf(arguments);
    Set<String> names = new LinkedHashSet<>();
    for (String argument : this.arguments) {
      Matcher matcher = PLACEHOLDER.matcher(argument);
      while (matcher.find()) {
        String name = SourceCatalog.normalize(matcher.group(1));
        if (!name.equals(ROUND)) {
          names.add(name);
        }
      }
    }
    this.sourcePlaceholders = Set.copyOf(names);
  }

  /**
   * Splits a command line on whitespace. Double quotes group words with their spaces into one
   * argument and are removed, so {@code prog "a b" c} gives three arguments and {@code ""} an
   * empty one. There are no escapes.
   *
   * @throws IllegalArgumentException for an unterminated quote or a blank command
   */
  static CommandTemplate parse(String commandLine) {
    List<String> arguments = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean inQuotes = false;
    boolean inArgument = false;
    for (int i = 0; i < commandLine.length(); i++) {
      char c = commandLine.charAt(i);
      if (c == '"') {
        inQuotes = !inQuotes;
        inArgument = true;
      } else if (Character.isWhitespace(c) && !inQuotes) {
        if (inArgument) {
          arguments.add(current.toString());
          current.setLength(0);
          inArgument = false;
        }
      } else {
        current.append(c);
        inArgument = true;
      }
    }
    if (inQuotes) {
      throw new IllegalArgumentException(
          "Pipeline command has an unterminated double quote: " + commandLine);
    }
    if (inArgument) {
      arguments.add(current.toString());
    }
    return new CommandTemplate(arguments);
  }

  List<String> arguments() {
    return arguments;
  }

  /** Source names used as placeholders; {@code {round}} is not among them. */
  Set<String> sourcePlaceholders() {
    return sourcePlaceholders;
  }

  /**
   * Returns the command for one run with the placeholders replaced. When the template has no
   * source placeholder, the files are appended in the order oms, secretaria, hospital, then any
   * other source in {@code files} order.
   *
   * @param files hand-off file per source, in the round's source order
   * @throws IllegalArgumentException naming a placeholder that is neither {@code round} nor a key
   *     of {@code files}
   */
  List<String> resolve(String roundId, Map<String, Path> files) {
    List<String> command = new ArrayList<>(arguments.size() + files.size());
    for (String argument : arguments) {
      Matcher matcher = PLACEHOLDER.matcher(argument);
      StringBuilder resolved = new StringBuilder();
      while (matcher.find()) {
        String name = SourceCatalog.normalize(matcher.group(1));
        String value;
        if (name.equals(ROUND)) {
          value = roundId;
        } else if (files.containsKey(name)) {
          value = files.get(name).toAbsolutePath().toString();
        } else {
          throw new IllegalArgumentException("Pipeline command placeholder {" + name
              + "} names no source of round " + roundId + "; its sources are " + files.keySet()
              + ", and {round} is the round id");
        }
        matcher.appendReplacement(resolved, Matcher.quoteReplacement(value));
      }
      matcher.appendTail(resolved);
      command.add(resolved.toString());
    }
    if (sourcePlaceholders.isEmpty()) {
      for (String source : DEFAULT_FILE_ORDER) {
        Path file = files.get(source);
        if (file != null) {
          command.add(file.toAbsolutePath().toString());
        }
      }
      for (Map.Entry<String, Path> entry : files.entrySet()) {
        if (!DEFAULT_FILE_ORDER.contains(entry.getKey())) {
          command.add(entry.getValue().toAbsolutePath().toString());
        }
      }
    }
    return command;
  }

  @Override
  public String toString() {
    return String.join(" ", arguments);
  }
}
