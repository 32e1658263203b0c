package dev.charla.server.it;

import dev.charla.client.CharlaClient;
import dev.charla.client.Transport;
import dev.charla.server.transport.udp.UdpServer;
import dev.charla.server.ChatServer;
import dev.charla.server.core.ChatConfig;
import dev.charla.server.core.Ticker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** A real server on an ephemeral loopback port with a real SQLite file, plus the clients a test opens. */
final class TestServer implements AutoCloseable {
  final Path database;
  /** The server's clock, kept across restarts: the system's, or one the test moves. */
  private final Ticker ticker;
  private ChatServer.Options options;
  private ChatServer server;
  private final List<CharlaClient> clients = new ArrayList<>();

  TestServer(Path dir) throws InterruptedException {
    this(dir, c -> c);
  }

  TestServer(Path dir, UnaryOperator<ChatConfig> config) throws InterruptedException {
    this(dir, config, u -> u);
  }

  TestServer(Path dir, UnaryOperator<ChatConfig> config, UnaryOperator<UdpServer.Options> udp)
      throws InterruptedException {
    this(dir, config, udp, Ticker.SYSTEM);
  }

  /** A server whose core reads time from {@code ticker}. */
  TestServer(Path dir, UnaryOperator<ChatConfig> config, Ticker ticker) throws InterruptedException {
    this(dir, config, u -> u, ticker);
  }

  private TestServer(Path dir, UnaryOperator<ChatConfig> config, UnaryOperator<UdpServer.Options> udp, Ticker ticker)
      throws InterruptedException {
    this.database = dir.resolve("charla.db");
    this.ticker = ticker;
    ChatServer.Options o = ChatServer.Options.forTests(database).withConfig(config.apply(ChatConfig.defaults()));
    this.options = o.withUdp(udp.apply(o.udp()));
    this.server = ChatServer.start(options, ticker);
  }

  int port() {
    return server.tcpPort();
  }

  /** Stops the server gracefully and starts it again on the same port and database. */
  void restart() throws InterruptedException {
    int port = server.tcpPort();
    server.close();
    options = options.withPort(port);
    server = ChatServer.start(options, ticker);
  }

  /** Stops the server; {@link #startAgain} brings it back on the same port and database. */
  void stop() {
    options = options.withPort(server.tcpPort());
    server.close();
  }

  void startAgain() throws InterruptedException {
    server = ChatServer.start(options, ticker);
  }

  CharlaClient client(RecordingListener listener) {
    return client(listener, Transport.TCP, port());
  }

  CharlaClient udpClient(RecordingListener listener) {
    return client(listener, Transport.UDP, port());
  }

  /** A connected client over the given transport to the given port (the server's, or a relay's). */
  CharlaClient client(RecordingListener listener, Transport transport, int port) {
    CharlaClient c = unconnected(listener, transport, port);
    c.connect().join();
    return c;
  }

  CharlaClient unconnected(RecordingListener listener, Transport transport, int port) {
    CharlaClient c = CharlaClient.builder().host("127.0.0.1").port(port).transport(transport)
        .clientLabel("test-" + transport.wire()).listener(listener).build();
    clients.add(c);
    return c;
  }

  dev.charla.server.core.direct.DirectBroker direct() {
    return server.direct();
  }

  /** A connected TCP client with options of its own (direct paths, timeouts). */
  CharlaClient client(RecordingListener listener, java.util.function.UnaryOperator<CharlaClient.Builder> options) {
    CharlaClient c = options.apply(CharlaClient.builder().host("127.0.0.1").port(port()).listener(listener)).build();
    clients.add(c);
    c.connect().join();
    return c;
  }

  dev.charla.server.transport.udp.UdpStats udpStats() {
    return server.udpStats();
  }

  @Override
  public void close() {
    clients.forEach(CharlaClient::close);
    server.close();
  }
}
