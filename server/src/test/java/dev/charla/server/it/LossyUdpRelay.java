package dev.charla.server.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay on loopback between clients and the server that loses, duplicates, reorders and delays datagrams
 * (the kernel here has no netem). Each client gets its own upstream socket, like a NAT binding; {@link #rebind}
 * replaces it, which the server sees as the client's address changing. {@link #blackout} drops everything.
 *
 * <p>Randomness is seeded; the seed is printed so a failing run can be replayed.
 */
final class LossyUdpRelay implements AutoCloseable {
  private final DatagramSocket downstream;
  private final InetSocketAddress server;
  private final Random random;
  private final long seed;
  private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "relay-delay");
    t.setDaemon(true);
    return t;
  });
  private final Map<SocketAddress, Upstream> upstreams = new ConcurrentHashMap<>();
  private volatile double loss;
  private volatile double duplication;
  private volatile double reordering;
  private volatile int maxDelayMillis;
  private volatile boolean blackout;
  private volatile boolean deafClient;
  private volatile boolean closed;
  final AtomicLong forwarded = new AtomicLong();
  final AtomicLong dropped = new AtomicLong();

  LossyUdpRelay(int serverPort, long seed) throws SocketException {
    this.server = new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort);
    this.seed = seed;
    this.random = new Random(seed);
    System.out.println("LossyUdpRelay seed=" + seed);
    downstream = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread t = new Thread(this::pumpDownstream, "relay-down");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return downstream.getLocalPort();
  }

  long seed() {
    return seed;
  }

  LossyUdpRelay impair(double loss, double duplication, double reordering, int maxDelayMillis) {
    this.loss = loss;
    this.duplication = duplication;
    this.reordering = reordering;
    this.maxDelayMillis = maxDelayMillis;
    return this;
  }

  void blackout(boolean on) {
    blackout = on;
  }

  /** Drops everything from the server to clients, lets the other direction through. */
  void deafenClients(boolean on) {
    deafClient = on;
  }

  /** Every client gets a new upstream port, as when a NAT forgets its bindings. */
  void rebind() {
    for (Upstream u : upstreams.values()) {
      u.rebind();
    }
  }

  private void pumpDownstream() {
    byte[] buf = new byte[2048];
    while (!closed) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        downstream.receive(p);
      } catch (IOException e) {
        return;
      }
      SocketAddress client = p.getSocketAddress();
      Upstream up = upstreams.computeIfAbsent(client, Upstream::new);
      byte[] data = java.util.Arrays.copyOf(p.getData(), p.getLength());
      impaired(data, d -> up.sendToServer(d));
    }
  }

  private void impaired(byte[] data, java.util.function.Consumer<byte[]> out) {
    int copies;
    long delay;
    synchronized (random) {
      if (blackout || random.nextDouble() < loss) {
        dropped.incrementAndGet();
        return;
      }
      copies = random.nextDouble() < duplication ? 2 : 1;
      delay = maxDelayMillis == 0 ? 0 : random.nextInt(maxDelayMillis + 1);
      if (random.nextDouble() < reordering) {
        delay += maxDelayMillis + 5; // overtaken by later datagrams
      }
    }
    for (int i = 0; i < copies; i++) {
      forwarded.incrementAndGet();
      if (delay == 0) {
        out.accept(data);
      } else {
        delays.schedule(() -> out.accept(data), delay, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** One client's binding: a socket towards the server, and a pump back to the client. */
  private final class Upstream {
    private final SocketAddress client;
    private volatile DatagramSocket socket;

    Upstream(SocketAddress client) {
      this.client = client;
      open();
    }

    private void open() {
      try {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket = s;
        Thread t = new Thread(() -> pumpUp(s), "relay-up");
        t.setDaemon(true);
        t.start();
      } catch (SocketException e) {
        throw new IllegalStateException(e);
      }
    }

    void rebind() {
      DatagramSocket old = socket;
      open();
      old.close();
    }

    void sendToServer(byte[] data) {
      try {
        socket.send(new DatagramPacket(data, data.length, server));
      } catch (IOException e) {
        // socket replaced or closed: the datagram is lost, as on a real network
      }
    }

    private void pumpUp(DatagramSocket s) {
      byte[] buf = new byte[2048];
      while (!closed && !s.isClosed()) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          s.receive(p);
        } catch (IOException e) {
          return;
        }
        byte[] data = java.util.Arrays.copyOf(p.getData(), p.getLength());
        if (deafClient) {
          dropped.incrementAndGet();
          continue;
        }
        impaired(data, d -> {
          try {
            downstream.send(new DatagramPacket(d, d.length, client));
          } catch (IOException e) {
            // lost
          }
        });
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    downstream.close();
    upstreams.values().forEach(u -> u.socket.close());
    delays.shutdownNow();
  }
}
