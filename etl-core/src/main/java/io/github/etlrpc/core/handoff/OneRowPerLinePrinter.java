package io.github.etlrpc.core.handoff;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import java.io.IOException;

/**
 * Layout of hand-off files: the array brackets on lines of their own, one object per line, and
 * {@code ", "} and {@code ": "} between entries as in {@code {"cep": 11, "data": ""}}. An empty
 * array is {@code []}. Stateless, so one instance may serve many generators.
 */
final class OneRowPerLinePrinter implements PrettyPrinter {

  @Override
  public void writeRootValueSeparator(JsonGenerator generator) throws IOException {
    generator.writeRaw('\n');
  }

  @Override
  public void writeStartObject(JsonGenerator generator) throws IOException {
    generator.writeRaw('{');
  }

  @Override
  public void beforeObjectEntries(JsonGenerator generator) {}

  @Override
  public void writeObjectFieldValueSeparator(JsonGenerator generator) throws IOException {
    generator.writeRaw(": ");
  }

  @Override
  public void writeObjectEntrySeparator(JsonGenerator generator) throws IOException {
    generator.writeRaw(", ");
  }

  @Override
  public void writeEndObject(JsonGenerator generator, int entryCount) throws IOException {
    generator.writeRaw('}');
  }

  @Override
  public void writeStartArray(JsonGenerator generator) throws IOException {
    generator.writeRaw('[');
  }

  @Override
  public void beforeArrayValues(JsonGenerator generator) throws IOException {
    generator.writeRaw('\n');
  }

  @Override
  public void writeArrayValueSeparator(JsonGenerator generator) throws IOException {
    generator.writeRaw(",\n");
  }

  @Override
  public void writeEndArray(JsonGenerator generator, int valueCount) throws IOException {
    if (valueCount > 0) {
      generator.writeRaw('\n');
    }
    generator.writeRaw(']');
  }
}
