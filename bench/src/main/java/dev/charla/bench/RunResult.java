package dev.charla.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The figures of one run of one scenario, in insertion order, and optionally its latency histogram (µs). */
final class RunResult {
  final Map<String, Double> metrics = new LinkedHashMap<>();
  Histogram latencyMicros;

  RunResult put(String metric, double value) {
    metrics.put(metric, value);
    return this;
  }

  double get(String metric) {
    Double v = metrics.get(metric);
    return v == null ? Double.NaN : v;
  }

  /** Adds p50…max in milliseconds from {@link #latencyMicros}. */
  void putLatency(Histogram h) {
    latencyMicros = h;
    put("samples", h.getTotalCount());
    put("p50 ms", h.getValueAtPercentile(50) / 1000.0);
    put("p90 ms", h.getValueAtPercentile(90) / 1000.0);
    put("p99 ms", h.getValueAtPercentile(99) / 1000.0);
    put("p99.9 ms", h.getValueAtPercentile(99.9) / 1000.0);
    put("max ms", h.getMaxValue() / 1000.0);
  }
}
