package dev.charla.server.store;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The metadata of the server's files and uploads in progress (the bytes are in {@link FileBlobs}). Same rules
 * as {@link ChatStore}: any thread, blocking, committed when a method returns.
 */
public interface FileStore {

  /** Files of the shared area (no recipient), oldest first. */
  List<FileRecord> sharedFiles();

  /**
   * Files offered to {@code recipientKey} and not yet removed whose expiry clock (the later of when the offer was
   * made and when its recipient last fetched it) is at or after {@code activeSince}, oldest first. Offers older
   * than that are expired even if the sweep has not removed them yet.
   */
  List<FileRecord> offersFor(String recipientKey, long activeSince);

  Optional<FileRecord> findFile(String id);

  /** Bytes counted against the owner's quota: their stored files plus the announced sizes of their uploads. */
  long usedBytes(String ownerKey);

  /** The owner's unfinished upload of this content for this recipient (null: the shared area), if any. */
  Optional<UploadRecord> findUpload(String ownerKey, String sha256, long size, String recipientKey);

  Optional<UploadRecord> findUpload(String xfer);

  void createUpload(UploadRecord upload);

  void deleteUpload(String xfer);

  /** In one transaction: the upload's row goes, the file's row comes. */
  void completeUpload(String xfer, FileRecord file);

  /** Removes a file's row; false if there was none. */
  boolean deleteFile(String id);

  // ---- expiry ----

  /** Records that the upload was active (a chunk arrived, or it was resumed) at {@code atMillis}. */
  void touchUpload(String xfer, long atMillis);

  /** Uploads whose last recorded activity (or creation, if none) is before {@code cutoffMillis}. */
  List<UploadRecord> uploadsIdleSince(long cutoffMillis);

  /**
   * Deletes the upload's row if its last recorded activity is still before {@code cutoffMillis}; false if it was
   * touched since, or is gone. Conditional, so that a resume that touched it in between wins.
   */
  boolean expireUpload(String xfer, long cutoffMillis);

  /**
   * Records that the recipient fetched (accepted) the offer at {@code atMillis}, restarting its expiry clock, but
   * only if the offer has not already expired, that is its clock is at or after {@code activeSince}. False if the
   * offer is gone or already past its expiry.
   */
  boolean touchOffer(String id, long atMillis, long activeSince);

  /** Offers (files with a recipient) whose expiry clock is before {@code cutoffMillis}, oldest first. */
  List<FileRecord> offersIdleSince(long cutoffMillis);

  /**
   * In one transaction: if the offer's expiry clock is still before {@code cutoffMillis}, deletes its row and
   * remembers it as an {@link ExpiredOffer} stamped {@code nowMillis}. False if it was touched since, or is gone.
   */
  boolean expireOffer(String id, long cutoffMillis, long nowMillis);

  Optional<ExpiredOffer> findExpiredOffer(String id);

  /** Forgets expired offers remembered since before {@code beforeMillis}; returns how many. */
  int forgetExpiredOffers(long beforeMillis);

  /** Ids of every stored file (shared and offered): the startup sweep deletes blobs that are not among them. */
  Set<String> fileIds();

  /** Transfer ids of every upload in progress: the startup sweep deletes partial files not among them. */
  Set<String> uploadXfers();
}
