package dev.charla.server.store;

import java.util.List;
import java.util.Optional;

/**
 * The metadata of the server's files and uploads in progress (the bytes are in {@link FileBlobs}). Same rules
 * as {@link ChatStore}: any thread, blocking, committed when a method returns.
 */
public interface FileStore {

  /** Files of the shared area (no recipient), oldest first. */
  List<FileRecord> sharedFiles();

  /** Files offered to {@code recipientKey} and not yet removed, oldest first. */
  List<FileRecord> offersFor(String recipientKey);

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
}
