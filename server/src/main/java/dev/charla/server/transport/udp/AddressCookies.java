package dev.charla.server.transport.udp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless address-validation cookies for the UDP handshake: {@code timestamp (8 bytes) ‖ HMAC-SHA256(secret,
 * ip ‖ port ‖ connection id ‖ timestamp)[0..16)}. A client can only echo a valid cookie if it receives datagrams
 * at the address it claims, so spoofed HELLOs cost the server no memory. The secret is random per server run.
 *
 * <p>Thread rules: confined to the UDP event loop (a {@link Mac} is not thread-safe).
 */
final class AddressCookies {
  static final int COOKIE_BYTES = 8 + 16;
  private final Mac mac;
  private final long lifetimeMillis;

  AddressCookies(SecureRandom random, long lifetimeMillis) {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
    this.lifetimeMillis = lifetimeMillis;
  }

  byte[] mint(InetSocketAddress address, long connectionId, long nowMillis) {
    byte[] cookie = new byte[COOKIE_BYTES];
    ByteBuffer.wrap(cookie).putLong(nowMillis);
    System.arraycopy(tag(address, connectionId, nowMillis), 0, cookie, 8, 16);
    return cookie;
  }

  /** Whether the first {@link #COOKIE_BYTES} of {@code payload} are a fresh cookie for this address and id. */
  boolean valid(byte[] payload, InetSocketAddress address, long connectionId, long nowMillis) {
    if (payload.length < COOKIE_BYTES) {
      return false;
    }
    long minted = ByteBuffer.wrap(payload).getLong();
    if (minted > nowMillis + 1_000 || nowMillis - minted > lifetimeMillis) {
      return false;
    }
    byte[] expected = java.util.Arrays.copyOf(tag(address, connectionId, minted), 16);
    byte[] given = new byte[16];
    System.arraycopy(payload, 8, given, 0, 16);
    return MessageDigest.isEqual(expected, given);
  }

  private byte[] tag(InetSocketAddress address, long connectionId, long minted) {
    mac.update(address.getAddress().getAddress());
    mac.update(ByteBuffer.allocate(20).putInt(address.getPort()).putLong(connectionId).putLong(minted).array());
    return mac.doFinal();
  }
}
