package io.github.etlrpc.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.github.etlrpc.api.Batch;
import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlException;
import java.io.IOException;

/**
 * The header fields of one encoded {@code DadosRequest} and its {@code dados} records, found by
 * scanning the top-level fields without decoding any {@code Linha}.
 *
 * <p>The payload is the sequence of field-3 records exactly as they appear on the wire: tag byte
 * {@code 0x1A}, varint length, encoded {@code Linha}. When the records are contiguous in the
 * message, as every protobuf encoder writes them, the payload is a slice of the message array.
 * Otherwise they are copied together. Unknown fields are skipped, as protobuf parsers do, and a
 * repeated header field keeps its last value.
 */
final class IncomingBatch {
  private static final int ORIGIN_TAG = tag(1);
  private static final int FILE_NAME_TAG = tag(2);
  private static final int ROWS_TAG = tag(3);
  private static final int ROUND_KEY_TAG = tag(4);
  private static final int SEND_ID_TAG = tag(5);

  private final String origin;
  private final String fileName;
  private final String roundKey;
  private final String sendId;
  private final byte[] payload;
  private final int payloadOffset;
  private final int payloadLength;
  private final int rowCount;

  private IncomingBatch(Header header, byte[] payload, int payloadOffset, int payloadLength,
      int rowCount) {
    this.origin = header.origin;
    this.fileName = header.fileName;
    this.roundKey = header.roundKey;
    this.sendId = header.sendId;
    this.payload = payload;
    this.payloadOffset = payloadOffset;
    this.payloadLength = payloadLength;
    this.rowCount = rowCount;
  }

  /**
   * Scans one encoded {@code DadosRequest}. The returned batch may share {@code message}, so the
   * caller must not change the array afterwards.
   *
   * @throws EtlException INVALID_ARGUMENT if the bytes are not a valid protobuf message
   */
  static IncomingBatch parse(byte[] message) {
    try {
      return scan(message);
    } catch (IOException e) {
      // An array-backed CodedInputStream reports every decoding error this way.
      throw new EtlException(ErrorKind.INVALID_ARGUMENT,
          "Malformed DadosRequest of " + message.length + " bytes: " + e.getMessage(), e);
    }
  }

  private static IncomingBatch scan(byte[] message) throws IOException {
    Header header = new Header();
    CodedInputStream in = CodedInputStream.newInstance(message);
    int rows = 0;
    int firstStart = 0;
    int lastEnd = 0;
    boolean contiguous = true;
    while (true) {
      int tagStart = in.getTotalBytesRead();
      int tag = in.readTag();
      if (tag == 0) {
        break;
      }
      if (tag == ROWS_TAG) {
        boolean oneByteTag = in.getTotalBytesRead() == tagStart + 1;
        skipLengthDelimited(in);
        if (rows == 0) {
          firstStart = tagStart;
        } else if (tagStart != lastEnd) {
          contiguous = false;
        }
        contiguous &= oneByteTag;
        lastEnd = in.getTotalBytesRead();
        rows++;
      } else if (!header.read(tag, in)) {
        throw new InvalidProtocolBufferException("end-group tag without a start at byte "
            + tagStart);
      }
    }
    if (contiguous) {
      return new IncomingBatch(header, message, firstStart, lastEnd - firstStart, rows);
    }
    byte[] records = copyRecords(message);
    return new IncomingBatch(header, records, 0, records.length, rows);
  }

  /**
   * Copies every field-3 record of a message that is already known to be well formed, writing
   * each tag in its one-byte form.
   */
  private static byte[] copyRecords(byte[] message) throws IOException {
    ByteArrayBuffer records = new ByteArrayBuffer(message.length);
    CodedInputStream in = CodedInputStream.newInstance(message);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag != ROWS_TAG) {
        in.skipField(tag);
        continue;
      }
      int lengthStart = in.getTotalBytesRead();
      skipLengthDelimited(in);
      records.write(ROWS_TAG);
      records.write(message, lengthStart, in.getTotalBytesRead() - lengthStart);
    }
    return records.toExactArray();
  }

  private static void skipLengthDelimited(CodedInputStream in) throws IOException {
    int length = in.readRawVarint32();
    if (length < 0) {
      throw new InvalidProtocolBufferException("negative length " + length + " of a dados record");
    }
    in.skipRawBytes(length);
  }

  /** Returns the tag of a length-delimited field: field number, then the 3-bit wire type. */
  private static int tag(int fieldNumber) {
    return (fieldNumber << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;
  }

  /** Returns the batch for the engine; its payload shares this object's array. */
  Batch toBatch() {
    return Batch.newBuilder(origin)
        .fileName(fileName)
        .roundKey(roundKey)
        .sendId(sendId)
        .payload(payload, payloadOffset, payloadLength)
        .build();
  }

  String origin() {
    return origin;
  }

  String fileName() {
    return fileName;
  }

  String roundKey() {
    return roundKey;
  }

  String sendId() {
    return sendId;
  }

  byte[] payloadArray() {
    return payload;
  }

  int payloadOffset() {
    return payloadOffset;
  }

  int payloadLength() {
    return payloadLength;
  }

  /** Number of {@code dados} records, which is the number of rows. */
  int rowCount() {
    return rowCount;
  }

  /** Header fields read so far. */
  private static final class Header {
    String origin = "";
    String fileName = "";
    String roundKey = "";
    String sendId = "";

    /** Reads or skips one field; returns false for an end-group tag. */
    boolean read(int tag, CodedInputStream in) throws IOException {
      if (tag == ORIGIN_TAG) {
        origin = in.readStringRequireUtf8();
      } else if (tag == FILE_NAME_TAG) {
        fileName = in.readStringRequireUtf8();
      } else if (tag == ROUND_KEY_TAG) {
        roundKey = in.readStringRequireUtf8();
      } else if (tag == SEND_ID_TAG) {
        sendId = in.readStringRequireUtf8();
      } else {
        return in.skipField(tag);
      }
      return true;
    }
  }
}
