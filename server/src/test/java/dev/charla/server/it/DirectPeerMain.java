package dev.charla.server.it;

import dev.charla.client.CharlaClient;
import dev.charla.client.ChatException;
import dev.charla.client.ChatListener;
import dev.charla.client.DirectMode;
import dev.charla.client.Transport;
import dev.charla.protocol.ErrorCode;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One side of a direct conversation in its own process, for {@link DirectNetnsTest} (run inside a network
 * namespace). Prints {@code @@ STATE mode detail}, {@code @@ MSG text direct|relayed} and {@code @@ DONE}.
 *
 * <p>Arguments: {@code host port name peer ask|accept direct|tcp|udp|nodirect} (direct: both kinds of path). The asker requests a conversation with
 * {@code peer}, sends {@code hello} once it is direct or relayed, waits for the echo and closes; the accepter
 * accepts, echoes every message as {@code echo:text} and exits when the conversation closes.
 */
public final class DirectPeerMain {
  private DirectPeerMain() {}

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    String name = args[2];
    String peer = args[3];
    boolean ask = args[4].equals("ask");
    String kinds = args[5];
    LinkedBlockingQueue<String> states = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    CountDownLatch closed = new CountDownLatch(1);
    CharlaClient[] self = new CharlaClient[1];
    ChatListener listener = new ChatListener() {
      @Override
      public void onDirectRequest(String link, String from) {
        self[0].acceptDirect(link);
      }

      @Override
      public void onDirectState(String link, String p, DirectMode mode, String detail) {
        System.out.println("@@ STATE " + mode + " " + detail);
        states.add(mode.name());
        if (mode == DirectMode.CLOSED) {
          closed.countDown();
        }
      }

      @Override
      public void onDirectMessage(String link, String from, String text, boolean relayed) {
        System.out.println("@@ MSG " + text + " " + (relayed ? "relayed" : "direct"));
        messages.add(text);
        if (!ask) {
          self[0].sendDirect(link, "echo:" + text);
        }
      }
    };
    // The server JVM may start slowly on a busy machine.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
    self[0] = connect(host, port, kinds, listener, deadline);
    self[0].guest(name).join();
    System.out.println("@@ ONLINE " + name);
    if (!ask) {
      boolean done = closed.await(45, TimeUnit.SECONDS);
      System.out.println("@@ DONE " + done);
      System.exit(done ? 0 : 2);
    }
    String link = null;
    while (link == null) {
      try {
        link = self[0].requestDirect(peer).join();
      } catch (CompletionException e) {
        if (!(e.getCause() instanceof ChatException ce) || ce.code() != ErrorCode.NO_SUCH_USER
            || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100); // the peer is not online yet
      }
    }
    String mode;
    do {
      mode = states.poll(15, TimeUnit.SECONDS);
    } while (mode != null && !mode.equals("DIRECT") && !mode.equals("RELAYED"));
    if (mode == null) {
      System.out.println("@@ DONE false (no mode)");
      System.exit(2);
    }
    System.out.println("@@ PEER " + self[0].directPeerAddress(link) + " " + self[0].directPath(link));
    self[0].sendDirect(link, "hello").join();
    String echo = messages.poll(10, TimeUnit.SECONDS);
    self[0].closeDirect(link).join();
    self[0].close();
    System.out.println("@@ DONE " + "echo:hello".equals(echo));
    System.exit("echo:hello".equals(echo) ? 0 : 2);
  }

  private static CharlaClient connect(String host, int port, String kinds, ChatListener listener, long deadline)
      throws InterruptedException {
    while (true) {
      CharlaClient.Builder b = CharlaClient.builder().host(host).port(port).listener(listener).reconnect(false)
          .directPaths(!kinds.equals("nodirect")).directTimeout(Duration.ofSeconds(3));
      switch (kinds) {
        case "tcp" -> b.directPathKinds(Transport.TCP);
        case "udp" -> b.directPathKinds(Transport.UDP);
        default -> { }
      }
      CharlaClient c = b.build();
      try {
        c.connect().join();
        return c;
      } catch (CompletionException e) {
        c.close();
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100); // the server is still starting
      }
    }
  }
}
