package dev.charla.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The runs of every scenario, summarised as median and range: a markdown table, JSON, and PNG charts. */
final class Report {
  /** All runs of one scenario. */
  record ScenarioRuns(String name, String description, List<RunResult> runs) {}

  /** Median, min and max of one metric over the runs. */
  record Summary(double median, double min, double max) {
    static Summary of(List<Double> values) {
      double[] v = values.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
      if (v.length == 0) {
        return new Summary(Double.NaN, Double.NaN, Double.NaN);
      }
      double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
      return new Summary(median, v[0], v[v.length - 1]);
    }
  }

  final List<ScenarioRuns> scenarios = new ArrayList<>();
  final String command;

  Report(String command) {
    this.command = command;
  }

  static Map<String, Summary> summarise(List<RunResult> runs) {
    Map<String, Summary> out = new LinkedHashMap<>();
    for (String metric : runs.get(0).metrics.keySet()) {
      out.put(metric, Summary.of(runs.stream().map(r -> r.get(metric)).toList()));
    }
    return out;
  }

  static String machine() {
    String model = "unknown CPU";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          model = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (IOException ignored) {
      // not Linux: the model stays unknown
    }
    return Runtime.getRuntime().availableProcessors() + " cores, " + model + ", Java "
        + Runtime.version() + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version");
  }

  String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("Machine: ").append(machine()).append("\n");
    sb.append("Command: `").append(command).append("`\n\n");
    sb.append("| scenario | metric | median | range (min–max) | runs | Charla target | IRC reference |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|\n");
    for (ScenarioRuns s : scenarios) {
      for (Map.Entry<String, Summary> e : summarise(s.runs()).entrySet()) {
        Targets.Target t = Targets.of(s.name(), e.getKey());
        Summary v = e.getValue();
        sb.append("| ").append(s.name()).append(" | ").append(e.getKey()).append(" | ")
            .append(fmt(v.median())).append(" | ").append(fmt(v.min())).append("–").append(fmt(v.max()))
            .append(" | ").append(s.runs().size()).append(" | ").append(t == null ? "" : t.charla())
            .append(" | ").append(t == null ? "" : t.reference()).append(" |\n");
      }
    }
    sb.append("\nScenarios:\n");
    for (ScenarioRuns s : scenarios) {
      sb.append("- ").append(s.name()).append(": ").append(s.description()).append("\n");
    }
    return sb.toString();
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    double a = Math.abs(v);
    if (a >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 10 || v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%.1f", v).replaceAll("\\.0$", "");
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  void writeJson(Path file) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("machine", machine());
    root.put("command", command);
    List<Object> list = new ArrayList<>();
    for (ScenarioRuns s : scenarios) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", s.name());
      m.put("description", s.description());
      m.put("summary", summarise(s.runs()));
      m.put("runs", s.runs().stream().map(r -> r.metrics).toList());
      list.add(m);
    }
    root.put("scenarios", list);
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
  }

  /** One latency chart per scenario with a histogram, and throughput-vs-load charts when the data exists. */
  List<Path> writeCharts(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> written = new ArrayList<>();
    String[] labels = {"p50", "p90", "p99", "p99.9", "max"};
    for (ScenarioRuns s : scenarios) {
      if (s.runs().stream().noneMatch(r -> r.latencyMicros != null)) {
        continue;
      }
      CategoryChart c = new CategoryChartBuilder().width(800).height(500)
          .title("Latency distribution: " + s.name()).xAxisTitle("percentile").yAxisTitle("ms").build();
      int i = 1;
      for (RunResult r : s.runs()) {
        if (r.latencyMicros == null) {
          continue;
        }
        var h = r.latencyMicros;
        List<Double> y = Arrays.stream(new double[] {50, 90, 99, 99.9})
            .mapToObj(p -> h.getValueAtPercentile(p) / 1000.0).collect(java.util.stream.Collectors.toList());
        y.add(h.getMaxValue() / 1000.0);
        c.addSeries("run " + i++, Arrays.asList(labels), y);
      }
      Path f = dir.resolve("latency-" + s.name().replaceAll("[^A-Za-z0-9_-]", "_") + ".png");
      BitmapEncoder.saveBitmap(c, f.toString(), BitmapEncoder.BitmapFormat.PNG);
      written.add(f);
    }
    written.addAll(loadChart(dir, "fanout-", "deliveries/s", "Fan-out throughput vs room size",
        "members", "deliveries/s", "throughput-vs-members.png"));
    written.addAll(loadChart(dir, "latency-", "p99 ms", "Latency p99 vs offered rate",
        "offered msg/s", "p99 ms", "latency-vs-rate.png"));
    return written;
  }

  private List<Path> loadChart(Path dir, String prefix, String metric, String title, String xTitle, String yTitle,
      String fileName) throws IOException {
    List<Double> xs = new ArrayList<>();
    List<Double> med = new ArrayList<>();
    List<Double> lo = new ArrayList<>();
    List<Double> hi = new ArrayList<>();
    for (ScenarioRuns s : scenarios) {
      if (!s.name().startsWith(prefix) || s.name().contains("fast") || s.name().contains("durable")) {
        continue;
      }
      String rest = s.name().substring(prefix.length());
      String number = rest.contains("@") ? rest.substring(rest.indexOf('@') + 1) : rest;
      if (!number.matches("\\d+(\\.\\d+)?")) {
        continue; // another family (e.g. fanout-100-udp): charted on its own, not on this axis
      }
      double x = Double.parseDouble(number);
      Summary v = summarise(s.runs()).get(metric);
      if (v == null) {
        continue;
      }
      xs.add(x);
      med.add(v.median());
      lo.add(v.min());
      hi.add(v.max());
    }
    if (xs.size() < 2) {
      return List.of();
    }
    XYChart c = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle)
        .build();
    c.getStyler().setXAxisLogarithmic(true);
    c.addSeries("median", xs, med).setMarker(SeriesMarkers.CIRCLE);
    c.addSeries("min", xs, lo).setMarker(SeriesMarkers.NONE);
    c.addSeries("max", xs, hi).setMarker(SeriesMarkers.NONE);
    Path f = dir.resolve(fileName);
    BitmapEncoder.saveBitmap(c, f.toString(), BitmapEncoder.BitmapFormat.PNG);
    return List.of(f);
  }
}
