package dev.charla.server.store;

public record RoomRecord(String name, String topic, long createdAtMillis) {}
