package io.github.etlrpc.grpc;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Marshaller that passes a message through as its encoded bytes. The service adapter decodes
 * requests itself, in its handlers rather than here, because grpc-java (checked with 1.85) closes
 * a call whose server-side marshaller throws with UNKNOWN, not with the status the exception
 * carries.
 */
final class RawBytesMarshaller implements Marshaller<byte[]> {
  static final RawBytesMarshaller INSTANCE = new RawBytesMarshaller();

  private RawBytesMarshaller() {}

  @Override
  public InputStream stream(byte[] value) {
    return new ByteArrayInputStream(value);
  }

  @Override
  public byte[] parse(InputStream stream) {
    try {
      return readFully(stream);
    } catch (IOException e) {
      throw Status.INTERNAL.withDescription("Failed to read the request message: " + e)
          .withCause(e).asRuntimeException();
    }
  }

  /**
   * Reads the whole stream. When the stream implements {@link KnownLength}, as the transports'
   * streams do, the bytes go straight into an array of that size with no further copy.
   */
  static byte[] readFully(InputStream stream) throws IOException {
    if (!(stream instanceof KnownLength)) {
      return stream.readAllBytes();
    }
    int expected = stream.available();
    if (stream instanceof Drainable drainable) {
      ByteArrayBuffer buffer = new ByteArrayBuffer(expected);
      drainable.drainTo(buffer);
      return buffer.toExactArray();
    }
    byte[] bytes = new byte[expected];
    int read = stream.readNBytes(bytes, 0, expected);
    int next = stream.read();
    if (read == expected && next == -1) {
      return bytes;
    }
    // The stream held more or fewer bytes than it announced; keep what it really holds.
    ByteArrayBuffer buffer = new ByteArrayBuffer(read + 1);
    buffer.write(bytes, 0, read);
    if (next != -1) {
      buffer.write(next);
      stream.transferTo(buffer);
    }
    return buffer.toExactArray();
  }
}
