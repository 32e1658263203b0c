package dev.charla.client;

/**
 * How far a file transfer has come: {@code done} of {@code total} bytes (counting bytes already there when it
 * resumed), the rate since this attempt started, and the time left at that rate (-1 while unknown).
 */
public record TransferProgress(String name, long done, long total, double bytesPerSecond, long etaMillis) {
  /** Completion as a fraction from 0 to 1. */
  public double fraction() {
    return total == 0 ? 1 : (double) done / total;
  }
}
