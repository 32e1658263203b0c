package dev.charla.server.store.sqlite;

import dev.charla.server.store.FileRecord;
import dev.charla.server.store.FileStore;
import dev.charla.server.store.UploadRecord;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link FileStore} on the same SQLite file, writer and reader pool as {@link SqliteChatStore} (migration 2). */
public final class SqliteFileStore implements FileStore {
  private static final String FILE_COLUMNS =
      "id, owner_key, owner_name, name, size, sha256, created_at, recipient_key, recipient_name";
  private static final String UPLOAD_COLUMNS =
      "xfer, owner_key, owner_name, name, size, sha256, created_at, recipient_key, recipient_name";

  private final SqliteChatStore db;

  public SqliteFileStore(SqliteChatStore db) {
    this.db = db;
  }

  @Override
  public List<FileRecord> sharedFiles() {
    return db.read("sharedFiles", r -> files(r.prepare(
        "SELECT " + FILE_COLUMNS + " FROM files WHERE recipient_key IS NULL ORDER BY created_at, id")));
  }

  @Override
  public List<FileRecord> offersFor(String recipientKey) {
    return db.read("offersFor", r -> {
      PreparedStatement s = r.prepare(
          "SELECT " + FILE_COLUMNS + " FROM files WHERE recipient_key = ? ORDER BY created_at, id");
      s.setString(1, recipientKey);
      return files(s);
    });
  }

  @Override
  public Optional<FileRecord> findFile(String id) {
    return db.read("findFile", r -> {
      PreparedStatement s = r.prepare("SELECT " + FILE_COLUMNS + " FROM files WHERE id = ?");
      s.setString(1, id);
      return files(s).stream().findFirst();
    });
  }

  @Override
  public long usedBytes(String ownerKey) {
    return db.read("usedBytes", r -> {
      PreparedStatement s = r.prepare(
          "SELECT (SELECT COALESCE(SUM(size), 0) FROM files WHERE owner_key = ?)"
              + " + (SELECT COALESCE(SUM(size), 0) FROM uploads WHERE owner_key = ?)");
      s.setString(1, ownerKey);
      s.setString(2, ownerKey);
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    });
  }

  @Override
  public Optional<UploadRecord> findUpload(String ownerKey, String sha256, long size, String recipientKey) {
    return db.read("findUpload", r -> {
      PreparedStatement s = r.prepare(
          "SELECT " + UPLOAD_COLUMNS + " FROM uploads WHERE owner_key = ? AND sha256 = ? AND size = ?"
              + " AND recipient_key IS ? ORDER BY created_at LIMIT 1");
      s.setString(1, ownerKey);
      s.setString(2, sha256);
      s.setLong(3, size);
      s.setString(4, recipientKey);
      return uploads(s).stream().findFirst();
    });
  }

  @Override
  public Optional<UploadRecord> findUpload(String xfer) {
    return db.read("findUpload", r -> {
      PreparedStatement s = r.prepare("SELECT " + UPLOAD_COLUMNS + " FROM uploads WHERE xfer = ?");
      s.setString(1, xfer);
      return uploads(s).stream().findFirst();
    });
  }

  @Override
  public void createUpload(UploadRecord u) {
    db.write("createUpload", w -> {
      PreparedStatement s = w.prepare("INSERT INTO uploads (" + UPLOAD_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      s.setString(1, u.xfer());
      s.setString(2, u.ownerKey());
      s.setString(3, u.ownerName());
      s.setString(4, u.name());
      s.setLong(5, u.size());
      s.setString(6, u.sha256());
      s.setLong(7, u.createdAtMillis());
      s.setString(8, u.recipientKey());
      s.setString(9, u.recipientName());
      s.executeUpdate();
      return null;
    });
  }

  @Override
  public void deleteUpload(String xfer) {
    db.write("deleteUpload", w -> {
      PreparedStatement s = w.prepare("DELETE FROM uploads WHERE xfer = ?");
      s.setString(1, xfer);
      s.executeUpdate();
      return null;
    });
  }

  @Override
  public void completeUpload(String xfer, FileRecord f) {
    db.write("completeUpload", w -> {
      PreparedStatement d = w.prepare("DELETE FROM uploads WHERE xfer = ?");
      d.setString(1, xfer);
      d.executeUpdate();
      PreparedStatement s = w.prepare("INSERT INTO files (" + FILE_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      s.setString(1, f.id());
      s.setString(2, f.ownerKey());
      s.setString(3, f.ownerName());
      s.setString(4, f.name());
      s.setLong(5, f.size());
      s.setString(6, f.sha256());
      s.setLong(7, f.createdAtMillis());
      s.setString(8, f.recipientKey());
      s.setString(9, f.recipientName());
      s.executeUpdate();
      return null;
    });
  }

  @Override
  public boolean deleteFile(String id) {
    return db.write("deleteFile", w -> {
      PreparedStatement s = w.prepare("DELETE FROM files WHERE id = ?");
      s.setString(1, id);
      return s.executeUpdate() > 0;
    });
  }

  private static List<FileRecord> files(PreparedStatement s) throws SQLException {
    List<FileRecord> out = new ArrayList<>();
    try (ResultSet rows = s.executeQuery()) {
      while (rows.next()) {
        out.add(new FileRecord(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
            rows.getLong(5), rows.getString(6), rows.getLong(7), rows.getString(8), rows.getString(9)));
      }
    }
    return out;
  }

  private static List<UploadRecord> uploads(PreparedStatement s) throws SQLException {
    List<UploadRecord> out = new ArrayList<>();
    try (ResultSet rows = s.executeQuery()) {
      while (rows.next()) {
        out.add(new UploadRecord(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
            rows.getLong(5), rows.getString(6), rows.getLong(7), rows.getString(8), rows.getString(9)));
      }
    }
    return out;
  }
}
