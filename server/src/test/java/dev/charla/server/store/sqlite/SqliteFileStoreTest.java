package dev.charla.server.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charla.server.store.FileRecord;
import dev.charla.server.store.UploadRecord;
import java.nio.file.Path;
import java.sql.DriverManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The expiry half of the file store: clocks, conditional expiry, what is remembered, and migration 3. */
@Timeout(30)
class SqliteFileStoreTest {
  private static final String SHA = "a".repeat(64);

  @TempDir Path dir;
  SqliteChatStore db;

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }

  private static UploadRecord upload(String xfer, long createdAt, String recipient) {
    return new UploadRecord(xfer, "ana", "ana", "f.bin", 100, SHA, createdAt, recipient,
        recipient == null ? null : recipient);
  }

  private static FileRecord offer(String id, long createdAt) {
    return new FileRecord(id, "ana", "ana", "f.bin", 100, SHA, createdAt, "bob", "bob");
  }

  @Test
  void anOfferFetchedAfterTheCutoffIsKeptAndOnePastItIsRememberedAsExpired() {
    db = SqliteChatStore.open(dir.resolve("charla.db"));
    SqliteFileStore store = new SqliteFileStore(db);
    store.createUpload(upload("xferxfer01", 1_000, "bob"));
    store.completeUpload("xferxfer01", offer("offeroffer01", 1_000));

    assertThat(store.touchOffer("offeroffer01", 5_000, 900)).isTrue(); // fetched at 5 000
    assertThat(store.offersIdleSince(3_000)).isEmpty();
    assertThat(store.expireOffer("offeroffer01", 3_000, 6_000)).isFalse(); // its clock is 5 000 now
    assertThat(store.offersFor("bob", 3_000)).extracting(FileRecord::id).containsExactly("offeroffer01");
    assertThat(store.offersFor("bob", 5_001)).isEmpty(); // past its time: not offered even before a sweep
    // A fetch after the offer ran out does not revive it.
    assertThat(store.touchOffer("offeroffer01", 9_000, 5_001)).isFalse();

    assertThat(store.offersIdleSince(5_001)).extracting(FileRecord::id).containsExactly("offeroffer01");
    assertThat(store.expireOffer("offeroffer01", 5_001, 7_000)).isTrue();
    assertThat(store.expireOffer("offeroffer01", 5_001, 7_000)).isFalse(); // only once
    assertThat(store.findFile("offeroffer01")).isEmpty();
    assertThat(store.usedBytes("ana")).isZero();
    assertThat(store.findExpiredOffer("offeroffer01")).hasValueSatisfying(e -> {
      assertThat(e.ownerKey()).isEqualTo("ana");
      assertThat(e.recipientKey()).isEqualTo("bob");
      assertThat(e.expiredAtMillis()).isEqualTo(7_000);
    });
    assertThat(store.forgetExpiredOffers(7_000)).isZero();
    assertThat(store.forgetExpiredOffers(7_001)).isEqualTo(1);
    assertThat(store.findExpiredOffer("offeroffer01")).isEmpty();
  }

  @Test
  void sharedFilesNeverExpire() {
    db = SqliteChatStore.open(dir.resolve("charla.db"));
    SqliteFileStore store = new SqliteFileStore(db);
    store.createUpload(upload("xferxfer02", 1_000, null));
    store.completeUpload("xferxfer02",
        new FileRecord("sharedfile01", "ana", "ana", "f.bin", 100, SHA, 1_000, null, null));

    assertThat(store.offersIdleSince(Long.MAX_VALUE)).isEmpty();
    assertThat(store.expireOffer("sharedfile01", Long.MAX_VALUE, 2_000)).isFalse();
    assertThat(store.fileIds()).containsExactly("sharedfile01");
  }

  @Test
  void anUploadTouchedSinceTheCutoffIsNotExpired() {
    db = SqliteChatStore.open(dir.resolve("charla.db"));
    SqliteFileStore store = new SqliteFileStore(db);
    store.createUpload(upload("xferxfer03", 1_000, null));
    assertThat(store.usedBytes("ana")).isEqualTo(100);

    store.touchUpload("xferxfer03", 4_000);
    assertThat(store.uploadsIdleSince(3_000)).isEmpty();
    assertThat(store.expireUpload("xferxfer03", 3_000)).isFalse();
    assertThat(store.uploadXfers()).containsExactly("xferxfer03");

    assertThat(store.uploadsIdleSince(4_001)).extracting(UploadRecord::xfer).containsExactly("xferxfer03");
    assertThat(store.expireUpload("xferxfer03", 4_001)).isTrue();
    assertThat(store.usedBytes("ana")).isZero();
    assertThat(store.uploadXfers()).isEmpty();
  }

  @Test
  void rowsWrittenBeforeMigration3ExpireByWhenTheyWereCreated() throws Exception {
    Path file = dir.resolve("old.db");
    try (var connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        var statement = connection.createStatement()) {
      for (int version = 1; version <= 2; version++) {
        for (String sql : SchemaMigrations.MIGRATIONS.get(version - 1).split(";")) {
          if (!sql.isBlank()) {
            statement.execute(sql);
          }
        }
      }
      statement.execute("PRAGMA user_version = 2");
      statement.execute("INSERT INTO uploads (xfer, owner_key, owner_name, name, size, sha256, created_at)"
          + " VALUES ('xferxfer04', 'ana', 'ana', 'f.bin', 100, '" + SHA + "', 1000)");
      statement.execute("INSERT INTO files (id, owner_key, owner_name, name, size, sha256, created_at,"
          + " recipient_key, recipient_name) VALUES ('offeroffer04', 'ana', 'ana', 'f.bin', 100, '" + SHA
          + "', 2000, 'bob', 'bob')");
    }

    db = SqliteChatStore.open(file);
    SqliteFileStore store = new SqliteFileStore(db);

    assertThat(store.uploadsIdleSince(1_000)).isEmpty();
    assertThat(store.uploadsIdleSince(1_001)).extracting(UploadRecord::xfer).containsExactly("xferxfer04");
    assertThat(store.offersIdleSince(2_000)).isEmpty();
    assertThat(store.offersIdleSince(2_001)).extracting(FileRecord::id).containsExactly("offeroffer04");
  }
}
