package dev.charla.server.store;

/** A registered account. {@code userKey} is the lower-cased name; {@code displayName} keeps the chosen case. */
public record Account(long id, String userKey, String displayName, String passwordHash, long createdAtMillis) {
  @Override
  public String toString() {
    return "Account[id=" + id + ", name=" + displayName + "]";
  }
}
