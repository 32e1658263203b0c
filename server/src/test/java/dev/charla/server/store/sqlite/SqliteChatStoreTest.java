package dev.charla.server.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.charla.server.store.Account;
import dev.charla.server.store.AppendResult;
import dev.charla.server.store.NewMessage;
import dev.charla.server.store.RoomRecord;
import dev.charla.server.store.StoredMessage;
import dev.charla.server.store.TokenRecord;
import dev.charla.server.store.sqlite.SqliteChatStore.Durability;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class SqliteChatStoreTest {
  @TempDir Path dir;
  Path file;
  SqliteChatStore store;

  @BeforeEach
  void open() {
    file = dir.resolve("charla.db");
    store = SqliteChatStore.open(file, Durability.DURABLE, 2);
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** A room message with a cmid; seq and cmid distinguish messages in these tests. */
  static NewMessage message(String conv, long seq, String sender, String cmid, Long... pendingFor) {
    return new NewMessage(
        conv, seq, sender, sender.toUpperCase(), conv, 1_000 + seq, "text " + seq, "tcp", cmid, List.of(pendingFor));
  }

  static List<Long> sids(List<AppendResult> results) {
    return results.stream().map(r -> r.message().sid()).toList();
  }

  static List<Long> seqs(List<StoredMessage> messages) {
    return messages.stream().map(StoredMessage::seq).toList();
  }

  @Nested
  class Accounts {
    @Test
    void createdAccountIsFoundByKeyAndById() {
      Account created = store.createAccount("alice", "Alice", "$argon2id$x", 42).orElseThrow();

      assertThat(created).isEqualTo(new Account(created.id(), "alice", "Alice", "$argon2id$x", 42));
      assertThat(store.findAccount("alice")).contains(created);
      assertThat(store.findAccount(created.id())).contains(created);
    }

    @Test
    void unknownAccountIsEmpty() {
      assertThat(store.findAccount("nobody")).isEmpty();
      assertThat(store.findAccount(12345L)).isEmpty();
    }

    @Test
    void takenKeyIsRefusedAndTheFirstAccountStays() {
      Account first = store.createAccount("alice", "Alice", "h1", 1).orElseThrow();

      assertThat(store.createAccount("alice", "ALICE", "h2", 2)).isEmpty();
      assertThat(store.findAccount("alice")).contains(first);
    }

    @Test
    void accountsGetDistinctIds() {
      long a = store.createAccount("a", "A", "h", 1).orElseThrow().id();
      long b = store.createAccount("b", "B", "h", 1).orElseThrow().id();

      assertThat(a).isNotEqualTo(b);
    }

    @Test
    void ofTwoRacingRegistrationsExactlyOneSucceeds() throws Exception {
      ExecutorService threads = Executors.newFixedThreadPool(8);
      try {
        for (int round = 0; round < 20; round++) {
          String key = "racer" + round;
          CountDownLatch start = new CountDownLatch(1);
          List<Future<Optional<Account>>> attempts = new ArrayList<>();
          for (int i = 0; i < 8; i++) {
            String name = "Racer" + i;
            attempts.add(
                threads.submit(
                    () -> {
                      start.await();
                      return store.createAccount(key, name, "h", 1);
                    }));
          }
          start.countDown();
          int winners = 0;
          for (Future<Optional<Account>> attempt : attempts) {
            if (attempt.get(10, TimeUnit.SECONDS).isPresent()) {
              winners++;
            }
          }
          assertThat(winners).as("winners for %s", key).isEqualTo(1);
        }
      } finally {
        threads.shutdownNow();
      }
    }
  }

  @Nested
  class Tokens {
    final byte[] hash = {1, 2, 3, 4};

    @Test
    void savedTokenIsFoundByItsHash() {
      store.saveToken(hash, 7, 5_000);

      assertThat(store.findToken(hash)).contains(new TokenRecord(7, 5_000));
      assertThat(store.findToken(new byte[] {9})).isEmpty();
    }

    @Test
    void revokedTokenIsGone() {
      store.saveToken(hash, 7, 5_000);

      store.revokeToken(hash);

      assertThat(store.findToken(hash)).isEmpty();
    }

    @Test
    void expiredTokensAreStillReturnedUntilPurged() {
      store.saveToken(new byte[] {1}, 7, 1_000);
      store.saveToken(new byte[] {2}, 7, 2_000);
      store.saveToken(new byte[] {3}, 8, 3_000);

      assertThat(store.findToken(new byte[] {1})).isPresent();
      assertThat(store.purgeExpiredTokens(2_500)).isEqualTo(2);

      assertThat(store.findToken(new byte[] {1})).isEmpty();
      assertThat(store.findToken(new byte[] {2})).isEmpty();
      assertThat(store.findToken(new byte[] {3})).contains(new TokenRecord(8, 3_000));
    }

    @Test
    void purgeKeepsATokenThatExpiresExactlyNow() {
      store.saveToken(hash, 7, 2_000);

      assertThat(store.purgeExpiredTokens(2_000)).isZero();
    }
  }

  @Nested
  class Rooms {
    @Test
    void roomsLoadInNameOrderWithAnEmptyTopic() {
      store.ensureRoom("#zeta", 2);
      store.ensureRoom("#alpha", 1);

      assertThat(store.loadRooms())
          .containsExactly(new RoomRecord("#alpha", "", 1), new RoomRecord("#zeta", "", 2));
    }

    @Test
    void ensureRoomNeverChangesAnExistingRoom() {
      store.ensureRoom("#java", 1);
      store.setTopic("#java", "records");

      store.ensureRoom("#java", 99);

      assertThat(store.loadRooms()).containsExactly(new RoomRecord("#java", "records", 1));
    }

    @Test
    void topicOfAMissingRoomCreatesNothing() {
      store.setTopic("#ghost", "boo");

      assertThat(store.loadRooms()).isEmpty();
    }

    @Test
    void membershipsAreAddedOnceAndRemoved() {
      store.ensureRoom("#a", 1);
      store.ensureRoom("#b", 1);
      store.addMember("#b", 7);
      store.addMember("#a", 7);
      store.addMember("#a", 7);
      store.addMember("#a", 8);

      assertThat(store.roomsOf(7)).containsExactly("#a", "#b");

      store.removeMember("#a", 7);

      assertThat(store.roomsOf(7)).containsExactly("#b");
      assertThat(store.roomsOf(8)).containsExactly("#a");
    }
  }

  @Nested
  class Append {
    @Test
    void resultsComeInInputOrderWithIncreasingSids() {
      List<AppendResult> results =
          store.append(
              List.of(message("#a", 1, "alice", "c1"), message("#b", 1, "bob", null), message("#a", 2, "bob", "c2")));

      assertThat(results).extracting(r -> r.message().text()).containsExactly("text 1", "text 1", "text 2");
      assertThat(results).extracting(r -> r.message().conv()).containsExactly("#a", "#b", "#a");
      assertThat(results).noneMatch(AppendResult::duplicate);
      assertThat(sids(results)).isSorted().doesNotHaveDuplicates();

      List<AppendResult> next = store.append(List.of(message("#a", 3, "alice", "c3")));
      assertThat(next.getFirst().message().sid()).isGreaterThan(results.getLast().message().sid());
    }

    @Test
    void storedMessageKeepsEveryField() {
      NewMessage dm = new NewMessage("@alice,bob", 1, "alice", "Alice", "Bob", 1234, "hi", "udp", "m1", List.of());

      StoredMessage stored = store.append(List.of(dm)).getFirst().message();

      StoredMessage expected =
          new StoredMessage(stored.sid(), "@alice,bob", 1, "alice", "Alice", "Bob", 1234, "hi", "udp", "m1");
      assertThat(stored).isEqualTo(expected);
      assertThat(store.findByCmid("alice", "m1")).contains(expected);
      assertThat(store.history("@alice,bob", null, null, 10)).containsExactly(expected);
    }

    @Test
    void emptyBatchStoresNothing() {
      assertThat(store.append(List.of())).isEmpty();
    }

    @Test
    void resentMessageIsReportedAsTheEarlierOne() {
      StoredMessage first = store.append(List.of(message("#a", 1, "alice", "c1", 7L))).getFirst().message();

      List<AppendResult> again = store.append(List.of(message("#a", 2, "alice", "c1", 7L)));

      assertThat(again).containsExactly(new AppendResult(first, true));
      assertThat(store.lastSeq("#a")).isEqualTo(1);
      assertThat(store.pending(7, 10)).containsExactly(first);
    }

    @Test
    void duplicateWithinOneBatchIsReportedAsTheFirstOccurrence() {
      List<AppendResult> results =
          store.append(
              List.of(
                  message("#a", 1, "alice", "c1", 7L),
                  message("#a", 2, "bob", "c1"),
                  message("#a", 3, "alice", "c1", 7L)));

      assertThat(results.get(0).duplicate()).isFalse();
      assertThat(results.get(1).duplicate()).as("another sender may reuse a cmid").isFalse();
      assertThat(results.get(2)).isEqualTo(new AppendResult(results.get(0).message(), true));
      assertThat(seqs(store.history("#a", null, null, 10))).containsExactly(1L, 2L);
      assertThat(store.pending(7, 10)).hasSize(1);
    }

    @Test
    void messagesWithoutCmidAreNeverDuplicates() {
      List<AppendResult> results =
          store.append(List.of(message("#a", 1, "alice", null), message("#a", 2, "alice", null)));

      assertThat(results).noneMatch(AppendResult::duplicate);
      assertThat(store.lastSeq("#a")).isEqualTo(2);
      assertThat(store.findByCmid("alice", null)).isEmpty();
    }

    @Test
    void failingBatchStoresNothing() {
      store.append(List.of(message("#a", 1, "alice", "c1")));

      assertThatThrownBy(
              () ->
                  store.append(
                      List.of(
                          message("#b", 1, "bob", "c2", 7L),
                          message("#a", 2, "bob", "c3", 7L),
                          message("#a", 1, "carol", "c4", 7L))))
          .isInstanceOf(SqliteStoreException.class)
          .hasMessageContaining("rolled back");

      assertThat(store.lastSeq("#b")).isZero();
      assertThat(store.lastSeq("#a")).isEqualTo(1);
      assertThat(store.findByCmid("bob", "c2")).isEmpty();
      assertThat(store.pending(7, 10)).isEmpty();
    }

    @Test
    void storeStillWorksAfterAFailedBatch() {
      store.append(List.of(message("#a", 1, "alice", "c1")));
      assertThatThrownBy(() -> store.append(List.of(message("#a", 1, "alice", "c2"))))
          .isInstanceOf(SqliteStoreException.class);

      List<AppendResult> results = store.append(List.of(message("#a", 2, "alice", "c2")));

      assertThat(results.getFirst().duplicate()).isFalse();
      assertThat(store.lastSeq("#a")).isEqualTo(2);
    }

    @Test
    void lastSeqIsPerConversationAndZeroWhenEmpty() {
      store.append(List.of(message("#a", 1, "x", null), message("#a", 2, "x", null), message("#b", 9, "x", null)));

      assertThat(store.lastSeq("#a")).isEqualTo(2);
      assertThat(store.lastSeq("#b")).isEqualTo(9);
      assertThat(store.lastSeq("#c")).isZero();
    }
  }

  @Nested
  class Pending {
    @Test
    void pendingMessagesComeOldestFirstUpToTheLimit() {
      List<AppendResult> results =
          store.append(
              List.of(
                  message("#a", 1, "x", null, 7L, 8L),
                  message("#b", 1, "x", null, 7L),
                  message("#a", 2, "x", null, 8L),
                  message("#a", 3, "x", null, 7L)));
      long s1 = results.get(0).message().sid();
      long s2 = results.get(1).message().sid();
      long s4 = results.get(3).message().sid();

      assertThat(store.pending(7, 10)).extracting(StoredMessage::sid).containsExactly(s1, s2, s4);
      assertThat(store.pending(7, 2)).extracting(StoredMessage::sid).containsExactly(s1, s2);
      assertThat(store.pending(9, 10)).isEmpty();
    }

    @Test
    void ackRemovesUpToAndIncludingTheSidForThatAccountOnly() {
      List<AppendResult> results =
          store.append(
              List.of(
                  message("#a", 1, "x", null, 7L, 8L),
                  message("#a", 2, "x", null, 7L, 8L),
                  message("#a", 3, "x", null, 7L)));
      long s2 = results.get(1).message().sid();
      long s3 = results.get(2).message().sid();

      store.ackPending(7, s2);

      assertThat(store.pending(7, 10)).extracting(StoredMessage::sid).containsExactly(s3);
      assertThat(store.pending(8, 10)).hasSize(2);
    }
  }

  @Nested
  class History {
    @BeforeEach
    void tenMessages() {
      List<NewMessage> batch = new ArrayList<>();
      for (int seq = 1; seq <= 10; seq++) {
        batch.add(message("#a", seq, "x", null));
      }
      batch.add(message("#other", 1, "x", null));
      store.append(batch);
    }

    @Test
    void withoutBoundsItIsTheNewestPageOldestFirst() {
      assertThat(seqs(store.history("#a", null, null, 3))).containsExactly(8L, 9L, 10L);
    }

    @Test
    void beforeSeqPagesBackwards() {
      assertThat(seqs(store.history("#a", 8L, null, 3))).containsExactly(5L, 6L, 7L);
      assertThat(seqs(store.history("#a", 3L, null, 5))).containsExactly(1L, 2L);
      assertThat(store.history("#a", 1L, null, 5)).isEmpty();
    }

    @Test
    void afterSeqPagesForwards() {
      assertThat(seqs(store.history("#a", null, 2L, 3))).containsExactly(3L, 4L, 5L);
      assertThat(seqs(store.history("#a", null, 8L, 5))).containsExactly(9L, 10L);
      assertThat(store.history("#a", null, 10L, 5)).isEmpty();
    }

    @Test
    void bothBoundsGiveTheOldestMessagesBetweenThem() {
      assertThat(seqs(store.history("#a", 6L, 2L, 10))).containsExactly(3L, 4L, 5L);
      assertThat(seqs(store.history("#a", 6L, 2L, 2))).containsExactly(3L, 4L);
    }

    @Test
    void limitIsRespectedAndZeroGivesNothing() {
      assertThat(store.history("#a", null, null, 100)).hasSize(10);
      assertThat(store.history("#a", null, null, 0)).isEmpty();
      assertThatThrownBy(() -> store.history("#a", null, null, -1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("-1");
    }

    @Test
    void unknownConversationHasNoHistory() {
      assertThat(store.history("#nope", null, null, 10)).isEmpty();
    }
  }

  /** The conversation index is written behind, in its own file (ConversationIndex); readers must not notice. */
  @Nested
  class ConversationIndexWrittenBehind {
    private long indexedRows() throws Exception {
      return ConversationIndex.rows(file);
    }

    private List<Long> seqs(List<StoredMessage> page) {
      return page.stream().map(StoredMessage::seq).toList();
    }

    @Test
    void aNewIndexFileHasSmallPagesAndIsInWalMode() throws Exception {
      store.append(List.of(message("#a", 1, "alice", null)));
      assertThat(ConversationIndex.pageSize(file)).isEqualTo(ConversationIndex.PAGE_SIZE).isEqualTo(1024);
      assertThat(java.nio.file.Files.exists(
          ConversationIndex.fileFor(file).resolveSibling(ConversationIndex.fileFor(file).getFileName() + "-wal")))
          .as("the index's WAL file").isTrue();
    }

    /**
     * The index writes without syncs, so a machine that stops (not a process kill) may leave it torn: an index
     * that was open, not closed cleanly, under another boot of the machine is rebuilt. A made-up row planted in
     * the file tells a rebuilt index from a kept one.
     */
    @Nested
    class AcrossMachineStops {
      @BeforeEach
      void threeIndexedMessagesAndAStoreClosedCleanly() {
        store.append(List.of(message("#a", 1, "alice", null), message("#a", 2, "bob", null),
            message("#b", 1, "bob", null)));
        store.close();
      }

      void plantAGhostRow() throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                "jdbc:sqlite:" + ConversationIndex.fileFor(file).toAbsolutePath());
            java.sql.Statement st = c.createStatement()) {
          st.execute("INSERT INTO conv_index (conv, seq, sid) VALUES ('#ghost', 1, 999)");
        }
      }

      @Test
      void anIndexOpenWhenItsMachineStoppedIsRebuilt() throws Exception {
        ConversationIndex.open(file, java.util.Optional.of("boot-1")).abandon(); // the machine stops
        plantAGhostRow();

        ConversationIndex.open(file, java.util.Optional.of("boot-2")).close();

        assertThat(indexedRows()).isEqualTo(3);
      }

      @Test
      void anIndexOpenWhenItsProcessWasKilledIsKept() throws Exception {
        ConversationIndex.open(file, java.util.Optional.of("boot-1")).abandon(); // a kill: the writes are all there
        plantAGhostRow();

        ConversationIndex.open(file, java.util.Optional.of("boot-1")).close();

        assertThat(indexedRows()).isEqualTo(4);
      }

      @Test
      void anIndexClosedCleanlyIsKeptAcrossBoots() throws Exception {
        ConversationIndex.open(file, java.util.Optional.of("boot-1")).close();
        plantAGhostRow();

        ConversationIndex.open(file, java.util.Optional.of("boot-2")).close();

        assertThat(indexedRows()).isEqualTo(4);
      }

      @Test
      void aFileThatIsNotAnIndexIsRebuilt() throws Exception {
        java.nio.file.Files.writeString(ConversationIndex.fileFor(file), "torn ".repeat(1000));

        ConversationIndex.open(file, java.util.Optional.of("boot-1")).close();

        assertThat(indexedRows()).isEqualTo(3);
      }

      @Test
      void itSyncsOnlyWhereThereIsNoBootIdToTellAMachineStopBy() throws Exception {
        ConversationIndex unsynced = ConversationIndex.open(file, java.util.Optional.of("boot-1"));
        assertThat(unsynced.syncs()).isFalse();
        unsynced.close();
        ConversationIndex synced = ConversationIndex.open(file, java.util.Optional.empty());
        assertThat(synced.syncs()).isTrue();
        synced.close();
        assertThat(ConversationIndex.kernelBootId()).as("this machine's boot id (Linux)").isPresent();
      }
    }

    @Test
    void historyAndLastSeqSeeMessagesTheIndexDoesNotHaveYet() throws Exception {
      store.holdIndex(true);
      store.append(List.of(message("#a", 1, "alice", null), message("#b", 1, "bob", null)));
      store.append(List.of(message("#a", 2, "alice", null), message("#a", 3, "bob", null)));

      assertThat(indexedRows()).isZero();
      assertThat(store.lastSeq("#a")).isEqualTo(3);
      assertThat(store.lastSeq("#b")).isEqualTo(1);
      assertThat(seqs(store.history("#a", null, null, 10))).containsExactly(1L, 2L, 3L);
      assertThat(seqs(store.history("#a", 3L, null, 1))).containsExactly(2L);
      assertThat(seqs(store.history("#a", null, 1L, 10))).containsExactly(2L, 3L);
    }

    @Test
    void pagesSpanTheIndexedAndTheUnindexedPart() throws Exception {
      for (long seq = 1; seq <= 5; seq++) {
        store.append(List.of(message("#a", seq, "alice", null)));
      }
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> indexedRows() == 5);
      store.holdIndex(true);
      for (long seq = 6; seq <= 8; seq++) {
        store.append(List.of(message("#a", seq, "alice", null), message("#b", seq, "bob", null)));
      }

      assertThat(indexedRows()).isEqualTo(5);
      assertThat(seqs(store.history("#a", 7L, null, 4))).containsExactly(3L, 4L, 5L, 6L);
      assertThat(seqs(store.history("#a", null, 2L, 4))).containsExactly(3L, 4L, 5L, 6L);
      assertThat(seqs(store.history("#a", 8L, 3L, 10))).containsExactly(4L, 5L, 6L, 7L);
      assertThat(seqs(store.history("#a", null, null, 100))).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
      assertThat(seqs(store.history("#b", null, null, 100))).containsExactly(6L, 7L, 8L);
      assertThat(store.lastSeq("#a")).isEqualTo(8);

      store.holdIndex(false);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> indexedRows() == 11);
      assertThat(seqs(store.history("#a", 7L, null, 4))).containsExactly(3L, 4L, 5L, 6L);
      assertThat(store.lastSeq("#b")).isEqualTo(8);
    }

    @Test
    void aSeqNotAboveTheLastIsRefusedBeforeItIsIndexed() {
      store.holdIndex(true);
      store.append(List.of(message("#a", 1, "alice", null), message("#a", 2, "alice", null)));

      assertThatThrownBy(() -> store.append(List.of(message("#a", 2, "bob", null))))
          .isInstanceOf(SqliteStoreException.class)
          .hasMessageContaining("rolled back");
      assertThat(seqs(store.history("#a", null, null, 10))).containsExactly(1L, 2L);
    }

    @Test
    void closingIndexesEverythingAndOpeningCatchesUpAfterACrash() throws Exception {
      store.holdIndex(true);
      store.append(List.of(message("#a", 1, "alice", null), message("#a", 2, "alice", null)));
      store.close();
      assertThat(indexedRows()).isEqualTo(2);

      // What a kill leaves: messages committed, the index behind them.
      try (var connection = java.sql.DriverManager.getConnection(
              "jdbc:sqlite:" + ConversationIndex.fileFor(file));
          var statement = connection.createStatement()) {
        statement.execute("DELETE FROM conv_index WHERE seq = 2");
        statement.execute("UPDATE conv_index_state SET indexed_sid = 1");
      }
      store = SqliteChatStore.open(file, Durability.DURABLE, 2);

      assertThat(indexedRows()).isEqualTo(2);
      assertThat(seqs(store.history("#a", null, null, 10))).containsExactly(1L, 2L);
      store.append(List.of(message("#a", 3, "alice", null)));
      assertThat(store.lastSeq("#a")).isEqualTo(3);
    }

    @Test
    void aLostIndexFileIsRebuilt() throws Exception {
      store.append(List.of(message("#a", 1, "alice", null), message("#a", 2, "alice", null)));
      store.close();
      java.nio.file.Files.delete(ConversationIndex.fileFor(file));

      store = SqliteChatStore.open(file, Durability.DURABLE, 2);

      assertThat(indexedRows()).isEqualTo(2);
      assertThat(seqs(store.history("#a", 2L, null, 10))).containsExactly(1L);
    }

    @Test
    void aDatabaseFromBeforeTheIndexIsMigratedWithItsMessages() throws Exception {
      store.close();
      Path old = dir.resolve("v2.db");
      try (var connection = java.sql.DriverManager.getConnection("jdbc:sqlite:" + old);
          var statement = connection.createStatement()) {
        for (String sql : (SchemaMigrations.MIGRATIONS.get(0) + SchemaMigrations.MIGRATIONS.get(1)).split(";")) {
          if (!sql.isBlank()) {
            statement.execute(sql);
          }
        }
        statement.execute("PRAGMA user_version = 2");
        for (int seq = 1; seq <= 3; seq++) {
          statement.execute("INSERT INTO messages (sid, conv, seq, sender_key, sender_name, recipient, ts, text)"
              + " VALUES (" + seq + ", '#a', " + seq + ", 'alice', 'Alice', '#a', 0, 'm" + seq + "')");
        }
      }

      store = SqliteChatStore.open(old, Durability.DURABLE, 2);

      assertThat(seqs(store.history("#a", null, null, 10))).containsExactly(1L, 2L, 3L);
      assertThat(store.lastSeq("#a")).isEqualTo(3);
      assertThat(store.append(List.of(message("#a", 4, "alice", null))).getFirst().message().sid()).isEqualTo(4);
      assertThat(ConversationIndex.rows(old)).isEqualTo(3);
    }
  }

  /**
   * DURABLE commits are synced by {@link WalSync}: the store checkpoints itself, mostly when the message writer
   * gives it its upkeep between batches, and SQLite never does.
   */
  @Nested
  class WalSyncing {
    final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    /** The seq of the last marker message in #a ({@link #appendSpacedOut} writes to #big, with its own seqs). */
    long lastMarkerSeq;

    @BeforeEach
    void reopenWithAClockTheTestMoves() {
      store.close();
      store = SqliteChatStore.open(file, Durability.DURABLE, 2, nanos::get);
      store.holdIndex(true); // its flushes read the store, and a reader can hold frames back from a checkpoint
    }

    /** Appends one message whose text is {@code marker}, to look for in the files. */
    void append(String marker) {
      store.append(List.of(new NewMessage("#a", ++lastMarkerSeq, "alice", "Alice", "#a", 1, marker, "tcp", null, List.of())));
    }

    /** Whether {@code marker} has reached the database file: what is only in the WAL is not there. */
    boolean inDatabaseFile(String marker) throws Exception {
      String content = new String(java.nio.file.Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
      return content.contains(marker);
    }

    /** Batches of 100 messages of 1000 chars, {@code batches} of them, a checkpoint interval apart, idle between. */
    long appendSpacedOut(int batches) {
      long seq = 0;
      for (int b = 0; b < batches; b++) {
        List<NewMessage> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          seq++;
          batch.add(new NewMessage("#big", seq, "alice", "Alice", "#big", seq, "x".repeat(1000), "tcp", null,
              List.of()));
        }
        store.append(batch);
        nanos.addAndGet(WalSync.CHECKPOINT_INTERVAL_NANOS);
        store.upkeep(true);
      }
      return seq;
    }

    @Test
    void upkeepCheckpointsAnIdleWriterAfterTheIntervalAndABusyOneOnlyWhenOverdue() throws Exception {
      append("marker-one-marker");
      nanos.addAndGet(WalSync.CHECKPOINT_INTERVAL_NANOS);
      store.upkeep(false); // more messages are waiting: not yet
      assertThat(inDatabaseFile("marker-one-marker")).isFalse();
      store.upkeep(true);
      assertThat(inDatabaseFile("marker-one-marker")).isTrue();

      append("marker-two-marker");
      nanos.addAndGet(WalSync.CHECKPOINT_OVERDUE_NANOS - 1);
      store.upkeep(false);
      assertThat(inDatabaseFile("marker-two-marker")).isFalse();
      nanos.addAndGet(1);
      store.upkeep(false);
      assertThat(inDatabaseFile("marker-two-marker")).isTrue();
    }

    @Test
    void aCommitCheckpointsByItselfOnlyAfterTheBackstop() throws Exception {
      append("marker-one-marker");
      nanos.addAndGet(WalSync.CHECKPOINT_BACKSTOP_NANOS - 1);
      append("marker-two-marker");
      assertThat(inDatabaseFile("marker-one-marker")).isFalse();
      nanos.addAndGet(1);
      append("marker-three-marker");
      assertThat(inDatabaseFile("marker-three-marker")).isTrue();
    }

    Path wal() {
      return file.resolveSibling(file.getFileName() + "-wal");
    }

    @Test
    void theWriterCheckpointsSoTheWalStaysSmall() throws Exception {
      long appended = appendSpacedOut(30); // about 3 MB of text

      assertThat(store.lastSeq("#big")).isEqualTo(appended);
      // SQLite's own checkpoints are off: without the writer's, the WAL would hold all of it.
      assertThat(java.nio.file.Files.size(wal())).isLessThan(1_000_000);
    }

    @Test
    void whatAKillLeavesHoldsEveryCommittedMessage() throws Exception {
      long appended = appendSpacedOut(8);
      // A kill leaves the database file and the WAL as they are now (the shared-memory index is rebuilt).
      Path copy = dir.resolve("killed.db");
      java.nio.file.Files.copy(file, copy);
      java.nio.file.Files.copy(wal(), copy.resolveSibling("killed.db-wal"));

      try (SqliteChatStore reopened = SqliteChatStore.open(copy, Durability.DURABLE, 1)) {
        assertThat(reopened.lastSeq("#big")).isEqualTo(appended);
        assertThat(seqs(reopened.history("#big", null, null, 3))).containsExactly(
            appended - 2, appended - 1, appended);
      }
    }

    @Test
    void afterAFailedSyncTheCommitIsReportedAndLaterWritesAreRefused() {
      store.append(List.of(message("#a", 1, "alice", null)));
      store.failNextSync();

      assertThatThrownBy(() -> store.append(List.of(message("#a", 2, "alice", null))))
          .isInstanceOf(SqliteStoreException.class)
          .hasMessageContaining("could not be synced to disk");
      assertThatThrownBy(() -> store.createAccount("bob", "Bob", "h", 1))
          .isInstanceOf(SqliteStoreException.class)
          .hasMessageContaining("writes are refused until the server is restarted");
      assertThat(store.findAccount("bob")).isEmpty();
    }

    @Test
    void closingMovesEverythingIntoTheDatabaseFile() throws Exception {
      long appended = appendSpacedOut(3);
      store.close();

      assertThat(wal()).doesNotExist();
      store = SqliteChatStore.open(file, Durability.DURABLE, 1);
      assertThat(store.lastSeq("#big")).isEqualTo(appended);
    }
  }

  @Nested
  class Reopening {
    @Test
    void everythingPersistsAcrossReopen() {
      Account alice = store.createAccount("alice", "Alice", "h", 1).orElseThrow();
      store.saveToken(new byte[] {1}, alice.id(), 9_000);
      store.ensureRoom("#a", 1);
      store.setTopic("#a", "hello");
      store.addMember("#a", alice.id());
      StoredMessage stored =
          store.append(List.of(message("#a", 1, "bob", "c1", alice.id()))).getFirst().message();
      store.close();

      store = SqliteChatStore.open(file, Durability.DURABLE, 2);

      assertThat(store.findAccount("alice")).contains(alice);
      assertThat(store.findToken(new byte[] {1})).contains(new TokenRecord(alice.id(), 9_000));
      assertThat(store.loadRooms()).containsExactly(new RoomRecord("#a", "hello", 1));
      assertThat(store.roomsOf(alice.id())).containsExactly("#a");
      assertThat(store.history("#a", null, null, 10)).containsExactly(stored);
      assertThat(store.pending(alice.id(), 10)).containsExactly(stored);
      assertThat(store.append(List.of(message("#a", 2, "bob", "c1"))).getFirst())
          .isEqualTo(new AppendResult(stored, true));
      assertThat(store.append(List.of(message("#a", 2, "bob", "c2"))).getFirst().message().sid())
          .isGreaterThan(stored.sid());
    }

    @Test
    void migrationsRunOnceAndReopeningIsHarmless() throws Exception {
      store.close();
      store = SqliteChatStore.open(file, Durability.FAST, 1);
      store.close();
      store = SqliteChatStore.open(file);

      try (var connection = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file)) {
        assertThat(SchemaMigrations.userVersion(connection)).isEqualTo(SchemaMigrations.MIGRATIONS.size());
      }
    }

    @Test
    void fileFromANewerServerIsRefused() throws Exception {
      store.close();
      try (var connection = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
          var statement = connection.createStatement()) {
        statement.execute("PRAGMA user_version = 999");
      }

      assertThatThrownBy(() -> SqliteChatStore.open(file))
          .isInstanceOf(SqliteStoreException.class)
          .hasMessageContaining("999");
      store = SqliteChatStore.open(dir.resolve("fresh.db"));
    }

    @Test
    void missingParentDirectoriesAreCreated() {
      try (SqliteChatStore nested = SqliteChatStore.open(dir.resolve("a/b/c.db"))) {
        assertThat(nested.loadRooms()).isEmpty();
      }
    }

    @Test
    void closedStoreRefusesCallsAndClosingTwiceIsHarmless() {
      store.close();
      store.close();

      assertThatThrownBy(() -> store.loadRooms()).isInstanceOf(SqliteStoreException.class);
      assertThatThrownBy(() -> store.ensureRoom("#a", 1)).isInstanceOf(SqliteStoreException.class);
    }
  }

  @Test
  void readersRunWhileTheWriterAppends() throws Exception {
    int batches = 200;
    int batchSize = 50;
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService threads = Executors.newFixedThreadPool(5);
    try {
      Future<?> writer =
          threads.submit(
              () -> {
                try {
                  for (int b = 0; b < batches; b++) {
                    List<NewMessage> batch = new ArrayList<>();
                    for (int i = 1; i <= batchSize; i++) {
                      long seq = (long) b * batchSize + i;
                      batch.add(message("#load", seq, "w", "c" + seq, 7L));
                    }
                    store.append(batch);
                  }
                } finally {
                  writing.set(false);
                }
                return null;
              });
      List<Future<Integer>> readers = new ArrayList<>();
      for (int r = 0; r < 4; r++) {
        readers.add(
            threads.submit(
                () -> {
                  int reads = 0;
                  long lastSeen = 0;
                  while (writing.get() && reads < 100_000) {
                    long last = store.lastSeq("#load");
                    assertThat(last).isGreaterThanOrEqualTo(lastSeen);
                    // A batch is one transaction, so readers see it whole or not at all.
                    assertThat(last % batchSize).isZero();
                    lastSeen = last;
                    List<StoredMessage> page = store.history("#load", null, null, 20);
                    if (!page.isEmpty()) {
                      long first = page.getFirst().seq();
                      assertThat(seqs(page)).isSorted().hasSize((int) (page.getLast().seq() - first + 1));
                      assertThat(page.getLast().seq()).isGreaterThanOrEqualTo(last);
                    }
                    assertThat(store.pending(7, 10).size()).isIn(0, 10);
                    reads++;
                  }
                  return reads;
                }));
      }

      writer.get(50, TimeUnit.SECONDS);
      for (Future<Integer> reader : readers) {
        assertThat(reader.get(10, TimeUnit.SECONDS)).isPositive();
      }
      assertThat(store.lastSeq("#load")).isEqualTo((long) batches * batchSize);
    } finally {
      threads.shutdownNow();
    }
  }
}
