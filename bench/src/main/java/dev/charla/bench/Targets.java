package dev.charla.bench;

import java.util.Map;

/**
 * What each headline figure is compared against: Charla's target and the best established IRC server measured
 * on the same 2-core machine (history and persistence off). Keyed by scenario name, then metric.
 */
final class Targets {
  private Targets() {}

  /** A target ("≥ 2.0 M", "< 8") and the reference figure with the server that reached it. */
  record Target(String charla, String reference) {}

  private static final Map<String, Map<String, Target>> TARGETS = Map.of(
      "connect", Map.of("guest logins/s", new Target("≥ 3000", "2000 (Ergo)")),
      "capacity", Map.of("KiB per session", new Target("< 4", "2.0–23")),
      "capacity-mixed", Map.of("KiB per session", new Target("< 4", "2.0–23 (TCP only)")),
      "udp-loss", Map.of("5% goodput / lossless", new Target("≥ 0.80", "")),
      "fanout-100", Map.of("deliveries/s", new Target("≥ 2,000,000", "1,620,000 (ngircd)")),
      "fanout-1000", Map.of("deliveries/s", new Target("≥ 2,000,000", "1,390,000 (ngircd)")),
      "latency-1000@100", Map.of(
          "p50 ms", new Target("", "4.2"),
          "p99 ms", new Target("< 8", "10.5")),
      "latency-1000@1000", Map.of(
          "p50 ms", new Target("", "10.7"),
          "p99 ms", new Target("< 40", "47")),
      "private-pingpong", Map.of("msgs/s", new Target("≥ 90,000", "80,000")),
      "private-paced@10000", Map.of("p99 ms", new Target("< 2.5", "2.9 (InspIRCd)")));

  static Target of(String scenario, String metric) {
    return TARGETS.getOrDefault(scenario, Map.of()).get(metric);
  }
}
