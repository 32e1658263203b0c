package dev.charla.protocol;

/** Field checks used by frame constructors; failures become {@link ErrorCode#BAD_FRAME}. */
final class Checks {
  private Checks() {}

  static void required(Object value, String field) {
    if (value == null) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
  }

  static void maxLength(String value, int max, String field) {
    if (value != null && value.length() > max) {
      throw new IllegalArgumentException(
          "field '" + field + "' too long: " + value.length() + " chars (limit: " + max + ")");
    }
  }

  static void sha256(String value) {
    if (value != null && !value.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("field 'sha256' must be 64 lower-case hex digits");
    }
  }
}
