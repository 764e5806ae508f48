package io.github.etlrpc.bench.crash;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Pipeline program for the crash harness. The server runs it as
 * {@code RecordingPipeline OMS.json SECRETARIA.json HOSPITAL.json LEDGER_DIR}, the argument order
 * of the original pipeline plus the ledger folder.
 *
 * <p>It streams the three JSON hand-off files with Jackson's parser, takes each row's marker
 * ({@code num_obitos}, {@code populacao} or {@code id_hospital}), checks the row's other fields
 * against the values {@link MarkerSource} derives from the marker, and writes one ledger file
 * for the run. Then it sleeps a random 0 to 300 ms before exiting 0, which widens the window in
 * which a kill finds the ledger written but the round not yet recorded as done by the server.
 *
 * <p>Exit codes: 0 after the ledger file is written; 1 when a file cannot be read or is not a
 * JSON array of objects, so the server retries the round; 2 for wrong arguments.
 */
public final class RecordingPipeline {
  private static final int MAX_SLEEP_MS = 300;
  private static final JsonFactory JSON = new JsonFactory();

  private RecordingPipeline() {}

  public static void main(String[] args) throws InterruptedException {
    long startedNanos = System.nanoTime();
    if (args.length != 4) {
      System.err.println("usage: RecordingPipeline OMS.json SECRETARIA.json HOSPITAL.json"
          + " LEDGER_DIR; got " + args.length + " arguments: " + Arrays.toString(args));
      System.exit(2);
    }
    Map<MarkerSource, Path> files = new EnumMap<>(MarkerSource.class);
    files.put(MarkerSource.OMS, Path.of(args[0]));
    files.put(MarkerSource.SECRETARIA, Path.of(args[1]));
    files.put(MarkerSource.HOSPITAL, Path.of(args[2]));
    Path ledgerDirectory = Path.of(args[3]);
    String roundId = roundId(files.get(MarkerSource.OMS));
    int attempt = attempt();

    LedgerEntry entry;
    Path written;
    try {
      entry = record(roundId, attempt, startedNanos, files);
      Files.createDirectories(ledgerDirectory);
      written = Ledger.write(ledgerDirectory, entry);
    } catch (IOException | RuntimeException e) {
      System.err.println("Recording pipeline failed for round " + roundId + " attempt "
          + attempt + ": " + e);
      System.exit(1);
      return;
    }
    System.out.println("Recorded round " + roundId + " attempt " + attempt + ": rows oms="
        + entry.markersOf(MarkerSource.OMS).length + " secretaria="
        + entry.markersOf(MarkerSource.SECRETARIA).length + " hospital="
        + entry.markersOf(MarkerSource.HOSPITAL).length + ", corrupt rows "
        + entry.corruptRows() + ", ledger " + written.getFileName());
    Thread.sleep(ThreadLocalRandom.current().nextInt(MAX_SLEEP_MS + 1));
    System.exit(0);
  }

  /** Returns {@code ETL_ROUND_ID}, or the name of the hand-off file's folder without it. */
  private static String roundId(Path omsFile) {
    String fromEnvironment = System.getenv("ETL_ROUND_ID");
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return fromEnvironment;
    }
    Path parent = omsFile.toAbsolutePath().getParent();
    return parent == null ? "unknown" : parent.getFileName().toString();
  }

  private static int attempt() {
    String value = System.getenv("ETL_ATTEMPT");
    if (value == null) {
      return -1;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Reads every hand-off file and returns the ledger entry of this run. */
  static LedgerEntry record(String roundId, int attempt, long startedNanos,
      Map<MarkerSource, Path> files) throws IOException {
    Map<MarkerSource, int[]> markers = new EnumMap<>(MarkerSource.class);
    long corruptRows = 0;
    String corruptExample = "";
    for (Map.Entry<MarkerSource, Path> file : files.entrySet()) {
      FileContents contents = read(file.getValue(), file.getKey());
      markers.put(file.getKey(), contents.markers());
      corruptRows += contents.corruptRows();
      if (corruptExample.isEmpty()) {
        corruptExample = contents.corruptExample();
      }
    }
    return new LedgerEntry(roundId, attempt, ProcessHandle.current().pid(), startedNanos,
        System.nanoTime(), corruptRows, corruptExample, markers);
  }

  /** Markers and corrupt rows of one hand-off file. */
  record FileContents(int[] markers, long corruptRows, String corruptExample) {}

  /**
   * Streams one hand-off file.
   *
   * @throws IOException if the file is missing or is not a JSON array of objects
   */
  static FileContents read(Path file, MarkerSource source) throws IOException {
    List<String> intFields = source.intFields();
    Map<String, Integer> fieldIndex = new HashMap<>();
    for (int i = 0; i < intFields.size(); i++) {
      fieldIndex.put(intFields.get(i), i);
    }
    int markerIndex = fieldIndex.get(source.markerField());
    int[] values = new int[intFields.size()];
    boolean[] present = new boolean[intFields.size()];
    IntArrayBuilder markers = new IntArrayBuilder();
    long corruptRows = 0;
    String corruptExample = "";

    try (JsonParser parser = JSON.createParser(file.toFile())) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw new IOException(file + " does not start with a JSON array");
      }
      int row = 0;
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.START_OBJECT) {
        Arrays.fill(present, false);
        @Nullable String date = null;
        String problem = "";
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          JsonToken value = parser.nextToken();
          Integer index = fieldIndex.get(key);
          if (MarkerSource.DATE_FIELD.equals(key) && value == JsonToken.VALUE_STRING) {
            date = parser.getText();
          } else if (index != null && value == JsonToken.VALUE_NUMBER_INT) {
            values[index] = parser.getIntValue();
            present[index] = true;
          } else {
            problem = "unexpected key '" + key + "' with " + value;
            parser.skipChildren();
          }
        }
        if (present[markerIndex]) {
          markers.add(values[markerIndex]);
          if (problem.isEmpty()) {
            problem = mismatch(source, markerIndex, values, present, date);
          }
        } else {
          problem = "no " + source.markerField() + " key";
        }
        if (!problem.isEmpty()) {
          corruptRows++;
          if (corruptExample.isEmpty()) {
            corruptExample = file.getFileName() + " row " + row + ": " + problem;
          }
        }
        row++;
      }
      if (token != JsonToken.END_ARRAY || parser.nextToken() != null) {
        throw new IOException(file + " is not a JSON array of objects; found " + token
            + " after row " + row);
      }
    }
    return new FileContents(markers.toArray(), corruptRows, corruptExample);
  }

  /** Returns what differs from the row {@code MarkerSource} derives, or empty when nothing. */
  private static String mismatch(MarkerSource source, int markerIndex, int[] values,
      boolean[] present, @Nullable String date) {
    int marker = values[markerIndex];
    int[] expected = source.expectedInts(marker);
    for (int i = 0; i < expected.length; i++) {
      if (!present[i]) {
        return "no " + source.intFields().get(i) + " key (marker " + marker + ")";
      }
      if (values[i] != expected[i]) {
        return source.intFields().get(i) + " is " + values[i] + ", expected " + expected[i]
            + " for marker " + marker;
      }
    }
    String expectedDate = MarkerSource.expectedDate(marker);
    if (!expectedDate.equals(date)) {
      return "data is " + date + ", expected " + expectedDate + " for marker " + marker;
    }
    return "";
  }

  /** Growable array of ints, so a large file does not box every marker. */
  private static final class IntArrayBuilder {
    private int[] values = new int[1024];
    private int size;

    void add(int value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    int[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
