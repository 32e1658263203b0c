package dev.charla.protocol.peer;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.charla.protocol.Base64Bytes;
import dev.charla.protocol.ErrorCode;
import dev.charla.protocol.Limits;

/**
 * Frames two clients exchange over a direct connection (docs/PROTOCOL.md, "Direct connections"): JSON, as lines on
 * TCP or as one reliable message each on a UDP path. Order on a TCP connection: {@code peer_hello}, then
 * {@code auth} once the other's nonce is known, then (requester only) {@code use} on the one connection it keeps,
 * then {@code msg} and file frames, and finally {@code bye}. A UDP path authenticates with probe datagrams instead
 * ({@link PeerProbe}) and starts directly with {@code msg} and file frames.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(PeerFrame.Hello.class),
  @JsonSubTypes.Type(PeerFrame.Auth.class),
  @JsonSubTypes.Type(PeerFrame.Use.class),
  @JsonSubTypes.Type(PeerFrame.Msg.class),
  @JsonSubTypes.Type(PeerFrame.Bye.class),
  @JsonSubTypes.Type(PeerFrame.FileOffer.class),
  @JsonSubTypes.Type(PeerFrame.FileAnswer.class),
  @JsonSubTypes.Type(PeerFrame.FileChunk.class),
  @JsonSubTypes.Type(PeerFrame.FileAck.class),
  @JsonSubTypes.Type(PeerFrame.FileEnd.class),
})
public sealed interface PeerFrame {

  /** First frame from both ends: the link this connection is for and a fresh 16-byte nonce (base64). */
  @JsonTypeName("peer_hello")
  record Hello(String link, String nonce) implements PeerFrame {}

  /** Proof of the secret: base64 of HMAC-SHA256(secret, role ‖ the other end's nonce). */
  @JsonTypeName("auth")
  record Auth(String mac) implements PeerFrame {}

  /** Sent by the requester (role a) on the one authenticated connection both ends keep; others are closed. */
  @JsonTypeName("use")
  record Use() implements PeerFrame {}

  @JsonTypeName("msg")
  record Msg(String text) implements PeerFrame {}

  /** The conversation ends; the connection closes after it. */
  @JsonTypeName("bye")
  record Bye(String reason) implements PeerFrame {}

  /**
   * The sender offers a file: {@code xfer} is its id for this transfer (≤ 64 chars), then the name (only shown;
   * the recipient makes it safe), size and SHA-256 (64 lower-case hex).
   */
  @JsonTypeName("file_offer")
  record FileOffer(String xfer, String name, long size, String sha256) implements PeerFrame {
    public FileOffer {
      if (xfer == null || xfer.isEmpty() || xfer.length() > Limits.MAX_ID_CHARS || name == null || size < 0
          || sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException("bad file_offer");
      }
    }
  }

  /**
   * The recipient's answer: {@code accept} false declines; true asks for the bytes from {@code offset} on (the
   * length of a partial file it kept from an interrupted transfer of the same content, else 0).
   */
  @JsonTypeName("file_answer")
  record FileAnswer(String xfer, boolean accept, long offset) implements PeerFrame {}

  /** File bytes at {@code offset}, in order, at most {@link Limits#FILE_CHUNK_BYTES}. */
  @JsonTypeName("file_chunk")
  record FileChunk(String xfer, long offset,
      @JsonSerialize(using = Base64Bytes.Serializer.class) @JsonDeserialize(using = Base64Bytes.Deserializer.class)
      byte[] data) implements PeerFrame {
    public FileChunk {
      if (xfer == null || data == null || data.length > Limits.FILE_CHUNK_BYTES || offset < 0) {
        throw new IllegalArgumentException("bad file_chunk");
      }
    }

    @Override
    public String toString() {
      return "FileChunk[xfer=" + xfer + ", offset=" + offset + ", " + data.length + " bytes]";
    }
  }

  /** The recipient has written the bytes below {@code next}; the sender keeps at most the window beyond it. */
  @JsonTypeName("file_ack")
  record FileAck(String xfer, long next) implements PeerFrame {}

  /**
   * The transfer ended (either side): {@code code} null means success (the recipient verified the SHA-256 and
   * saved the file); otherwise a stable error code such as {@code checksum_mismatch} or {@code declined}.
   */
  @JsonTypeName("file_end")
  record FileEnd(String xfer, ErrorCode code, String message) implements PeerFrame {}
}
