package dev.charla.desktop.model;

/**
 * A file transfer as the window shows it: what moves, how far it has come, and how it ended. Immutable; the model
 * replaces it as progress arrives.
 *
 * @param id a number unique within the model (for the view and for tests)
 * @param kind which way the file goes
 * @param name the file's name
 * @param peer for an offer, the other user; null for the file area
 * @param done bytes moved so far (counting bytes already there when it resumed)
 * @param total the file's size, or -1 while unknown
 * @param bytesPerSecond the rate since the transfer started
 * @param etaMillis the time left at that rate, or -1 while unknown
 * @param state whether it runs, ended well or failed
 * @param detail when done: the saved path (downloads) or nothing; when failed: the reason
 */
public record Transfer(
    long id, Kind kind, String name, String peer, long done, long total, double bytesPerSecond, long etaMillis,
    State state, String detail) {

  /** Which way a file goes. */
  public enum Kind {
    /** Your file into the server's file area. */
    UPLOAD,
    /** A file of the area to your downloads folder. */
    DOWNLOAD,
    /** Your file offered to a user (it goes to the server, which keeps it for them). */
    OFFER_OUT,
    /** A file offered to you, accepted: saved in your downloads folder. */
    OFFER_IN
  }

  /** Where a transfer stands. */
  public enum State {
    RUNNING,
    /** Complete and verified by SHA-256 (the library checks every transfer). */
    DONE,
    FAILED
  }

  /** Completion from 0 to 1 (0 while the size is unknown). */
  public double fraction() {
    return total <= 0 ? (state == State.DONE ? 1 : 0) : Math.min(1, (double) done / total);
  }

  public boolean finished() {
    return state != State.RUNNING;
  }

  Transfer progress(long newDone, long newTotal, double rate, long eta) {
    return new Transfer(id, kind, name, peer, newDone, newTotal, rate, eta, state, detail);
  }

  Transfer ended(State newState, String newDetail) {
    long d = newState == State.DONE && total > 0 ? total : done;
    return new Transfer(id, kind, name, peer, d, total, bytesPerSecond, -1, newState, newDetail);
  }
}
