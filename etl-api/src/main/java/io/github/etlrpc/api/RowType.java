package io.github.etlrpc.api;

/**
 * Row types of the {@code Linha} oneof. The field number is the one the wire contract fixes for
 * that oneof case, so it never changes.
 */
public enum RowType {
  OMS(1, "linha_oms"),
  HOSPITAL(2, "linha_hospital"),
  SECRETARIA(3, "linha_secretaria");

  private final int fieldNumber;
  private final String fieldName;

  RowType(int fieldNumber, String fieldName) {
    this.fieldNumber = fieldNumber;
    this.fieldName = fieldName;
  }

  /** Field number of this case inside {@code Linha}. */
  public int fieldNumber() {
    return fieldNumber;
  }

  /** Proto field name of this case inside {@code Linha}, such as {@code linha_oms}. */
  public String fieldName() {
    return fieldName;
  }

  /** Returns the row type with the given {@code Linha} field number, or null for any other. */
  public static @org.jspecify.annotations.Nullable RowType forFieldNumber(int fieldNumber) {
    for (RowType type : values()) {
      if (type.fieldNumber == fieldNumber) {
        return type;
      }
    }
    return null;
  }
}
