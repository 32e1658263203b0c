package dev.charla.server;

import dev.charla.server.core.ChatConfig;
import dev.charla.server.core.ChatCore;
import dev.charla.server.core.Ticker;
import dev.charla.server.security.PasswordHasher;
import dev.charla.server.store.ChatStore;
import dev.charla.server.store.sqlite.SqliteChatStore;
import dev.charla.server.transport.tcp.TcpServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
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
  public record Options(
      String host, int port, Path database, SqliteChatStore.Durability durability, ChatConfig config,
      PasswordHasher.Params hashParams, int ioThreads) {
    public static Options forTests(Path database) {
      return new Options("127.0.0.1", 0, database, SqliteChatStore.Durability.DURABLE, ChatConfig.defaults(),
          PasswordHasher.Params.OWASP, 2);
    }

    public Options withConfig(ChatConfig c) {
      return new Options(host, port, database, durability, c, hashParams, ioThreads);
    }

    public Options withPort(int p) {
      return new Options(host, p, database, durability, config, hashParams, ioThreads);
    }
  }

  private final ChatStore store;
  private final ChatCore core;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final TcpServer tcp;
  private volatile boolean closed;

  private ChatServer(ChatStore store, ChatCore core, EventLoopGroup boss, EventLoopGroup workers, TcpServer tcp) {
    this.store = store;
    this.core = core;
    this.boss = boss;
    this.workers = workers;
    this.tcp = tcp;
  }

  public static ChatServer start(Options o) throws InterruptedException {
    ChatStore store = SqliteChatStore.open(o.database(), o.durability());
    ChatCore core = new ChatCore(o.config(), store, new PasswordHasher(o.hashParams(), new java.security.SecureRandom()),
        Ticker.SYSTEM);
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(o.ioThreads(), NioIoHandler.newFactory());
    TcpServer tcp;
    try {
      tcp = TcpServer.bind(core, new InetSocketAddress(o.host(), o.port()), boss, workers);
    } catch (RuntimeException | InterruptedException e) {
      core.close();
      store.close();
      boss.shutdownGracefully();
      workers.shutdownGracefully();
      throw e;
    }
    log.info("Charla listening on {}:{} (tcp), store {}", o.host(), tcp.port(), o.database());
    return new ChatServer(store, core, boss, workers, tcp);
  }

  public int tcpPort() {
    return tcp.port();
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
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(100, 2000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    store.close();
    log.info("Charla stopped");
  }
}
