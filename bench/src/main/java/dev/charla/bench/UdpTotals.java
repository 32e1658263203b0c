package dev.charla.bench;

import dev.charla.protocol.udp.ConnectionStats;
import java.util.List;

/** The reliable-UDP counters ({@link ConnectionStats}) summed over the UDP connections of a run. */
record UdpTotals(int connections, long datagramsSent, long datagramsReceived, long bytesSent, long packetsLost,
    long packetsRetransmitted, long probesSent, long messagesAccepted, long messagesDelivered, long droppedOut,
    long droppedIn, long restarts) {

  /** Sums the UDP ones of {@code conns}; read each on its event loop, so call it once traffic has stopped. */
  static UdpTotals of(List<? extends LoadClient.Conn> conns) {
    int n = 0;
    long ds = 0, dr = 0, bs = 0, lost = 0, re = 0, pr = 0, ma = 0, md = 0, dout = 0, din = 0, rs = 0;
    for (LoadClient.Conn c : conns) {
      if (c instanceof UdpConn u) {
        ConnectionStats s = u.stats();
        if (s == null) {
          continue;
        }
        n++;
        ds += s.datagramsSent();
        dr += s.datagramsReceived();
        bs += s.bytesSent();
        lost += s.packetsLost();
        re += s.packetsRetransmitted();
        pr += s.probesSent();
        ma += s.messagesAccepted();
        md += s.messagesDelivered();
        dout += u.droppedOut;
        din += u.droppedIn;
        rs += u.restarts;
      }
    }
    return new UdpTotals(n, ds, dr, bs, lost, re, pr, ma, md, dout, din, rs);
  }

  /** Adds the figures a report shows for UDP runs (nothing when there were no UDP connections). */
  void putInto(RunResult r) {
    if (connections == 0) {
      return;
    }
    r.put("udp datagrams sent", datagramsSent);
    r.put("udp datagrams received", datagramsReceived);
    r.put("udp packets lost", packetsLost);
    r.put("udp packets retransmitted", packetsRetransmitted);
    r.put("udp probes", probesSent);
  }

  /** Counters accumulated since {@code before}, for a measurement window. */
  UdpTotals minus(UdpTotals before) {
    return new UdpTotals(connections, datagramsSent - before.datagramsSent,
        datagramsReceived - before.datagramsReceived, bytesSent - before.bytesSent,
        packetsLost - before.packetsLost, packetsRetransmitted - before.packetsRetransmitted,
        probesSent - before.probesSent, messagesAccepted - before.messagesAccepted,
        messagesDelivered - before.messagesDelivered, droppedOut - before.droppedOut, droppedIn - before.droppedIn,
        restarts - before.restarts);
  }
}
