package dev.charla.protocol;

/** The protocol's fixed limits. Server-configurable limits (rates, timeouts, quotas) live in the server config. */
public final class Limits {
  /** Protocol version spoken by this library. */
  public static final int PROTOCOL_VERSION = 1;

  /** Largest frame in bytes: a TCP line without its LF, or a reassembled UDP message. */
  public static final int MAX_FRAME_BYTES = 65_536;

  /** Longest message text, in UTF-16 chars (as Java and JavaScript count). */
  public static final int MAX_TEXT_CHARS = 4_000;

  /** Longest room topic, in chars. */
  public static final int MAX_TOPIC_CHARS = 300;

  /** Longest client message id and request id, in chars. */
  public static final int MAX_ID_CHARS = 64;

  /** Longest client label sent in hello, in chars. */
  public static final int MAX_CLIENT_LABEL_CHARS = 64;

  /** Password length bounds for registration, in chars. */
  public static final int MIN_PASSWORD_CHARS = 8;
  public static final int MAX_PASSWORD_CHARS = 256;

  /** Most messages in one history page. */
  public static final int MAX_HISTORY_PAGE = 200;

  /**
   * Most file bytes in one {@code chunk} frame. Base64 makes 32 768 bytes 43 692 characters, so a chunk frame
   * stays near 44 KB, well under {@link #MAX_FRAME_BYTES} on TCP and UDP alike.
   */
  public static final int FILE_CHUNK_BYTES = 32_768;

  /** Chunks a sender may have unacknowledged in one transfer (flow control: 16 × 32 KiB = 512 KiB in flight). */
  public static final int FILE_WINDOW_CHUNKS = 16;

  /** Longest file name, in chars. */
  public static final int MAX_FILE_NAME_CHARS = 255;

  /** Most candidate addresses in one {@code direct} or {@code direct_accept} frame. */
  public static final int MAX_DIRECT_CANDIDATES = 8;

  private Limits() {}
}
