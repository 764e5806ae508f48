package io.github.etlrpc.api;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One send of one source: the unit the engine accepts or rejects as a whole.
 *
 * <p>The payload is the protobuf encoding of the {@code repeated Linha dados = 3} field of
 * {@code DadosRequest}: a sequence of records, each the tag byte {@code 0x1A}, a varint length and
 * one encoded {@code Linha}. The gRPC adapter passes the bytes it received without decoding rows;
 * Java callers build a payload with {@code io.github.etlrpc.core.RowCodec}. The engine validates
 * the payload before it stores anything.
 *
 * <p>Immutable as long as the caller does not change the payload array after construction.
 */
public final class Batch {
  private final String origin;
  private final String fileName;
  private final String roundKey;
  private final String sendId;
  private final byte[] payload;
  private final int payloadOffset;
  private final int payloadLength;

  private Batch(Builder builder) {
    this.origin = Objects.requireNonNull(builder.origin, "origin");
    this.fileName = builder.fileName;
    this.roundKey = builder.roundKey;
    this.sendId = builder.sendId;
    this.payload = builder.payload;
    this.payloadOffset = builder.payloadOffset;
    this.payloadLength = builder.payloadLength;
  }

  public static Builder newBuilder(String origin) {
    return new Builder(origin);
  }

  /** Origin as the client sent it; the engine trims and lower-cases it. */
  public String origin() {
    return origin;
  }

  /** Name of the source file; metadata only, never used to build a path. */
  public String fileName() {
    return fileName;
  }

  /** Correlation key; empty joins the shared default round. */
  public String roundKey() {
    return roundKey;
  }

  /** Client-chosen id of this send, or empty when the client gave none. */
  public String sendId() {
    return sendId;
  }

  /** Read-only view of the payload bytes. */
  public ByteBuffer payload() {
    return ByteBuffer.wrap(payload, payloadOffset, payloadLength).slice().asReadOnlyBuffer();
  }

  /** Backing array of the payload; read {@link #payloadLength()} bytes from the offset. */
  public byte[] payloadArray() {
    return payload;
  }

  public int payloadOffset() {
    return payloadOffset;
  }

  public int payloadLength() {
    return payloadLength;
  }

  @Override
  public String toString() {
    return "Batch{origin=" + origin + ", fileName=" + fileName + ", roundKey=" + roundKey
        + ", sendId=" + sendId + ", payloadBytes=" + payloadLength + "}";
  }

  /** Builder of {@link Batch}. Not thread-safe. */
  public static final class Builder {
    private final String origin;
    private String fileName = "";
    private String roundKey = "";
    private String sendId = "";
    private byte[] payload = new byte[0];
    private int payloadOffset;
    private int payloadLength;

    private Builder(String origin) {
      this.origin = Objects.requireNonNull(origin, "origin");
    }

    public Builder fileName(String fileName) {
      this.fileName = Objects.requireNonNull(fileName, "fileName");
      return this;
    }

    public Builder roundKey(String roundKey) {
      this.roundKey = Objects.requireNonNull(roundKey, "roundKey");
      return this;
    }

    public Builder sendId(String sendId) {
      this.sendId = Objects.requireNonNull(sendId, "sendId");
      return this;
    }

    /** Uses the whole array as payload without copying it. */
    public Builder payload(byte[] payload) {
      return payload(payload, 0, payload.length);
    }

    /** Uses {@code length} bytes of {@code array} from {@code offset} without copying them. */
    public Builder payload(byte[] array, int offset, int length) {
      Objects.checkFromIndexSize(offset, length, array.length);
      this.payload = array;
      this.payloadOffset = offset;
      this.payloadLength = length;
      return this;
    }

    public Batch build() {
      return new Batch(this);
    }
  }
}
