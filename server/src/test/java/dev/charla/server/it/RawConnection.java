package dev.charla.server.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** A bare TCP connection speaking the wire protocol by hand, as a stranger with nc would. */
final class RawConnection implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawConnection(int port) throws IOException {
    this(port, 0);
  }

  RawConnection(int port, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(5_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  RawConnection send(String line) throws IOException {
    return sendBytes((line + "\n").getBytes(UTF_8));
  }

  RawConnection sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Sends each byte in its own write, so frames arrive split at every possible point. */
  RawConnection sendByteByByte(String text) throws IOException {
    socket.setTcpNoDelay(true);
    for (byte b : text.getBytes(UTF_8)) {
      out.write(b);
      out.flush();
    }
    return this;
  }

  /** The next line from the server (without LF), or null at end of stream. Fails after 5 s. */
  String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        return line.size() == 0 ? null : line.toString(UTF_8);
      }
      if (b == '\n') {
        return line.toString(UTF_8);
      }
      line.write(b);
    }
  }

  /** Reads lines until one contains {@code fragment}; returns it. */
  String readUntil(String fragment) throws IOException {
    for (int i = 0; i < 10_000; i++) {
      String line = readLine();
      if (line == null) {
        throw new IOException("closed before a line containing " + fragment);
      }
      if (line.contains(fragment)) {
        return line;
      }
    }
    throw new IOException("no line containing " + fragment);
  }

  /** True if the server closed the connection (end of stream or reset) within 5 s, reading past any lines. */
  boolean closedByServer() throws IOException {
    byte[] sink = new byte[64 << 10];
    try {
      for (int i = 0; i < 1_000; i++) { // up to 64 MiB of frames still in flight
        if (in.read(sink) < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  /** Bytes the server has sent that are not read yet (what the kernel holds; never blocks). */
  int unread() throws IOException {
    return in.available();
  }

  RawConnection hello() throws IOException {
    send("{\"type\":\"hello\",\"v\":1,\"client\":\"raw\"}");
    readUntil("\"welcome\"");
    return this;
  }

  RawConnection guest(String name) throws IOException {
    send("{\"type\":\"guest\",\"id\":\"g\",\"name\":\"" + name + "\"}");
    readUntil("\"logged_in\"");
    return this;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
