package dev.charla.client.internal;

import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.Limits;
import dev.charla.protocol.ProtocolException;
import dev.charla.protocol.peer.PeerFrame;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * One TCP connection to a peer, speaking {@link PeerFrame}s as JSON lines (like the server protocol, with the same
 * frame limit). Blocking; used from virtual threads. {@link #send} may be called from any thread.
 */
final class PeerConnection implements PeerPath, AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final FrameCodec codec;

  PeerConnection(Socket socket, FrameCodec codec) throws IOException {
    this.socket = socket;
    this.codec = codec;
    socket.setTcpNoDelay(true);
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  @Override
  public synchronized void send(PeerFrame frame) throws IOException {
    byte[] bytes = codec.encode(frame);
    byte[] line = new byte[bytes.length + 1];
    System.arraycopy(bytes, 0, line, 0, bytes.length);
    line[bytes.length] = '\n';
    out.write(line);
    out.flush();
  }

  /** The next frame, or null at the end of the stream. Only one thread reads. */
  PeerFrame read() throws IOException, ProtocolException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      if (b == '\n') {
        return codec.decodePeer(line.toByteArray());
      }
      if (line.size() > Limits.MAX_FRAME_BYTES) {
        throw new ProtocolException(dev.charla.protocol.ErrorCode.FRAME_TOO_LARGE, "peer frame too large");
      }
      line.write(b);
    }
  }

  void readTimeout(long millis) throws IOException {
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, millis));
  }

  @Override
  public dev.charla.client.Transport kind() {
    return dev.charla.client.Transport.TCP;
  }

  @Override
  public InetSocketAddress remote() {
    return (InetSocketAddress) socket.getRemoteSocketAddress();
  }

  InetSocketAddress local() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
