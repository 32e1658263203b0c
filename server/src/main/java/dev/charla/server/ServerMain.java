package dev.charla.server;

import dev.charla.server.core.ChatConfig;
import dev.charla.server.security.PasswordHasher;
import dev.charla.server.store.sqlite.SqliteChatStore;
import dev.charla.server.transport.udp.UdpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code charla-server}: runs a Charla server until SIGTERM or Ctrl-C, then shuts down gracefully. */
@Command(
    name = "charla-server",
    mixinStandardHelpOptions = true,
    version = "charla-server 0.1",
    description = "Runs a Charla chat server (TCP and UDP) with an embedded SQLite store.",
    sortOptions = false)
public final class ServerMain implements Callable<Integer> {
  @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host = "0.0.0.0";

  @Option(names = {"-p", "--port"},
      description = "TCP and UDP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port = 7420;

  @Option(names = "--db", description = "SQLite database file, created on first run (default: ${DEFAULT-VALUE}).")
  Path database = Path.of("data", "charla.db");

  @Option(names = "--durability",
      description = "DURABLE (fsync each group commit; survives power loss) or FAST (no fsync; benchmarks only). "
          + "Default: ${DEFAULT-VALUE}.")
  SqliteChatStore.Durability durability = SqliteChatStore.Durability.DURABLE;

  @Option(names = "--show-addresses",
      description = "Who sees sessions' IP and port: EVERYONE (as the original system) or SELF. Default: ${DEFAULT-VALUE}.")
  ChatConfig.AddressVisibility addressVisibility = ChatConfig.AddressVisibility.EVERYONE;

  @Option(names = "--messages-per-second", description = "Flood limit: sends per session per second (default: ${DEFAULT-VALUE}).")
  int messagesPerSecond = ChatConfig.defaults().messagesPerSecond();

  @Option(names = "--message-burst", description = "Flood limit: burst of sends per session (default: ${DEFAULT-VALUE}).")
  int messageBurst = ChatConfig.defaults().messageBurst();

  @Option(names = "--max-connections-per-ip", description = "Simultaneous connections per IP (default: ${DEFAULT-VALUE}).")
  int maxConnectionsPerIp = ChatConfig.defaults().maxConnectionsPerIp();

  @Option(names = "--login-timeout", description = "Seconds a connection may stay without logging in (default: ${DEFAULT-VALUE}).")
  long loginTimeoutSeconds = ChatConfig.defaults().loginTimeout().toSeconds();

  @Option(names = "--max-file-size",
      description = "Largest file a user may upload or offer, in MiB (default: ${DEFAULT-VALUE}).")
  long maxFileMiB = ChatConfig.defaults().maxFileBytes() >> 20;

  @Option(names = "--file-quota",
      description = "Bytes each registered user may keep in the file area (files, offers, unfinished uploads), in MiB "
          + "(default: ${DEFAULT-VALUE}).")
  long fileQuotaMiB = ChatConfig.defaults().fileQuotaBytes() >> 20;

  @Option(names = "--upload-expiry",
      description = "Hours an unfinished upload may go without a chunk before it is deleted and its quota freed "
          + "(default: ${DEFAULT-VALUE}).")
  long uploadExpiryHours = ChatConfig.defaults().uploadExpiry().toHours();

  @Option(names = "--offer-expiry",
      description = "Days a file offer may stay neither accepted nor declined before it is withdrawn and deleted "
          + "(default: ${DEFAULT-VALUE}).")
  long offerExpiryDays = ChatConfig.defaults().offerExpiry().toDays();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--ack-coalesce-ms",
      description = "On a busy server (committed batches of 16 or more sends), how long a sender's own "
          + "acknowledgement of a private message may wait to share a write with the next frame to that session; "
          + "0 sends it at once (default: ${DEFAULT-VALUE}).")
  long ackCoalesceMillis = ChatConfig.defaults().ackCoalesceDelay().toMillis();

  @Option(names = "--io-threads", description = "Netty event loop threads (default: number of cores).")
  int ioThreads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--unlimited",
      description = "Lift flood and login limits (for load tests on loopback; never on a public server).")
  boolean unlimited;

  @Override
  public Integer call() throws Exception {
    if (ackCoalesceMillis < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--ack-coalesce-ms must be 0 or more");
    }
    ChatConfig config = ChatConfig.defaults().toBuilder()
        .messagesPerSecond(messagesPerSecond)
        .messageBurst(messageBurst)
        .maxConnectionsPerIp(maxConnectionsPerIp)
        .loginTimeout(Duration.ofSeconds(loginTimeoutSeconds))
        .addressVisibility(addressVisibility)
        .maxFileBytes(maxFileMiB << 20)
        .fileQuotaBytes(fileQuotaMiB << 20)
        .uploadExpiry(Duration.ofHours(uploadExpiryHours))
        .offerExpiry(Duration.ofDays(offerExpiryDays))
        .ackCoalesceDelay(Duration.ofMillis(ackCoalesceMillis))
        .build();
    if (unlimited) {
      config = config.unlimited();
    }
    Path parent = database.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    UdpServer.Options udp = unlimited ? UdpServer.Options.defaults().unlimited() : UdpServer.Options.defaults();
    ChatServer server = ChatServer.start(new ChatServer.Options(host, port, database, durability, config,
        PasswordHasher.Params.OWASP, ioThreads, udp));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "charla-shutdown"));
    stopped.await();
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ServerMain()).execute(args));
  }
}
