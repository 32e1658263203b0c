package dev.charla.server.store.sqlite;

import dev.charla.server.store.ExpiredOffer;
import dev.charla.server.store.FileRecord;
import dev.charla.server.store.FileStore;
import dev.charla.server.store.UploadRecord;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@link FileStore} on the same SQLite file, writer and reader pool as {@link SqliteChatStore} (migrations 2 and
 * 3). An offer's expiry clock is {@code COALESCE(fetched_at, created_at)}, an upload's
 * {@code COALESCE(active_at, created_at)}: the columns are null until first touched.
 */
public final class SqliteFileStore implements FileStore {
  private static final String FILE_COLUMNS =
      "id, owner_key, owner_name, name, size, sha256, created_at, recipient_key, recipient_name";
  private static final String UPLOAD_COLUMNS =
      "xfer, owner_key, owner_name, name, size, sha256, created_at, recipient_key, recipient_name";

  private static final String OFFER_CLOCK = "COALESCE(fetched_at, created_at)";
  private static final String UPLOAD_CLOCK = "COALESCE(active_at, created_at)";

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
  public List<FileRecord> offersFor(String recipientKey, long activeSince) {
    return db.read("offersFor", r -> {
      PreparedStatement s = r.prepare(
          "SELECT " + FILE_COLUMNS + " FROM files WHERE recipient_key = ? AND " + OFFER_CLOCK + " >= ?"
              + " ORDER BY created_at, id");
      s.setString(1, recipientKey);
      s.setLong(2, activeSince);
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

  @Override
  public void touchUpload(String xfer, long atMillis) {
    db.write("touchUpload", w -> {
      PreparedStatement s = w.prepare("UPDATE uploads SET active_at = ? WHERE xfer = ?");
      s.setLong(1, atMillis);
      s.setString(2, xfer);
      s.executeUpdate();
      return null;
    });
  }

  @Override
  public List<UploadRecord> uploadsIdleSince(long cutoffMillis) {
    return db.read("uploadsIdleSince", r -> {
      PreparedStatement s = r.prepare(
          "SELECT " + UPLOAD_COLUMNS + " FROM uploads WHERE " + UPLOAD_CLOCK + " < ? ORDER BY created_at");
      s.setLong(1, cutoffMillis);
      return uploads(s);
    });
  }

  @Override
  public boolean expireUpload(String xfer, long cutoffMillis) {
    return db.write("expireUpload", w -> {
      PreparedStatement s = w.prepare("DELETE FROM uploads WHERE xfer = ? AND " + UPLOAD_CLOCK + " < ?");
      s.setString(1, xfer);
      s.setLong(2, cutoffMillis);
      return s.executeUpdate() > 0;
    });
  }

  @Override
  public boolean touchOffer(String id, long atMillis, long activeSince) {
    return db.write("touchOffer", w -> {
      PreparedStatement s = w.prepare(
          "UPDATE files SET fetched_at = ? WHERE id = ? AND recipient_key IS NOT NULL AND " + OFFER_CLOCK + " >= ?");
      s.setLong(1, atMillis);
      s.setString(2, id);
      s.setLong(3, activeSince);
      return s.executeUpdate() > 0;
    });
  }

  @Override
  public List<FileRecord> offersIdleSince(long cutoffMillis) {
    return db.read("offersIdleSince", r -> {
      PreparedStatement s = r.prepare(
          "SELECT " + FILE_COLUMNS + " FROM files WHERE recipient_key IS NOT NULL AND " + OFFER_CLOCK + " < ?"
              + " ORDER BY created_at, id");
      s.setLong(1, cutoffMillis);
      return files(s);
    });
  }

  @Override
  public boolean expireOffer(String id, long cutoffMillis, long nowMillis) {
    return db.write("expireOffer", w -> {
      PreparedStatement s = w.prepare(
          "INSERT OR REPLACE INTO expired_offers (id, owner_key, owner_name, name, recipient_key, recipient_name,"
              + " expired_at) SELECT id, owner_key, owner_name, name, recipient_key, COALESCE(recipient_name, ''), ?"
              + " FROM files WHERE id = ? AND recipient_key IS NOT NULL AND " + OFFER_CLOCK + " < ?");
      s.setLong(1, nowMillis);
      s.setString(2, id);
      s.setLong(3, cutoffMillis);
      if (s.executeUpdate() == 0) {
        return false;
      }
      PreparedStatement d = w.prepare("DELETE FROM files WHERE id = ?");
      d.setString(1, id);
      d.executeUpdate();
      return true;
    });
  }

  @Override
  public Optional<ExpiredOffer> findExpiredOffer(String id) {
    return db.read("findExpiredOffer", r -> {
      PreparedStatement s = r.prepare("SELECT id, owner_key, owner_name, name, recipient_key, recipient_name,"
          + " expired_at FROM expired_offers WHERE id = ?");
      s.setString(1, id);
      try (ResultSet rows = s.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(new ExpiredOffer(rows.getString(1), rows.getString(2), rows.getString(3),
            rows.getString(4), rows.getString(5), rows.getString(6), rows.getLong(7)));
      }
    });
  }

  @Override
  public int forgetExpiredOffers(long beforeMillis) {
    return db.write("forgetExpiredOffers", w -> {
      PreparedStatement s = w.prepare("DELETE FROM expired_offers WHERE expired_at < ?");
      s.setLong(1, beforeMillis);
      return s.executeUpdate();
    });
  }

  @Override
  public Set<String> fileIds() {
    return db.read("fileIds", r -> strings(r.prepare("SELECT id FROM files")));
  }

  @Override
  public Set<String> uploadXfers() {
    return db.read("uploadXfers", r -> strings(r.prepare("SELECT xfer FROM uploads")));
  }

  private static Set<String> strings(PreparedStatement s) throws SQLException {
    Set<String> out = new HashSet<>();
    try (ResultSet rows = s.executeQuery()) {
      while (rows.next()) {
        out.add(rows.getString(1));
      }
    }
    return out;
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
