package dev.charla.server.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@link FileBlobs} in a directory: {@code <dir>/<id>} for files, {@code <dir>/partial/<xfer>} for uploads in
 * progress. Ids are checked to be the server's own form (URL-safe base64) before they touch a path, so no id can
 * name anything outside the directory.
 */
public final class DirectoryFileBlobs implements FileBlobs {
  private final Path dir;
  private final Path partial;

  public DirectoryFileBlobs(Path dir) throws IOException {
    this.dir = dir.toAbsolutePath();
    this.partial = this.dir.resolve("partial");
    Files.createDirectories(partial);
  }

  public Path directory() {
    return dir;
  }

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{8,64}");

  private static String checked(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("not a server file id: " + id);
    }
    return id;
  }

  @Override
  public FileChannel openPartial(String xfer) throws IOException {
    return FileChannel.open(partial.resolve(checked(xfer)), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
  }

  @Override
  public FileChannel readPartial(String xfer) throws IOException {
    Path p = partial.resolve(checked(xfer));
    if (!Files.exists(p)) {
      Files.createFile(p);
    }
    return FileChannel.open(p, StandardOpenOption.READ);
  }

  @Override
  public long partialSize(String xfer) throws IOException {
    Path p = partial.resolve(checked(xfer));
    return Files.exists(p) ? Files.size(p) : 0;
  }

  @Override
  public void promote(String xfer, String fileId) throws IOException {
    Files.move(partial.resolve(checked(xfer)), dir.resolve(checked(fileId)), StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void deletePartial(String xfer) throws IOException {
    Files.deleteIfExists(partial.resolve(checked(xfer)));
  }

  @Override
  public FileChannel readFile(String fileId) throws IOException {
    return FileChannel.open(dir.resolve(checked(fileId)), StandardOpenOption.READ);
  }

  @Override
  public void deleteFile(String fileId) throws IOException {
    Files.deleteIfExists(dir.resolve(checked(fileId)));
  }

  @Override
  public List<String> fileIds() throws IOException {
    return ids(dir);
  }

  @Override
  public List<String> partialIds() throws IOException {
    return ids(partial);
  }

  /** Regular files named like a server id; anything else in the directory is not ours to judge and is left. */
  private static List<String> ids(Path in) throws IOException {
    try (Stream<Path> entries = Files.list(in)) {
      return entries.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
          .filter(n -> ID.matcher(n).matches()).toList();
    }
  }
}
