package dev.charla.server;

import dev.charla.server.core.ChatConfig;
import dev.charla.server.core.ChatCore;
import dev.charla.server.core.Ticker;
import dev.charla.server.security.PasswordHasher;
import dev.charla.server.store.ChatStore;
import dev.charla.server.store.DirectoryFileBlobs;
import dev.charla.server.store.sqlite.SqliteChatStore;
import dev.charla.server.store.sqlite.SqliteFileStore;
import dev.charla.server.transport.NettyTransport;
import dev.charla.server.transport.tcp.TcpServer;
import dev.charla.server.transport.udp.UdpServer;
import dev.charla.server.transport.udp.UdpStats;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds the store, the core and the transports, and tears them down in the right order.
 * {@link ServerMain} runs one from the command line; tests run one in-process on port 0.
 */
public final class ChatServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChatServer.class);

  /** Everything needed to start a server. */
  /**
   * Everything needed to start a server. TCP and UDP listen on the same port number; with port 0 the system
   * picks a free TCP port and UDP takes the same number.
   */
  public record Options(
      String host, int port, Path database, SqliteChatStore.Durability durability, ChatConfig config,
      PasswordHasher.Params hashParams, int ioThreads, UdpServer.Options udp) {
    public static Options forTests(Path database) {
      return new Options("127.0.0.1", 0, database, SqliteChatStore.Durability.DURABLE, ChatConfig.defaults(),
          PasswordHasher.Params.OWASP, 2, UdpServer.Options.defaults());
    }

    public Options withConfig(ChatConfig c) {
      return new Options(host, port, database, durability, c, hashParams, ioThreads, udp);
    }

    public Options withPort(int p) {
      return new Options(host, p, database, durability, config, hashParams, ioThreads, udp);
    }

    public Options withUdp(UdpServer.Options u) {
      return new Options(host, port, database, durability, config, hashParams, ioThreads, u);
    }
  }

  private final ChatStore store;
  private final ChatCore core;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final EventLoopGroup udpLoop;
  private final TcpServer tcp;
  private final UdpServer udp;
  private volatile boolean closed;

  private ChatServer(ChatStore store, ChatCore core, EventLoopGroup boss, EventLoopGroup workers,
      EventLoopGroup udpLoop, TcpServer tcp, UdpServer udp) {
    this.store = store;
    this.core = core;
    this.boss = boss;
    this.workers = workers;
    this.udpLoop = udpLoop;
    this.tcp = tcp;
    this.udp = udp;
  }

  public static ChatServer start(Options o) throws InterruptedException {
    return start(o, Ticker.SYSTEM);
  }

  /** Starts a server whose core reads time from {@code ticker}: tests pass a clock they move. */
  public static ChatServer start(Options o, Ticker ticker) throws InterruptedException {
    SqliteChatStore store = SqliteChatStore.open(o.database(), o.durability());
    DirectoryFileBlobs blobs;
    try {
      // The file area lives next to the database: data/charla.db, data/files/<id>.
      blobs = new DirectoryFileBlobs(o.database().toAbsolutePath().resolveSibling("files"));
    } catch (java.io.IOException e) {
      store.close();
      throw new java.io.UncheckedIOException("cannot create the file area next to " + o.database(), e);
    }
    ChatCore core = new ChatCore(o.config(), store, new PasswordHasher(o.hashParams(), new java.security.SecureRandom()),
        ticker, new SqliteFileStore(store), blobs);
    NettyTransport transport = NettyTransport.best();
    EventLoopGroup boss = transport.newGroup(1);
    EventLoopGroup workers = transport.newGroup(o.ioThreads());
    // One thread serves the UDP socket and drives every UDP connection's state machine.
    EventLoopGroup udpLoop = transport.newGroup(1);
    TcpServer tcp = null;
    UdpServer udp = null;
    try {
      // With port 0 the system picks a free TCP port, and UDP wants the same number, which a UDP socket (another
      // program's, or a client's ephemeral port) may hold: then pick again.
      for (int attempt = 1; udp == null; attempt++) {
        tcp = TcpServer.bind(core, new InetSocketAddress(o.host(), o.port()), boss, workers, transport);
        try {
          udp = UdpServer.bind(core, new InetSocketAddress(o.host(), tcp.port()), udpLoop, transport, o.udp());
        } catch (Exception e) { // Netty rethrows the bind's IOException unchecked
          int taken = tcp.port();
          tcp.close();
          tcp = null;
          if (o.port() != 0 || attempt == 20) {
            throw new IllegalStateException("cannot bind UDP port " + taken + ": " + e.getMessage(), e);
          }
        }
      }
    } catch (Exception e) { // including the bind's IOException, which Netty rethrows unchecked
      if (tcp != null) {
        tcp.close();
      }
      core.close();
      store.close();
      boss.shutdownGracefully();
      workers.shutdownGracefully();
      udpLoop.shutdownGracefully();
      if (e instanceof InterruptedException ie) {
        throw ie;
      }
      if (e instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("cannot start: " + e.getMessage(), e);
    }
    log.info("Charla listening on {}:{} (tcp and udp, {}), store {}", o.host(), tcp.port(),
        transport.name().toLowerCase(java.util.Locale.ROOT), o.database());
    return new ChatServer(store, core, boss, workers, udpLoop, tcp, udp);
  }

  public int tcpPort() {
    return tcp.port();
  }

  public int udpPort() {
    return udp.port();
  }

  /** The direct-connection broker: how many links it brokered and messages it relayed. */
  public dev.charla.server.core.direct.DirectBroker direct() {
    return core.direct();
  }

  public UdpStats udpStats() {
    return udp.stats();
  }

  /**
   * Graceful shutdown: stop accepting, store and deliver every accepted message, tell clients goodbye, close the
   * store. Safe to call twice.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    tcp.close();
    core.close();
    udp.close();
    udpLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(100, 2000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    store.close();
    log.info("Charla stopped");
  }
}
