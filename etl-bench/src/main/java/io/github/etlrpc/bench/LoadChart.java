package io.github.etlrpc.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG chart of a load report: median call latency, throughput and server CPU per million rows,
 * each against the number of concurrent clients, one line per server. Drawn headless, so it works
 * without a display.
 */
final class LoadChart {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 1100;
  /** Okabe-Ito colors in server order, which stay distinguishable with common color blindness. */
  private static final Color[] PALETTE = {
    new Color(0x00, 0x00, 0x00), new Color(0x00, 0x72, 0xB2), new Color(0xE6, 0x9F, 0x00),
    new Color(0x00, 0x9E, 0x73), new Color(0xCC, 0x79, 0xA7), new Color(0x56, 0xB4, 0xE9)
  };

  private static final Shape[] SHAPES = DefaultDrawingSupplier.createStandardSeriesShapes();

  private LoadChart() {}

  /** Draws the chart of {@code rows} into {@code file}, replacing it. */
  static void write(List<LoadReport.Row> rows, String title, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    NumberAxis clientsAxis = new NumberAxis("concurrent clients");
    clientsAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(clientsAxis);
    plot.setGap(12);
    XYPlot latency = panel(rows, "median call latency (ms)", LoadReport.Row::latencyMedianMs);
    plot.add(latency, 1);
    plot.add(panel(rows, "throughput (rows/s)", LoadReport.Row::rowsPerSecond), 1);
    plot.add(panel(rows, "server CPU s per million rows", LoadReport.Row::cpuSecondsPerMillionRows),
        1);
    // Every panel has the same servers in the same colors, so one panel's legend covers all.
    plot.setFixedLegendItems(latency.getLegendItems());
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
  }

  private static XYPlot panel(List<LoadReport.Row> rows, String label,
      ToDoubleFunction<LoadReport.Row> measure) {
    Map<String, XYSeries> byServer = new LinkedHashMap<>();
    for (LoadReport.Row row : rows) {
      double value = measure.applyAsDouble(row);
      XYSeries series = byServer.computeIfAbsent(row.server(), XYSeries::new);
      if (!Double.isNaN(value)) {
        series.add(row.clients(), value);
      }
    }
    XYSeriesCollection dataset = new XYSeriesCollection();
    byServer.values().forEach(dataset::addSeries);
    NumberAxis valueAxis = new NumberAxis(label);
    valueAxis.setAutoRangeIncludesZero(true);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < dataset.getSeriesCount(); i++) {
      renderer.setSeriesStroke(i, new BasicStroke(2f));
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      renderer.setSeriesShape(i, SHAPES[i % SHAPES.length]);
    }
    XYPlot plot = new XYPlot(dataset, null, valueAxis, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return plot;
  }
}
