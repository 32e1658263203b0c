package dev.charla.server.core;

import dev.charla.protocol.FrameCodec;
import dev.charla.protocol.ProtocolException;
import dev.charla.protocol.ServerFrame;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link SessionLink} that records the frames the core sends, decoded. */
final class RecordingLink implements SessionLink {
  private static final FrameCodec codec = new FrameCodec();
  final List<ServerFrame> frames = new CopyOnWriteArrayList<>();
  final int port;
  volatile boolean closed;

  RecordingLink(int port) {
    this.port = port;
  }

  @Override
  public void deliver(byte[] frame) {
    try {
      frames.add(codec.decodeServer(frame));
    } catch (ProtocolException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String remoteIp() {
    return "192.0.2.1";
  }

  @Override
  public int remotePort() {
    return port;
  }

  @Override
  public String transport() {
    return "tcp";
  }

  <T extends ServerFrame> List<T> of(Class<T> type) {
    return frames.stream().filter(type::isInstance).map(type::cast).toList();
  }

  boolean hasError(String re, dev.charla.protocol.ErrorCode code) {
    return of(ServerFrame.Error.class).stream().anyMatch(e -> java.util.Objects.equals(e.re(), re) && e.code() == code);
  }
}
