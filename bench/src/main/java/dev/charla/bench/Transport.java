package dev.charla.bench;

import java.util.Locale;

/** Which transport the simulated clients use: all TCP, all UDP, or alternating (even index TCP, odd UDP). */
enum Transport {
  TCP, UDP, MIXED;

  static Transport parse(String s) {
    try {
      return valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("transport " + s + " (allowed: tcp, udp, mixed)");
    }
  }

  /** A new connection for client {@code index}; {@code loss} applies to UDP connections only (null: none). */
  LoadClient.Conn newConn(int index, LoadClient.Conn.Listener listener, DatagramLoss loss) {
    boolean udp = this == UDP || (this == MIXED && index % 2 == 1);
    return udp ? new UdpConn(index, listener, loss) : new LoadClient.TcpConn(index, listener);
  }

  /** Appended to scenario names: nothing for TCP (the names the targets use), else "-udp" or "-mixed". */
  String suffix() {
    return this == TCP ? "" : "-" + name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
