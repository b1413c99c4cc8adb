package io.norm4j.lecture;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Draws an experiment's line charts to PNG (XChart). */
final class LecturePlots {
    private LecturePlots() {}

    static void write(Result.Plot plot, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(560).title(plot.title()).xAxisTitle(plot.xAxis())
                .yAxisTitle(plot.yAxis()).build();
        chart.getStyler().setXAxisLogarithmic(plot.logX());
        chart.getStyler().setYAxisLogarithmic(plot.logY());
        chart.getStyler().setMarkerSize(5);
        for (Map.Entry<String, double[][]> s : plot.series().entrySet()) {
            chart.addSeries(s.getKey(), s.getValue()[0], s.getValue()[1]);
        }
        String name = file.toString();
        BitmapEncoder.saveBitmap(chart, name.endsWith(".png") ? name.substring(0, name.length() - 4) : name,
                BitmapEncoder.BitmapFormat.PNG);
    }
}
