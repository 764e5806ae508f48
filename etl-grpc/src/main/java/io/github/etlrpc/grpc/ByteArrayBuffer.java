package io.github.etlrpc.grpc;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * Growable byte array that exposes its backing array, so a buffer filled to exactly its initial
 * capacity is handed on without the copy that {@link java.io.ByteArrayOutputStream} makes. Not
 * thread-safe.
 */
final class ByteArrayBuffer extends OutputStream {
  /** Largest array size that every JVM allocates. */
  static final int MAX_ARRAY_SIZE = Integer.MAX_VALUE - 8;

  private byte[] array;
  private int size;

  ByteArrayBuffer(int initialCapacity) {
    array = new byte[initialCapacity];
  }

  @Override
  public void write(int b) {
    ensureCapacity(size + 1);
    array[size++] = (byte) b;
  }

  @Override
  public void write(byte[] bytes, int offset, int length) {
    java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
    ensureCapacity((long) size + length);
    System.arraycopy(bytes, offset, array, size, length);
    size += length;
  }

  /** Bytes written so far. */
  int size() {
    return size;
  }

  /** Backing array; the first {@link #size()} bytes are the content. */
  byte[] array() {
    return array;
  }

  /** Returns the content as an array of exactly {@link #size()} bytes, copying only if needed. */
  byte[] toExactArray() {
    return size == array.length ? array : Arrays.copyOf(array, size);
  }

  private void ensureCapacity(long required) {
    if (required <= array.length) {
      return;
    }
    if (required > MAX_ARRAY_SIZE) {
      throw new IllegalStateException(
          "Buffer would grow to " + required + " bytes, over the array limit of " + MAX_ARRAY_SIZE);
    }
    long doubled = Math.max(16L, 2L * array.length);
    array = Arrays.copyOf(array, (int) Math.min(MAX_ARRAY_SIZE, Math.max(doubled, required)));
  }
}
