package io.github.etlrpc.bench;

import com.google.protobuf.CodedOutputStream;
import io.github.etlrpc.api.RowType;
import io.github.etlrpc.examples.FileSizes;
import io.github.etlrpc.examples.SimulatedSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The files every simulated client sends, generated and encoded once before any load runs so
 * that no client spends CPU on rows while the server is measured. Client {@code c} sends, per
 * round, one OMS, one hospital and one secretaria file with rows from a {@link SimulatedSource}
 * seeded from {@code seed} and {@code c}, sized by {@link FileSizes}. Each file is kept as the
 * encoding of {@code DadosRequest} fields 1 to 3; {@link #message} appends the per-send fields.
 * Immutable.
 */
final class LoadWorkload {
  /**
   * One encoded file.
   *
   * @param type row type of the file
   * @param body encoding of {@code origem}, {@code nome_arquivo} and {@code dados}
   * @param rows rows in {@code dados}
   */
  record File(RowType type, byte[] body, int rows) {}

  /** Per client (index 0 for client 1), the files of every round in send order. */
  private final List<List<File>> filesByClient;
  private final int rounds;

  private LoadWorkload(List<List<File>> filesByClient, int rounds) {
    this.filesByClient = filesByClient;
    this.rounds = rounds;
  }

  /**
   * Generates {@code rounds} distinct rounds of files for each of {@code clients} clients.
   * {@link #round} repeats them for later rounds.
   */
  static LoadWorkload generate(int clients, int rounds, FileSizes sizes, long seed) {
    List<List<File>> byClient = new ArrayList<>(clients);
    for (int client = 1; client <= clients; client++) {
      SimulatedSource source = new SimulatedSource(seed * 1_000_003L + client);
      List<File> files = new ArrayList<>(rounds * BenchRequests.ROUND_ORDER.size());
      for (int round = 1; round <= rounds; round++) {
        for (RowType type : BenchRequests.ROUND_ORDER) {
          int rows = sizes.rowsFor(type, source.random());
          String name = type.name().toLowerCase(Locale.ROOT) + "_c" + client + "_r" + round
              + ".csv";
          byte[] body = source.request(type, name, rows).build().toByteArray();
          files.add(new File(type, body, rows));
        }
      }
      byClient.add(List.copyOf(files));
    }
    return new LoadWorkload(List.copyOf(byClient), rounds);
  }

  /** Number of clients with files. */
  int clients() {
    return filesByClient.size();
  }

  /**
   * Returns the files of {@code client} (from 1) for {@code round} (from 1) in send order.
   * Rounds past the generated ones reuse them from the first, so warmups of any length work.
   */
  List<File> round(int client, int round) {
    List<File> files = filesByClient.get(client - 1);
    int perRound = BenchRequests.ROUND_ORDER.size();
    int from = ((round - 1) % rounds) * perRound;
    return files.subList(from, from + perRound);
  }

  /**
   * Returns the complete {@code DadosRequest} encoding of {@code file} with {@code rodada} and
   * {@code id_envio} set. Protobuf allows appending fields to an encoded message, so the body is
   * copied once and the two fields follow it.
   */
  static byte[] message(File file, String roundKey, String sendId) {
    int tail = CodedOutputStream.computeStringSize(4, roundKey)
        + CodedOutputStream.computeStringSize(5, sendId);
    byte[] message = new byte[file.body().length + tail];
    System.arraycopy(file.body(), 0, message, 0, file.body().length);
    CodedOutputStream out = CodedOutputStream.newInstance(message, file.body().length, tail);
    try {
      out.writeString(4, roundKey);
      out.writeString(5, sendId);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode rodada and id_envio", e);
    }
    out.checkNoSpaceLeft();
    return message;
  }
}
