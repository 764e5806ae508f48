package io.github.etlrpc.examples;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.github.etlrpc.api.Row;
import io.github.etlrpc.api.RowType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Streams the rows of a JSON hand-off file: an array of objects whose keys are the proto field
 * names of one row type, integers as JSON numbers and {@code data} as a string. A missing key
 * reads as 0 or the empty string, as in proto3; an unknown key, a value of the wrong JSON type or
 * an integer outside the int32 range is an error naming the file, row index and key. Only one
 * row is held in memory at a time.
 */
final class HandoffJsonReader {
  private static final JsonFactory JSON = new JsonFactory();
  private static final Pattern SOURCE_DESCRIPTION = Pattern.compile("\\[Source: [^;]*; ");
  private static final String DATE_FIELD = "data";
  private static final List<String> OMS_INTS =
      List.of("num_obitos", "populacao", "cep", "num_recuperados", "num_vacinados");
  private static final List<String> HOSPITAL_INTS = List.of("id_hospital", "internado", "idade",
      "sexo", "cep", "sintoma1", "sintoma2", "sintoma3", "sintoma4");
  private static final List<String> SECRETARIA_INTS =
      List.of("diagnostico", "vacinado", "cep", "escolaridade", "populacao");

  private HandoffJsonReader() {}

  /**
   * Reads every row of {@code file} as {@code type} and passes it to {@code action}.
   *
   * @return the number of rows read
   * @throws java.nio.file.NoSuchFileException if the file does not exist
   * @throws IOException if the file cannot be read or is not a valid hand-off file
   */
  static long read(Path file, RowType type, Consumer<? super Row> action) throws IOException {
    try (InputStream in = Files.newInputStream(file);
        JsonParser parser = JSON.createParser(in)) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_ARRAY) {
        throw invalid(file, parser, "must be a JSON array of row objects, found "
            + (first == null ? "an empty file" : describe(first)));
      }
      long index = 0;
      for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY;
          token = parser.nextToken()) {
        if (token != JsonToken.START_OBJECT) {
          throw invalid(file, parser, "row " + index + " must be a JSON object, found "
              + describe(token));
        }
        action.accept(readRow(file, parser, type, index));
        index++;
      }
      if (parser.nextToken() != null) {
        throw invalid(file, parser, "unexpected content after the array");
      }
      return index;
    } catch (JsonProcessingException e) {
      JsonLocation location = e.getLocation();
      String where = location == null
          ? ""
          : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
      // Jackson names the input as "[Source: REDACTED ...; line: 1, column: 2]"; keep the position.
      String message = SOURCE_DESCRIPTION.matcher(e.getOriginalMessage()).replaceAll("[");
      throw new IOException(file + ": invalid JSON: " + message + where, e);
    }
  }

  private static Row readRow(Path file, JsonParser parser, RowType type, long index)
      throws IOException {
    List<String> intFields = intFields(type);
    int[] values = new int[intFields.size()];
    String date = "";
    for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT;
        token = parser.nextToken()) {
      String name = parser.currentName();
      JsonToken value = parser.nextToken();
      if (DATE_FIELD.equals(name)) {
        if (value != JsonToken.VALUE_STRING) {
          throw invalid(file, parser, "row " + index + ", key 'data' must be a string, found "
              + describe(value));
        }
        date = parser.getText();
        continue;
      }
      int position = intFields.indexOf(name);
      if (position < 0) {
        throw invalid(file, parser, "row " + index + " has unknown key '" + name + "' for "
            + type.fieldName() + "; expected " + intFields + " and data");
      }
      if (value != JsonToken.VALUE_NUMBER_INT) {
        throw invalid(file, parser, "row " + index + ", key '" + name
            + "' must be an integer, found " + describe(value));
      }
      if (parser.getNumberType() != JsonParser.NumberType.INT) {
        throw invalid(file, parser, "row " + index + ", key '" + name + "' is "
            + parser.getText() + ", outside the int32 range");
      }
      values[position] = parser.getIntValue();
    }
    return switch (type) {
      case OMS -> new Row.Oms(values[0], values[1], values[2], values[3], values[4], date);
      case HOSPITAL -> new Row.Hospital(values[0], date, values[1], values[2], values[3],
          values[4], values[5], values[6], values[7], values[8]);
      case SECRETARIA -> new Row.Secretaria(values[0], values[1], values[2], values[3],
          values[4], date);
    };
  }

  private static List<String> intFields(RowType type) {
    return switch (type) {
      case OMS -> OMS_INTS;
      case HOSPITAL -> HOSPITAL_INTS;
      case SECRETARIA -> SECRETARIA_INTS;
    };
  }

  private static String describe(JsonToken token) {
    return switch (token) {
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      case VALUE_NUMBER_FLOAT -> "a decimal number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      default -> token.toString();
    };
  }

  private static IOException invalid(Path file, JsonParser parser, String problem) {
    JsonLocation location = parser.currentLocation();
    return new IOException(file + ": " + problem + " (line " + location.getLineNr()
        + ", column " + location.getColumnNr() + ")");
  }
}
