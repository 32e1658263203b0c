package dev.charla.server.store;

/**
 * An upload in progress: its bytes so far live in a partial file named by {@code xfer}. Kept across connections
 * and restarts so that an interrupted upload resumes; {@code size} counts against the owner's quota.
 */
public record UploadRecord(
    String xfer, String ownerKey, String ownerName, String name, long size, String sha256, long createdAtMillis,
    String recipientKey, String recipientName) {}
