package dev.charla.server.store;

/**
 * What is remembered of a file offer that expired unanswered, so that a later {@code get} or {@code rm} of its id
 * by its sender or recipient is told {@code expired} rather than {@code no_such_file}. Its bytes are gone.
 */
public record ExpiredOffer(
    String id, String ownerKey, String ownerName, String name, String recipientKey, String recipientName,
    long expiredAtMillis) {}
