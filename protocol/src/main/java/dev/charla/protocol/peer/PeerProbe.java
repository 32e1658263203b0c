package dev.charla.protocol.peer;

import dev.charla.protocol.udp.DatagramCodec;
import dev.charla.protocol.udp.MalformedDatagramException;
import dev.charla.protocol.udp.Packet;
import dev.charla.protocol.udp.PacketType;
import java.util.Arrays;
import java.util.Base64;

/**
 * The payload of a {@link PacketType#PEER_PROBE} or {@link PacketType#PEER_USE} datagram between two peers
 * (docs/PROTOCOL.md, "UDP paths"): the sender's role ({@code a} or {@code b}), its 16-byte nonce for this link, and,
 * once it knows the other end's nonce, a 32-byte proof of the secret: HMAC-SHA256(secret, role ‖ 0x00 ‖ the other
 * end's nonce in base64) for a probe, the same with role {@code a-use}/{@code b-use} for a use, so a probe cannot be
 * replayed as a use. Layout: {@code role (1 byte, ASCII) | nonce (16) | proof (0 or 32)}.
 */
public record PeerProbe(char role, byte[] nonce, byte[] proof) {
  public static final int NONCE_BYTES = 16;
  public static final int PROOF_BYTES = 32;

  public PeerProbe {
    if (role != 'a' && role != 'b') {
      throw new IllegalArgumentException("role must be a or b, not " + role);
    }
    if (nonce.length != NONCE_BYTES || (proof != null && proof.length != PROOF_BYTES)) {
      throw new IllegalArgumentException("bad nonce or proof length");
    }
  }

  /** This probe as a datagram of the given type for the link's connection id. */
  public byte[] encode(PacketType type, long connectionId) {
    byte[] payload = new byte[1 + NONCE_BYTES + (proof == null ? 0 : PROOF_BYTES)];
    payload[0] = (byte) role;
    System.arraycopy(nonce, 0, payload, 1, NONCE_BYTES);
    if (proof != null) {
      System.arraycopy(proof, 0, payload, 1 + NONCE_BYTES, PROOF_BYTES);
    }
    return DatagramCodec.encode(new Packet.Control(type, connectionId, payload));
  }

  /** The probe in a control packet's payload, or null if it is not one. */
  public static PeerProbe decode(byte[] payload) {
    if (payload.length != 1 + NONCE_BYTES && payload.length != 1 + NONCE_BYTES + PROOF_BYTES) {
      return null;
    }
    char role = (char) payload[0];
    if (role != 'a' && role != 'b') {
      return null;
    }
    byte[] nonce = Arrays.copyOfRange(payload, 1, 1 + NONCE_BYTES);
    byte[] proof = payload.length > 1 + NONCE_BYTES
        ? Arrays.copyOfRange(payload, 1 + NONCE_BYTES, payload.length) : null;
    return new PeerProbe(role, nonce, proof);
  }

  /** Decodes a whole datagram: a probe or use for {@code connectionId}, or null for anything else. */
  public static Packet.Control control(byte[] datagram, int length, long connectionId) {
    try {
      if (DatagramCodec.decode(datagram, 0, length) instanceof Packet.Control c && c.connectionId() == connectionId
          && (c.type() == PacketType.PEER_PROBE || c.type() == PacketType.PEER_USE)) {
        return c;
      }
    } catch (MalformedDatagramException e) {
      // not ours
    }
    return null;
  }

  /** The proof {@code role} sends to show it knows {@code secret}, bound to the other end's nonce and the type. */
  public static byte[] prove(String secret, char role, PacketType type, byte[] otherNonce) {
    String r = type == PacketType.PEER_USE ? role + "-use" : String.valueOf(role);
    return Base64.getDecoder().decode(PeerHandshake.proof(secret, r, Base64.getEncoder().encodeToString(otherNonce)));
  }

  /** Whether this probe proves the secret for its sender's role, bound to {@code myNonce}. */
  public boolean proves(String secret, PacketType type, byte[] myNonce) {
    return proof != null && java.security.MessageDigest.isEqual(prove(secret, role, type, myNonce), proof);
  }

  /** The UDP connection id both peers use for a link: the first 8 bytes of HMAC-SHA256(secret, "udp"). */
  public static long connectionId(String secret) {
    byte[] mac = Base64.getDecoder().decode(PeerHandshake.proof(secret, "udp", ""));
    long id = 0;
    for (int i = 0; i < 8; i++) {
      id = (id << 8) | (mac[i] & 0xFF);
    }
    return id;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerProbe p && p.role == role && Arrays.equals(p.nonce, nonce) && Arrays.equals(p.proof, proof);
  }

  @Override
  public int hashCode() {
    return role * 31 + Arrays.hashCode(nonce);
  }

  @Override
  public String toString() {
    return "PeerProbe[role=" + role + ", proof=" + (proof != null) + "]";
  }
}
