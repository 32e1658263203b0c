package dev.charla.protocol.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charla.protocol.udp.Packet;
import dev.charla.protocol.udp.PacketType;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PeerProbeTest {
  private final long seed = System.nanoTime();
  private final Random random = new Random(seed);

  private String secret() {
    System.out.println("seed " + seed);
    byte[] s = new byte[32];
    random.nextBytes(s);
    return Base64.getEncoder().encodeToString(s);
  }

  private byte[] nonce() {
    byte[] n = new byte[PeerProbe.NONCE_BYTES];
    random.nextBytes(n);
    return n;
  }

  @Test
  void aProbeRoundTripsAndProvesTheSecretOnlyForItsRoleTypeAndNonce() {
    String secret = secret();
    byte[] aNonce = nonce();
    byte[] bNonce = nonce();
    long id = PeerProbe.connectionId(secret);
    byte[] proof = PeerProbe.prove(secret, 'b', PacketType.PEER_PROBE, aNonce);
    byte[] datagram = new PeerProbe('b', bNonce, proof).encode(PacketType.PEER_PROBE, id);
    assertThat(datagram).hasSize(12 + 1 + 16 + 32);

    Packet.Control c = PeerProbe.control(datagram, datagram.length, id);
    PeerProbe p = PeerProbe.decode(c.payload());
    assertThat(p.role()).isEqualTo('b');
    assertThat(p.nonce()).isEqualTo(bNonce);
    assertThat(p.proves(secret, PacketType.PEER_PROBE, aNonce)).isTrue();
    // Not as a use, not for another nonce, not with another secret, not for another link's connection id.
    assertThat(p.proves(secret, PacketType.PEER_USE, aNonce)).isFalse();
    assertThat(p.proves(secret, PacketType.PEER_PROBE, nonce())).isFalse();
    assertThat(p.proves(secret(), PacketType.PEER_PROBE, aNonce)).isFalse();
    assertThat(PeerProbe.control(datagram, datagram.length, id + 1)).isNull();
    // Reflected back with the other role, the same proof fails.
    assertThat(new PeerProbe('a', bNonce, proof).proves(secret, PacketType.PEER_PROBE, aNonce)).isFalse();
  }

  @Test
  void aFirstProbeWithoutProofAndGarbageDecodeSafely() {
    byte[] first = new PeerProbe('a', nonce(), null).encode(PacketType.PEER_PROBE, 7);
    assertThat(first).hasSize(12 + 17);
    assertThat(PeerProbe.decode(PeerProbe.control(first, first.length, 7).payload()).proof()).isNull();
    assertThat(PeerProbe.decode(new byte[5])).isNull();
    assertThat(PeerProbe.decode(new byte[17])).isNull(); // role byte 0
    assertThat(PeerProbe.control(new byte[] {1, 2, 3}, 3, 7)).isNull();
  }
}
