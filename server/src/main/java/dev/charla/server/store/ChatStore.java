package dev.charla.server.store;

import java.util.List;
import java.util.Optional;

/**
 * The server's durable state: accounts, resume tokens, rooms and memberships, messages, and offline deliveries.
 * This is the only port between the core and storage; the core never sees SQL.
 *
 * <p>Threading: every method may be called from any thread and blocks on I/O, so callers keep it off event
 * loops. Writes are serialized inside the implementation. {@link #append} is meant to be called by one writer
 * thread that batches many messages into one call (group commit).
 *
 * <p>Durability: a method that returns normally has committed; with the durable setting the commit survives a
 * process kill and an OS crash or power loss (SQLite WAL, synced at every commit).
 */
public interface ChatStore extends AutoCloseable {

  // ---- accounts -------------------------------------------------------------------------------------

  /** The account whose case-insensitive key is {@code userKey}, if any. */
  Optional<Account> findAccount(String userKey);

  /**
   * The keys of all accounts. Read once at start so that a guest login can check "is this name registered?"
   * without a store read (accounts are never deleted or renamed).
   */
  java.util.Set<String> accountKeys();

  /** The account with this id, if any. */
  Optional<Account> findAccount(long accountId);

  /**
   * Creates an account. Returns empty if the key is already taken (uniqueness is enforced by the store, so two
   * racing registrations cannot both succeed).
   */
  Optional<Account> createAccount(String userKey, String displayName, String passwordHash, long createdAtMillis);

  // ---- resume tokens (only their SHA-256 is stored) -------------------------------------------------

  void saveToken(byte[] tokenHash, long accountId, long expiresAtMillis);

  /** The token record, if present (expired ones may be returned; the caller checks expiry). */
  Optional<TokenRecord> findToken(byte[] tokenHash);

  void revokeToken(byte[] tokenHash);

  /** Deletes tokens that expired before {@code nowMillis}; returns how many. */
  int purgeExpiredTokens(long nowMillis);

  // ---- rooms and memberships ------------------------------------------------------------------------

  /** All rooms, in name order. */
  List<RoomRecord> loadRooms();

  /** Creates the room if absent; never changes an existing room. */
  void ensureRoom(String room, long createdAtMillis);

  void setTopic(String room, String topic);

  /** Room names that the account belongs to (rooms are remembered for registered accounts across logins). */
  List<String> roomsOf(long accountId);

  void addMember(String room, long accountId);

  void removeMember(String room, long accountId);

  // ---- messages --------------------------------------------------------------------------------------

  /**
   * Appends messages in one transaction, in list order, and returns what was stored, one result per input in
   * the same order. The caller has assigned each message's per-conversation {@code seq}. A message whose
   * (senderKey, cmid) is already stored is not stored again: its result is the earlier message, marked
   * {@code duplicate}. For each message, one pending-delivery row is written per account in
   * {@link NewMessage#pendingFor()} in the same transaction. On failure nothing of the batch is stored.
   */
  List<AppendResult> append(List<NewMessage> batch);

  /**
   * Upkeep of the store's files that is kept off the path of any write, such as moving the SQLite store's WAL into
   * its database file. The message writer calls it between batches, after the last one is fanned out, so what it
   * costs delays no message already committed. {@code idle}: nothing is waiting to be written, so now is a good
   * time; otherwise the store does only what should not wait any longer. Failures are the store's to log: upkeep
   * that fails is retried by a later call, and loses nothing.
   */
  default void upkeep(boolean idle) {}

  /** The highest seq in the conversation, or 0 if it has none. */
  long lastSeq(String conv);

  /** The message a sender stored with this client message id, if any. */
  Optional<StoredMessage> findByCmid(String senderKey, String cmid);

  /**
   * A page of a conversation, oldest first: the newest {@code limit} messages with seq below
   * {@code beforeSeq} (or the newest overall if null), or, if {@code afterSeq} is given, the oldest
   * {@code limit} messages with seq above it.
   */
  List<StoredMessage> history(String conv, Long beforeSeq, Long afterSeq, int limit);

  // ---- offline delivery -----------------------------------------------------------------------------

  /** Messages waiting for the account, oldest (lowest sid) first, at most {@code limit}. */
  List<StoredMessage> pending(long accountId, int limit);

  /** Removes the account's pending rows with sid up to and including {@code uptoSid}. */
  void ackPending(long accountId, long uptoSid);

  @Override
  void close();
}
