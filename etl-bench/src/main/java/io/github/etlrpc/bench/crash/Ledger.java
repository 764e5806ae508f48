package io.github.etlrpc.bench.crash;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Ledger folder of the recording pipeline: one text file per successful run, named
 * {@code <round id>-<nanoTime>.txt}. Each file is written under a hidden temporary name, forced
 * to disk and renamed atomically, so a kill at any moment leaves either a complete file or none
 * under a {@code .txt} name.
 *
 * <p>File format, one item per line: {@code round ID}, {@code attempt N}, {@code pid N},
 * {@code started_nanos N}, {@code written_nanos N}, {@code corrupt_rows N},
 * {@code corrupt_example TEXT}, one {@code markers SOURCE COUNT M1 M2 ...} line per source, and
 * {@code end}.
 */
final class Ledger {
  private static final String SUFFIX = ".txt";

  private Ledger() {}

  /** Writes {@code entry} to a new file in {@code directory} and returns its path. */
  static Path write(Path directory, LedgerEntry entry) throws IOException {
    String name = entry.roundId() + "-" + entry.writtenNanos();
    Path temporary = directory.resolve("." + name + ".tmp");
    Path target = directory.resolve(name + SUFFIX);
    try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      Writer writer = new BufferedWriter(
          new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8),
          1 << 16);
      writeEntry(writer, entry);
      writer.flush();
      channel.force(true);
    }
    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    forceDirectory(directory);
    return target;
  }

  private static void writeEntry(Writer writer, LedgerEntry entry) throws IOException {
    writer.write("round " + entry.roundId() + "\n");
    writer.write("attempt " + entry.attempt() + "\n");
    writer.write("pid " + entry.pid() + "\n");
    writer.write("started_nanos " + entry.startedNanos() + "\n");
    writer.write("written_nanos " + entry.writtenNanos() + "\n");
    writer.write("corrupt_rows " + entry.corruptRows() + "\n");
    writer.write("corrupt_example " + entry.corruptExample().replace('\n', ' ') + "\n");
    for (MarkerSource source : MarkerSource.values()) {
      int[] markers = entry.markersOf(source);
      writer.write("markers " + source.source() + " " + markers.length);
      for (int marker : markers) {
        writer.write(' ');
        writer.write(Integer.toString(marker));
      }
      writer.write('\n');
    }
    writer.write("end\n");
  }

  /** Forces the rename to disk; on Linux a directory opened for reading can be forced. */
  private static void forceDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /**
   * Reads every ledger file in {@code directory}, ordered by write time.
   *
   * @throws IOException if a file cannot be read or is not a complete ledger entry
   */
  static List<LedgerEntry> readAll(Path directory) throws IOException {
    List<LedgerEntry> entries = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
      for (Path file : files) {
        if (!file.getFileName().toString().startsWith(".")) {
          entries.add(read(file));
        }
      }
    }
    entries.sort(Comparator.comparingLong(LedgerEntry::writtenNanos));
    return entries;
  }

  static LedgerEntry read(Path file) throws IOException {
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String roundId = value(reader, file, "round");
      int attempt = Integer.parseInt(value(reader, file, "attempt"));
      long pid = Long.parseLong(value(reader, file, "pid"));
      long started = Long.parseLong(value(reader, file, "started_nanos"));
      long written = Long.parseLong(value(reader, file, "written_nanos"));
      long corruptRows = Long.parseLong(value(reader, file, "corrupt_rows"));
      String corruptExample = value(reader, file, "corrupt_example");
      Map<MarkerSource, int[]> markers = new EnumMap<>(MarkerSource.class);
      for (int i = 0; i < MarkerSource.values().length; i++) {
        String[] parts = value(reader, file, "markers").split(" ");
        MarkerSource source = MarkerSource.forSource(parts[0]);
        int count = Integer.parseInt(parts[1]);
        if (parts.length != count + 2) {
          throw new IOException("Ledger file " + file + " lists " + (parts.length - 2)
              + " markers of " + source.source() + " but says " + count);
        }
        int[] values = new int[count];
        for (int j = 0; j < count; j++) {
          values[j] = Integer.parseInt(parts[j + 2]);
        }
        markers.put(source, values);
      }
      String end = reader.readLine();
      if (!"end".equals(end)) {
        throw new IOException("Ledger file " + file + " does not end with 'end'; found " + end);
      }
      return new LedgerEntry(roundId, attempt, pid, started, written, corruptRows,
          corruptExample, markers);
    } catch (NumberFormatException e) {
      throw new IOException("Ledger file " + file + " has an invalid number: " + e.getMessage(),
          e);
    }
  }

  private static String value(BufferedReader reader, Path file, String key) throws IOException {
    String line = reader.readLine();
    if (line == null || !line.startsWith(key + " ") && !line.equals(key)) {
      throw new IOException(
          "Ledger file " + file + " has '" + line + "' where '" + key + " ...' belongs");
    }
    return line.length() > key.length() ? line.substring(key.length() + 1) : "";
  }
}
