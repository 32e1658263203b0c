package dev.charla.server.store;

/**
 * A file kept by the server. {@code id} is server-generated and names the bytes on disk; {@code name} is what the
 * uploader called it (for display only). {@code recipientKey} is null for the shared area, or the user a file was
 * offered to.
 */
public record FileRecord(
    String id, String ownerKey, String ownerName, String name, long size, String sha256, long createdAtMillis,
    String recipientKey, String recipientName) {}
