package dev.charla.client;

/**
 * Receives a transfer's progress, on the client's event executor, at most about ten times a second and once at
 * the end.
 */
@FunctionalInterface
public interface TransferListener {
  TransferListener NONE = p -> {};

  void onProgress(TransferProgress progress);
}
