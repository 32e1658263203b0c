package dev.charla.server.store;

import java.util.List;

/**
 * A message to store. {@code conv} is {@code #room} or a direct conversation id ({@code @a,b});
 * {@code recipient} is the room, or the display name of the user a private message is for. {@code cmid} may be
 * null (then no deduplication). {@code pendingFor} lists accounts that were offline and must get it at login.
 */
public record NewMessage(
    String conv,
    long seq,
    String senderKey,
    String senderName,
    String recipient,
    long tsMillis,
    String text,
    String via,
    String cmid,
    List<Long> pendingFor) {}
