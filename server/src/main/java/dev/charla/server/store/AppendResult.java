package dev.charla.server.store;

/** The outcome of one message of an {@link ChatStore#append} batch. */
public record AppendResult(StoredMessage message, boolean duplicate) {}
