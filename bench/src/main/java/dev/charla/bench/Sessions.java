package dev.charla.bench;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Recorder;

/** Opens many logged-in sessions with a bounded number of logins in flight, timing each one. */
final class Sessions {
  /** Sessions that reached logged_in, in index order (failed ones are absent). */
  final List<LoadClient.Conn> conns;
  final int failures;
  final double seconds;
  /** Time from connect (or from sending resume) to logged_in, in µs. */
  final Recorder timesMicros;

  private Sessions(List<LoadClient.Conn> conns, int failures, double seconds, Recorder timesMicros) {
    this.conns = conns;
    this.failures = failures;
    this.seconds = seconds;
    this.timesMicros = timesMicros;
  }

  /** A name prefix unique to this process and call, so guest names never collide between runs. */
  static String uniquePrefix() {
    return "b" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36), 36) + "_";
  }

  /** Connects {@code n} TCP guests named {@code prefix + i}, at most {@code inFlight} at a time. */
  static Sessions guests(Env env, ServerUnderTest server, int n, int inFlight, String prefix)
      throws InterruptedException {
    return guests(env, server, n, inFlight, prefix, Transport.TCP, null);
  }

  /**
   * Connects {@code n} guests named {@code prefix + i} over {@code transport}, at most {@code inFlight} at a
   * time; {@code loss} (or null) is applied to the UDP ones.
   */
  static Sessions guests(Env env, ServerUnderTest server, int n, int inFlight, String prefix, Transport transport,
      DatagramLoss loss) throws InterruptedException {
    return open(env, server, n, inFlight, i -> Wire.guest(prefix + i), transport, loss);
  }

  /** Connects one session per token with {@code resume}, at most {@code inFlight} at a time. */
  static Sessions resume(Env env, ServerUnderTest server, List<String> tokens, int inFlight)
      throws InterruptedException {
    return open(env, server, tokens.size(), inFlight, i -> Wire.resume(tokens.get(i)), Transport.TCP, null);
  }

  private static Sessions open(Env env, ServerUnderTest server, int n, int inFlight,
      java.util.function.IntFunction<byte[]> login, Transport transport, DatagramLoss loss)
      throws InterruptedException {
    Semaphore permits = new Semaphore(inFlight);
    CountDownLatch done = new CountDownLatch(n);
    AtomicInteger failures = new AtomicInteger();
    Recorder times = new Recorder(3);
    LoadClient.Conn[] ok = new LoadClient.Conn[n];
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      permits.acquire();
      final int index = i;
      final long start = System.nanoTime();
      LoadClient.Conn conn = transport.newConn(i, new LoadClient.Conn.Listener() {
        boolean finished;

        @Override
        public void onLine(LoadClient.Conn c, ByteBuf line, Wire.Type type) {
          if (finished) {
            return;
          }
          if (type == Wire.Type.LOGGED_IN) {
            c.token = Wire.string(line, "token");
            c.name = Wire.string(line, "name");
            times.recordValue(Math.max(0, (System.nanoTime() - start) / 1000));
            ok[index] = c;
            finish();
          } else if (type == Wire.Type.ERROR) {
            failures.incrementAndGet();
            finish();
            c.close();
          }
        }

        @Override
        public void onClosed(LoadClient.Conn c) {
          if (!finished) {
            failures.incrementAndGet();
            finish();
          }
        }

        private void finish() {
          finished = true;
          permits.release();
          done.countDown();
        }
      }, loss);
      env.client().connect(server.host(), server.port(), conn).whenComplete((c, err) -> {
        if (err != null) {
          failures.incrementAndGet();
          permits.release();
          done.countDown();
        } else {
          c.write(Wire.hello(), login.apply(index));
        }
      });
    }
    if (!done.await(300, TimeUnit.SECONDS)) {
      throw new IllegalStateException("logins did not finish within 300 s: " + done.getCount() + " pending");
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    List<LoadClient.Conn> conns = new ArrayList<>(n);
    for (LoadClient.Conn c : ok) {
      if (c != null) {
        conns.add(c);
      }
    }
    return new Sessions(conns, failures.get(), seconds, times);
  }

  /** Closes every session and waits until the channels are closed. */
  void closeAll() {
    for (LoadClient.Conn c : conns) {
      c.closeAndWait();
    }
  }
}
