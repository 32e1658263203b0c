package dev.charla.protocol;

/**
 * The recommended form of a client message id ({@code cmid}, docs/PROTOCOL.md, "Exactly once"): the time in
 * milliseconds as 9 base-36 digits, a dash, then something unique to the client. Such ids sort in the order they
 * were made, so the server's cmid index, which leads with the cmid, grows at its end instead of at a random page.
 * The server accepts any cmid of up to 64 characters; this is what keeps it cheap.
 */
public final class Cmids {
  /** Digits of the time prefix: base 36 needs 8 for today's milliseconds and 9 until the year 5188. */
  static final int TIME_DIGITS = 9;

  private Cmids() {}

  /** {@code unique} after the time prefix of {@code epochMillis}. */
  public static String of(long epochMillis, String unique) {
    String millis = Long.toString(epochMillis, 36);
    return "0".repeat(Math.max(0, TIME_DIGITS - millis.length())) + millis + "-" + unique;
  }
}
