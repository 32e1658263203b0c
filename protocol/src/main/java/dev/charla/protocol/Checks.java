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

  /**
   * Direct-connection candidates: at most {@link Limits#MAX_DIRECT_CANDIDATES}, each an IP literal and a port
   * ({@code 192.0.2.7:40001}, {@code [2001:db8::1]:40001}), never a host name, so no peer resolves names for
   * another. Null means none.
   */
  static java.util.List<String> candidates(java.util.List<String> values) {
    if (values == null) {
      return java.util.List.of();
    }
    if (values.size() > Limits.MAX_DIRECT_CANDIDATES) {
      throw new IllegalArgumentException(
          "too many candidates: " + values.size() + " (limit: " + Limits.MAX_DIRECT_CANDIDATES + ")");
    }
    for (String c : values) {
      if (c == null || !Candidates.isValid(c)) {
        throw new IllegalArgumentException("bad candidate '" + c + "': expected ip:port or [ipv6]:port");
      }
    }
    return java.util.List.copyOf(values);
  }
}
