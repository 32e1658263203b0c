package dev.charla.server.store;

public record TokenRecord(long accountId, long expiresAtMillis) {}
