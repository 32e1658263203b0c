package dev.charla.server.it;

import dev.charla.client.CharlaClient;
import dev.charla.server.ChatServer;
import dev.charla.server.core.ChatConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** A real server on an ephemeral loopback port with a real SQLite file, plus the clients a test opens. */
final class TestServer implements AutoCloseable {
  final Path database;
  private ChatServer.Options options;
  private ChatServer server;
  private final List<CharlaClient> clients = new ArrayList<>();

  TestServer(Path dir) throws InterruptedException {
    this(dir, c -> c);
  }

  TestServer(Path dir, UnaryOperator<ChatConfig> config) throws InterruptedException {
    this.database = dir.resolve("charla.db");
    this.options = ChatServer.Options.forTests(database).withConfig(config.apply(ChatConfig.defaults()));
    this.server = ChatServer.start(options);
  }

  int port() {
    return server.tcpPort();
  }

  /** Stops the server gracefully and starts it again on the same port and database. */
  void restart() throws InterruptedException {
    int port = server.tcpPort();
    server.close();
    options = options.withPort(port);
    server = ChatServer.start(options);
  }

  void stop() {
    server.close();
  }

  void startAgain() throws InterruptedException {
    server = ChatServer.start(options);
  }

  CharlaClient client(RecordingListener listener) {
    CharlaClient c = CharlaClient.builder().host("127.0.0.1").port(port()).clientLabel("test").listener(listener).build();
    clients.add(c);
    c.connect().join();
    return c;
  }

  @Override
  public void close() {
    clients.forEach(CharlaClient::close);
    server.close();
  }
}
