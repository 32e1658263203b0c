package dev.charla.server.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * The bytes of files and partial uploads, named only by server-generated ids (never by anything a client sent).
 * Blocking; call from a file I/O thread.
 */
public interface FileBlobs {

  /** Opens the partial file of an upload for writing at its end, creating it if absent. */
  FileChannel openPartial(String xfer) throws IOException;

  /** Opens the partial file for reading (to re-hash it when an upload resumes); empty file if absent. */
  FileChannel readPartial(String xfer) throws IOException;

  /** Bytes in the partial file (0 if absent). */
  long partialSize(String xfer) throws IOException;

  /** Makes a finished partial file the stored file {@code fileId} (an atomic rename). */
  void promote(String xfer, String fileId) throws IOException;

  void deletePartial(String xfer) throws IOException;

  FileChannel readFile(String fileId) throws IOException;

  void deleteFile(String fileId) throws IOException;

  /** Ids of the stored files on disk (only names of the server's id form). */
  List<String> fileIds() throws IOException;

  /** Transfer ids of the partial files on disk (only names of the server's id form). */
  List<String> partialIds() throws IOException;
}
