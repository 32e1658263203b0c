package dev.charla.desktop;

import dev.charla.client.CharlaClient;
import dev.charla.client.ChatListener;
import dev.charla.server.ChatServer;
import dev.charla.server.core.ChatConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A real server on an ephemeral loopback port with a real SQLite file, plus the library clients a test opens. */
public final class TestServer implements AutoCloseable {
  private ChatServer.Options options;
  private ChatServer server;
  private final List<CharlaClient> clients = new ArrayList<>();

  public TestServer(Path dir) throws InterruptedException {
    // Many logins from 127.0.0.1 in a few seconds: lift the per-address throttles that would refuse them.
    this.options = ChatServer.Options.forTests(dir.resolve("charla.db")).withConfig(ChatConfig.defaults().unlimited());
    this.server = ChatServer.start(options);
  }

  public int port() {
    return options.port() != 0 ? options.port() : server.tcpPort();
  }

  /** Stops the server; {@link #startAgain} brings it back on the same port and database. */
  public void stop() {
    options = options.withPort(server.tcpPort());
    server.close();
  }

  public void startAgain() throws InterruptedException {
    server = ChatServer.start(options);
  }

  /** A library client, connected (not logged in), whose events run on its own thread. */
  public CharlaClient client(ChatListener listener) {
    CharlaClient c =
        CharlaClient.builder().host("127.0.0.1").port(port()).clientLabel("test").listener(listener).build();
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
