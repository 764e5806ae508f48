package io.github.etlrpc.core.handoff;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.RoundStore;
import io.github.etlrpc.api.RowType;
import io.github.etlrpc.api.SourceCatalog;
import io.github.etlrpc.core.internal.PayloadReader;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the JSON hand-off file of one source: a JSON array with one object per row, streamed
 * from payload bytes straight into a Jackson generator without building row objects.
 *
 * <p>Each object has the proto field names of the row message as keys, in field number order.
 * Every key is present: absent fields are written as {@code 0} or {@code ""}. Integers are JSON
 * numbers and strings are JSON-escaped UTF-8. The array has one object per line:
 *
 * <pre>
 * [
 * {"diagnostico": 1, "vacinado": 0, "cep": 11001, "escolaridade": 3, "populacao": 5000, ...},
 * {"diagnostico": 0, "vacinado": 0, "cep": 0, "escolaridade": 0, "populacao": 0, "data": ""}
 * ]</pre>
 *
 * <p>The layout around the values (brackets, line breaks, {@code ", "} and {@code ": "}) is
 * written as pre-encoded tokens, one per key, with the separator and the quoted key folded in.
 * Jackson writes the values and escapes the strings. The generator stays in its root context,
 * because no object or array is ever opened through it.
 *
 * <p>Payloads are read as already validated: their strings are not checked for well-formed UTF-8
 * again, because {@code RowCodec.validate} checked them before they were stored. Bytes of an
 * ill-formed sequence would be copied unchanged. The JSON structure would still be intact,
 * because only ASCII bytes are escaped or end a string.
 *
 * <p>A source without rows gives {@code []}. Output goes to {@code <file>.tmp}, which
 * {@link #close()} flushes, syncs to disk and renames to {@code <file>} in one atomic move, so a
 * crash never leaves a partial file under the final name.
 *
 * <p>Not thread-safe.
 */
public final class JsonHandoffWriter implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(JsonHandoffWriter.class);

  private static final JsonFactory FACTORY =
      JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();

  private static final int OUTPUT_BUFFER_BYTES = 64 * 1024;

  private static final SerializableString ARRAY_START = new SerializedString("[");
  private static final SerializableString EMPTY_ARRAY_END = new SerializedString("]");
  /** Closes the last row and the array. */
  private static final SerializableString ARRAY_END = new SerializedString("}\n]");

  /** Source names usable as file names: letters and digits, then also '_', '-' or '.'. */
  private static final Pattern SAFE_SOURCE_NAME =
      Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}_.-]*");

  private enum State { OPEN, CLOSED, ABORTED, FAILED }

  private final Path file;
  private final Path tempFile;
  private final RowType type;
  private final FileChannel channel;
  private final OutputStream output;
  private final JsonGenerator generator;
  private final RowLayout layout;
  private long rowsWritten;
  private State state = State.OPEN;
  private @Nullable Exception failure;

  private JsonHandoffWriter(Path file, Path tempFile, RowType type, FileChannel channel)
      throws IOException {
    this.file = file;
    this.tempFile = tempFile;
    this.type = type;
    this.channel = channel;
    this.output = new BufferedOutputStream(Channels.newOutputStream(channel), OUTPUT_BUFFER_BYTES);
    this.generator = FACTORY.createGenerator(output, JsonEncoding.UTF8);
    // Every value is written at the root level with the layout in raw tokens between them, so
    // Jackson must not add its own separator between root values.
    this.generator.setRootValueSeparator(null);
    this.layout = RowLayout.of(type);
    this.generator.writeRaw(ARRAY_START);
  }

  /**
   * Creates {@code <file>.tmp}, replacing any earlier one, and starts the array.
   *
   * @param type row type that every payload written here must contain
   */
  public static JsonHandoffWriter open(Path file, RowType type) throws IOException {
    Path tempFile = file.resolveSibling(file.getFileName() + ".tmp");
    FileChannel channel = FileChannel.open(tempFile, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    try {
      return new JsonHandoffWriter(file, tempFile, type, channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      Files.deleteIfExists(tempFile);
      throw e;
    }
  }

  /**
   * Writes every row of one payload, in order. The payload must be one that
   * {@code RowCodec.validate} accepted, because its strings are not checked for UTF-8 again.
   *
   * <p>When this method throws, rows before the failing one may already be written, so the writer
   * turns failed: {@link #close()} then deletes the temporary file instead of moving it.
   *
   * @throws EtlException INVALID_ARGUMENT if the payload is malformed or contains a row of
   *     another type than this writer's
   * @throws IllegalStateException if the writer is closed, aborted or failed
   */
  public void writePayload(byte[] buffer, int offset, int length) throws IOException {
    if (state != State.OPEN) {
      throw new IllegalStateException(
          "Hand-off writer for " + file + " is " + state + "; open a new one");
    }
    PayloadReader reader = PayloadReader.ofValidated(
        buffer, offset, length, "the payload for " + file.getFileName());
    try {
      while (reader.next()) {
        if (reader.rowType() != type) {
          throw wrongRowType(reader);
        }
        writeRow(reader);
        rowsWritten++;
      }
    } catch (IOException | RuntimeException e) {
      state = State.FAILED;
      failure = e;
      throw e;
    }
  }

  /** Rows written so far. */
  public long rowsWritten() {
    return rowsWritten;
  }

  /**
   * Ends the array, flushes, forces the data to disk and moves the temporary file to its final
   * name, replacing an earlier file. Does nothing after a successful close or after
   * {@link #abort()}.
   *
   * @throws IOException if writing or moving fails, or if an earlier {@link #writePayload} failed;
   *     in both cases the temporary file is deleted and no file is written under the final name
   */
  @Override
  public void close() throws IOException {
    if (state == State.CLOSED || state == State.ABORTED) {
      return;
    }
    if (state == State.FAILED) {
      abort();
      throw new IOException("Hand-off file " + file + " was not written because an earlier"
          + " payload failed: " + failure, failure);
    }
    try {
      generator.writeRaw(rowsWritten == 0 ? EMPTY_ARRAY_END : ARRAY_END);
      generator.close();
      output.flush();
      channel.force(true);
      output.close();
      Files.move(tempFile, file, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      forceDirectory(file.toAbsolutePath().getParent());
      state = State.CLOSED;
    } catch (IOException | RuntimeException e) {
      abort();
      throw e;
    }
    log.debug("Wrote {} rows to hand-off file {}", rowsWritten, file);
  }

  /**
   * Discards the output: closes the file and deletes {@code <file>.tmp}, leaving any earlier file
   * under the final name as it was. Does nothing after {@link #close()} succeeded.
   */
  public void abort() {
    if (state == State.CLOSED || state == State.ABORTED) {
      return;
    }
    state = State.ABORTED;
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("Closing aborted hand-off file {} failed", tempFile, e);
    }
    try {
      Files.deleteIfExists(tempFile);
    } catch (IOException e) {
      log.warn("Cannot delete aborted hand-off file {}; delete it by hand", tempFile, e);
    }
  }

  /**
   * Writes the hand-off files of one round: creates {@code directory}, writes
   * {@code <source>.json} for each of {@code sources} from the round's stored batches in arrival
   * order, and closes every file. A source without batches gets {@code []}.
   *
   * <p>If anything fails, every file not yet closed is aborted. Files already closed stay, so a
   * retry overwrites them.
   *
   * @return the file of each source, in {@code sources} order
   * @throws IllegalArgumentException if a source is unknown to {@code catalog}, listed twice, or
   *     not usable as a file name
   * @throws EtlException INVALID_ARGUMENT if the round has a batch of a source missing from
   *     {@code sources} or a malformed payload; UNAVAILABLE if the store fails
   */
  public static Map<String, Path> writeRound(RoundStore store, String roundId, Path directory,
      List<String> sources, SourceCatalog catalog) throws IOException {
    Files.createDirectories(directory);
    Map<String, JsonHandoffWriter> writers = new LinkedHashMap<>();
    try {
      for (String source : sources) {
        if (!SAFE_SOURCE_NAME.matcher(source).matches()) {
          throw new IllegalArgumentException("Source name '" + source + "' cannot be used as a"
              + " hand-off file name; use letters, digits, '_', '-' or '.'");
        }
        RowType sourceType = catalog.rowType(source);
        if (writers.containsKey(source)) {
          throw new IllegalArgumentException("Source '" + source + "' is listed twice");
        }
        writers.put(source, open(directory.resolve(source + ".json"), sourceType));
      }
      store.readBatches(roundId, (source, payload, offset, length) -> {
        JsonHandoffWriter writer = writers.get(source);
        if (writer == null) {
          throw new EtlException(ErrorKind.INVALID_ARGUMENT, "Round " + roundId
              + " has a batch of source '" + source + "', which is not among the hand-off"
              + " sources " + sources + "; include it in the sources");
        }
        writer.writePayload(payload, offset, length);
      });
      Map<String, Path> files = new LinkedHashMap<>();
      for (Map.Entry<String, JsonHandoffWriter> entry : writers.entrySet()) {
        entry.getValue().close();
        files.put(entry.getKey(), entry.getValue().file);
      }
      return Collections.unmodifiableMap(files);
    } catch (IOException | RuntimeException e) {
      writers.values().forEach(JsonHandoffWriter::abort);
      throw e;
    } catch (Exception e) {
      writers.values().forEach(JsonHandoffWriter::abort);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("Cannot read the batches of round " + roundId + ": " + e, e);
    }
  }

  /** Writes one row without its closing brace, which the next row or {@link #close()} adds. */
  private void writeRow(PayloadReader reader) throws IOException {
    SerializableString[] keys = layout.keys;
    generator.writeRaw(rowsWritten == 0 ? layout.firstRowStart : layout.nextRowStart);
    for (int i = 0; i < keys.length; i++) {
      if (i > 0) {
        generator.writeRaw(keys[i]);
      }
      int fieldNumber = i + 1;
      if (fieldNumber == layout.stringField) {
        generator.writeUTF8String(reader.buffer(), reader.stringOffset(), reader.stringLength());
      } else {
        generator.writeNumber(reader.intField(fieldNumber));
      }
    }
  }

  private EtlException wrongRowType(PayloadReader reader) {
    RowType actual = reader.rowType();
    String problem = actual == null
        ? "has no row set (empty oneof Linha.linha); set " + type.fieldName()
        : "is a " + actual.fieldName() + "; " + file.getFileName() + " takes only "
            + type.fieldName() + " rows";
    return reader.rowError(problem);
  }

  /** Syncs a directory so that a rename inside it survives a crash; Linux and macOS allow it. */
  private static void forceDirectory(@Nullable Path directory) {
    if (directory == null) {
      return;
    }
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Windows cannot open a directory as a channel, but the rename is still atomic there.
      log.debug("Cannot sync directory {} after renaming a hand-off file", directory, e);
    }
  }

  /**
   * Raw tokens of one row message. {@code keys} holds the token before each value, indexed by
   * field number minus 1: {@code ", "}, the quoted key and {@code ": "}. The first key's token is
   * part of the row start instead: {@code firstRowStart} opens the first row, and
   * {@code nextRowStart} closes the row before and opens the next one.
   */
  private record RowLayout(SerializableString[] keys, SerializableString firstRowStart,
      SerializableString nextRowStart, int stringField) {
    private static final RowLayout OMS = layout(RowType.OMS, "num_obitos", "populacao", "cep",
        "num_recuperados", "num_vacinados", "data");
    private static final RowLayout HOSPITAL = layout(RowType.HOSPITAL, "id_hospital", "data",
        "internado", "idade", "sexo", "cep", "sintoma1", "sintoma2", "sintoma3", "sintoma4");
    private static final RowLayout SECRETARIA = layout(RowType.SECRETARIA, "diagnostico",
        "vacinado", "cep", "escolaridade", "populacao", "data");

    static RowLayout of(RowType type) {
      return switch (type) {
        case OMS -> OMS;
        case HOSPITAL -> HOSPITAL;
        case SECRETARIA -> SECRETARIA;
      };
    }

    private static RowLayout layout(RowType type, String... names) {
      SerializableString[] keys = new SerializableString[names.length];
      for (int i = 0; i < names.length; i++) {
        keys[i] = new SerializedString(", \"" + names[i] + "\": ");
      }
      String firstKey = "{\"" + names[0] + "\": ";
      return new RowLayout(keys, new SerializedString("\n" + firstKey),
          new SerializedString("},\n" + firstKey), PayloadReader.stringFieldNumber(type));
    }
  }
}
