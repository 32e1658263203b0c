package dev.charla.server.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Session resume tokens: 256 random bits handed to the client once, stored by the server only as their
 * SHA-256, so a leaked database does not let anyone resume a session.
 *
 * <p>A plain hash (no salt, no stretching) is enough here, unlike for passwords: the token is uniformly random
 * with 256 bits of entropy, so there is nothing to guess. Thread-safe. Never log a token.
 */
public final class ResumeTokens {
  /** Random bytes per token. */
  public static final int TOKEN_BYTES = 32;

  /** Length of a token's text: 32 bytes in base64url without padding. */
  public static final int TOKEN_CHARS = 43;

  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private final SecureRandom random;

  public ResumeTokens() {
    this(new SecureRandom());
  }

  public ResumeTokens(SecureRandom random) {
    this.random = random;
  }

  /** A fresh token: {@value #TOKEN_BYTES} random bytes as base64url without padding. */
  public String generate() {
    byte[] bytes = new byte[TOKEN_BYTES];
    random.nextBytes(bytes);
    return B64URL.encodeToString(bytes);
  }

  /** The SHA-256 of the token's UTF-8 bytes: the only form in which a token is stored or looked up. */
  public static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every Java platform has SHA-256", e);
    }
  }
}
