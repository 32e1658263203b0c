package dev.charla.protocol.peer;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The peer handshake's arithmetic: nonces and the proofs {@code HMAC-SHA256(secret, role ‖ nonce)}. The secret
 * never crosses the direct connection; the role in the MAC stops an end from reflecting the other's proof back.
 */
public final class PeerHandshake {
  private static final SecureRandom RANDOM = new SecureRandom();

  private PeerHandshake() {}

  /** A fresh 128-bit nonce, base64. */
  public static String nonce() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  /** The proof that {@code role} knows {@code secret} (base64), bound to the other end's {@code nonce}. */
  public static String proof(String secret, String role, String nonce) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret), "HmacSHA256"));
      mac.update(role.getBytes(StandardCharsets.US_ASCII));
      mac.update((byte) 0);
      mac.update(nonce.getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(mac.doFinal());
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot compute peer proof", e);
    }
  }

  /** Checks {@code mac} in constant time. */
  public static boolean verify(String secret, String role, String nonce, String mac) {
    if (mac == null) {
      return false;
    }
    byte[] expected = proof(secret, role, nonce).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, mac.getBytes(StandardCharsets.US_ASCII));
  }
}
