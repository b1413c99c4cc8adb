package io.norm4j.cli;

import io.norm4j.Backend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** `bench --plot FILE.png`: GB/s against bytes moved per call, one series per backend, with the copy roof. */
final class BenchPlot {
    private BenchPlot() {}

    /**
     * Why {@code file} cannot receive the plot, or null if it can: its folder must exist and be
     * writable, and the file itself, if present, writable and not a folder.
     */
    static String unwritable(Path file) {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        if (java.nio.file.Files.isDirectory(absolute)) return "it is a folder";
        if (dir == null || !java.nio.file.Files.isDirectory(dir)) return "folder " + dir + " does not exist";
        if (java.nio.file.Files.exists(absolute)) {
            return java.nio.file.Files.isWritable(absolute) ? null : "the file is not writable";
        }
        return java.nio.file.Files.isWritable(dir) ? null : "folder " + dir + " is not writable";
    }

    static void write(List<BenchCommand.Result> results, double copyGBps, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(1000).height(600)
                .title("norm4j: throughput against size (every op, direction and layout of one bench run)")
                .xAxisTitle("bytes moved per call").yAxisTitle("GB/s").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(7);
        double minBytes = Double.MAX_VALUE, maxBytes = 0;
        for (Backend b : BenchCommand.BACKENDS) {
            List<BenchCommand.Result> mine = new ArrayList<>(results.stream().filter(r -> r.backend() == b).toList());
            if (mine.isEmpty()) continue;
            mine.sort(Comparator.comparingLong(r -> r.c().bytesPerCall()));
            double[] x = mine.stream().mapToDouble(r -> r.c().bytesPerCall()).toArray();
            double[] y = mine.stream().mapToDouble(BenchCommand.Result::gbps).toArray();
            chart.addSeries(b.id(), x, y);
            minBytes = Math.min(minBytes, x[0]);
            maxBytes = Math.max(maxBytes, x[x.length - 1]);
        }
        if (maxBytes > 0) {
            XYSeries roof = chart.addSeries(String.format("copy bandwidth (%.1f GB/s)", copyGBps),
                    new double[] {minBytes, maxBytes}, new double[] {copyGBps, copyGBps});
            roof.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            roof.setMarker(SeriesMarkers.NONE);
        }
        String name = file.toString();
        BitmapEncoder.saveBitmap(chart, name.endsWith(".png") ? name.substring(0, name.length() - 4) : name,
                BitmapEncoder.BitmapFormat.PNG);
    }
}
