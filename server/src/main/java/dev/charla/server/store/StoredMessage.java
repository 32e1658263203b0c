package dev.charla.server.store;

/** A committed message; {@code sid} is the store-assigned, server-wide increasing id. */
public record StoredMessage(
    long sid,
    String conv,
    long seq,
    String senderKey,
    String senderName,
    String recipient,
    long tsMillis,
    String text,
    String via,
    String cmid) {}
