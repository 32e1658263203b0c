package dev.charla.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The IRC baseline: an established server (ngircd, as packaged by Debian: {@code apt-get install ngircd}) started
 * per run, and the few IRC steps the baseline scenarios need: register, join, answer PINGs.
 */
final class Irc {
  private Irc() {}

  /**
   * Starts ngircd from {@code executable} on a free loopback port, configured like Charla's {@code --unlimited}:
   * no connection, join or flood limits (penalties off), no DNS or ident lookups. It keeps no history and stores
   * nothing.
   */
  static ServerProcess startNgircd(String executable) throws IOException, InterruptedException {
    int port = ServerProcess.freeTcpAndUdpPort();
    Path dir = Files.createTempDirectory("charla-bench-irc-");
    Path conf = dir.resolve("ngircd.conf");
    Files.writeString(conf, """
        [Global]
        Name = bench.irc
        Info = Charla bench baseline
        Listen = 127.0.0.1
        Ports = %d
        [Limits]
        MaxConnections = 0
        MaxConnectionsIP = 0
        MaxJoins = 0
        MaxNickLength = 30
        MaxPenaltyTime = 0
        PingTimeout = 600
        PongTimeout = 600
        [Options]
        DNS = no
        Ident = no
        PAM = no
        """.formatted(port));
    try {
      return ServerProcess.launch(List.of(executable, "--nodaemon", "--config", conf.toString()), port, dir,
          "ngircd.log", 30);
    } catch (IOException e) {
      throw new IOException(e.getMessage() + " (the baseline needs ngircd: apt-get install ngircd)", e);
    }
  }

  /**
   * Connects and registers (NICK, USER) {@code members} clients named {@code prefix + i}; each is ready at its
   * 001, and its {@link LoadClient.Conn#name} is its nick.
   */
  static List<LoadClient.Conn> register(Env env, ServerUnderTest server, int members, String prefix)
      throws InterruptedException {
    // Few at a time: ngircd listens with a short backlog, and SYNs it drops are retried after 1, 3, 7 s.
    Semaphore permits = new Semaphore(10);
    CountDownLatch done = new CountDownLatch(members);
    LoadClient.Conn[] ok = new LoadClient.Conn[members];
    for (int i = 0; i < members; i++) {
      permits.acquire();
      final int index = i;
      String nick = prefix + i;
      LoadClient.Conn conn = new LoadClient.TcpConn(i, new LoadClient.Conn.Listener() {
        boolean finished;

        @Override
        public void onLine(LoadClient.Conn c, io.netty.buffer.ByteBuf line, Wire.Type type) {
          String text = line.toString(StandardCharsets.UTF_8);
          if (answerPing(c, text) || finished) {
            return;
          }
          if (text.contains(" 001 ")) {
            c.name = nick;
            ok[index] = c;
            finish();
          } else if (text.startsWith("ERROR") || text.contains(" 433 ")) { // closing link, nick in use
            finish();
          }
        }

        @Override
        public void onClosed(LoadClient.Conn c) {
          if (!finished) {
            finish();
          }
        }

        private void finish() {
          finished = true;
          permits.release();
          done.countDown();
        }
      });
      env.client().connect(server.host(), server.port(), conn).whenComplete((c, err) -> {
        if (err != null) {
          permits.release();
          done.countDown();
        } else {
          c.write(("NICK " + nick + "\r\nUSER " + nick + " 0 * :bench\r\n").getBytes(StandardCharsets.UTF_8));
        }
      });
    }
    if (!done.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("IRC registrations did not finish within 120 s");
    }
    List<LoadClient.Conn> conns = new ArrayList<>();
    for (LoadClient.Conn c : ok) {
      if (c != null) {
        conns.add(c);
      }
    }
    if (conns.size() < members) {
      throw new IllegalStateException((members - conns.size()) + " of " + members + " IRC registrations failed");
    }
    return conns;
  }

  /** Every connection joins; returns at each one's end of NAMES (366), which follows its JOIN. */
  static void joinAll(List<LoadClient.Conn> conns, String channel) throws InterruptedException {
    CountDownLatch joined = new CountDownLatch(conns.size());
    for (LoadClient.Conn c : conns) {
      c.listener = new LoadClient.Conn.Listener() {
        boolean done;

        @Override
        public void onLine(LoadClient.Conn conn, io.netty.buffer.ByteBuf line, Wire.Type type) {
          String text = line.toString(StandardCharsets.UTF_8);
          if (!answerPing(conn, text) && !done && text.contains(" 366 ")) {
            done = true;
            joined.countDown();
          }
        }
      };
      c.write(("JOIN " + channel + "\r\n").getBytes(StandardCharsets.UTF_8));
    }
    if (!joined.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException(joined.getCount() + " IRC joins unanswered after 120 s");
    }
  }

  /** Answers a server PING; returns whether the line was one. */
  static boolean answerPing(LoadClient.Conn c, String line) {
    if (line.startsWith("PING ")) {
      c.write(("PONG " + line.substring(5).strip() + "\r\n").getBytes(StandardCharsets.UTF_8));
      return true;
    }
    return false;
  }
}
