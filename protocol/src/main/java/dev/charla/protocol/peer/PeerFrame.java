package dev.charla.protocol.peer;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;

/**
 * Frames two clients exchange over a direct TCP connection (docs/PROTOCOL.md, "Direct connections"): JSON lines
 * like the server protocol. Order on each connection: {@code peer_hello}, then {@code auth} once the other's
 * nonce is known, then (requester only) {@code use} on the one connection it keeps, then {@code msg} and finally
 * {@code bye}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(PeerFrame.Hello.class),
  @JsonSubTypes.Type(PeerFrame.Auth.class),
  @JsonSubTypes.Type(PeerFrame.Use.class),
  @JsonSubTypes.Type(PeerFrame.Msg.class),
  @JsonSubTypes.Type(PeerFrame.Bye.class),
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
}
