package dev.charla.protocol;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Direct-connection candidate addresses, {@code ip:port} or {@code [ipv6]:port}: formatting and parsing. */
public final class Candidates {
  private static final Pattern V4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3}):(\\d{1,5})");
  private static final Pattern V6 = Pattern.compile("\\[([0-9a-fA-F:.]{2,45})\\]:(\\d{1,5})");

  private Candidates() {}

  public static boolean isValid(String c) {
    return parse(c) != null;
  }

  /** The address, or null if {@code c} is not an IP literal and a port 1-65535. Never resolves names. */
  public static InetSocketAddress parse(String c) {
    if (c == null || c.length() > 64) {
      return null;
    }
    String host;
    String port;
    var m4 = V4.matcher(c);
    var m6 = V6.matcher(c);
    if (m4.matches()) {
      for (int i = 1; i <= 4; i++) {
        if (Integer.parseInt(m4.group(i)) > 255) {
          return null;
        }
      }
      host = c.substring(0, c.lastIndexOf(':'));
      port = m4.group(5);
    } else if (m6.matches() && m6.group(1).contains(":")) {
      host = m6.group(1);
      port = m6.group(2);
    } else {
      return null;
    }
    int p = Integer.parseInt(port);
    if (p < 1 || p > 65_535) {
      return null;
    }
    try {
      // A literal (checked above) is parsed, never looked up.
      return new InetSocketAddress(InetAddress.getByName(host), p);
    } catch (UnknownHostException | IllegalArgumentException e) {
      return null;
    }
  }

  /** Formats an address and port as a candidate. */
  public static String format(InetAddress address, int port) {
    String h = address.getHostAddress();
    int zone = h.indexOf('%');
    if (zone >= 0) {
      h = h.substring(0, zone); // scope ids do not travel between hosts
    }
    return h.contains(":") ? "[" + h + "]:" + port : h + ":" + port;
  }
}
