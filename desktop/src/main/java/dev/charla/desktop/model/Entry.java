package dev.charla.desktop.model;

/**
 * One line of a conversation: a message, a notice about someone joining, leaving, coming online or going
 * offline, or a change of how a direct conversation travels. Immutable; the model replaces an entry when its state
 * changes.
 *
 * @param kind what the line is
 * @param localId a number unique within the model, stable across state changes (for the view and for tests)
 * @param sid the server-wide message id, or 0 for a notice or a message not stored yet
 * @param seq the position within the conversation, or 0 when unknown
 * @param from who wrote the message, or whom the notice is about
 * @param ts milliseconds since the epoch (server time for stored messages, local time otherwise)
 * @param text the message text, or null for a notice; for {@link Kind#DIRECT_MODE} the name of the
 *     {@link dev.charla.client.DirectMode}
 * @param via the transport the sender used ({@code tcp}, {@code udp}; in a direct conversation {@code direct} or
 *     {@code relayed}), or null; for {@link Kind#DIRECT_MODE} the mode's detail (address, reason)
 * @param own whether you wrote it (from this or another of your sessions)
 * @param state for own messages sent from this window; {@link MessageState#STORED} for everything else
 */
public record Entry(
    Kind kind, long localId, long sid, long seq, String from, long ts, String text, String via, boolean own,
    MessageState state) {

  /** What a line of a conversation is. */
  public enum Kind {
    MESSAGE,
    JOINED,
    LEFT,
    ONLINE,
    OFFLINE,
    /** A direct conversation changed how it travels (asking, connecting, direct, relayed, ended). */
    DIRECT_MODE
  }

  public boolean isMessage() {
    return kind == Kind.MESSAGE;
  }

  Entry stored(long newSid, long newSeq, long newTs) {
    return new Entry(kind, localId, newSid, newSeq, from, newTs, text, via, own, MessageState.STORED);
  }

  Entry withVia(String newVia) {
    return new Entry(kind, localId, sid, seq, from, ts, text, newVia, own, state);
  }

  Entry failed() {
    return new Entry(kind, localId, sid, seq, from, ts, text, via, own, MessageState.FAILED);
  }
}
