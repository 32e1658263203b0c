package dev.charla.client.internal;

import dev.charla.client.Transport;
import dev.charla.protocol.peer.PeerFrame;
import java.io.IOException;
import java.net.InetSocketAddress;

/** An authenticated path to a peer that carries {@link PeerFrame}s reliably and in order: TCP or UDP. */
interface PeerPath {
  /** Sends one frame; may block briefly for flow control. Any thread. */
  void send(PeerFrame frame) throws IOException;

  InetSocketAddress remote();

  Transport kind();

  /** Closes the path at once; the peer finds out (TCP: end of stream; UDP: a CLOSE with the reason, if open). */
  void close();
}
