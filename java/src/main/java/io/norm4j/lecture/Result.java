package io.norm4j.lecture;

import java.util.List;
import java.util.Map;

/**
 * What an experiment found: its claim, whether it reproduced here and why (in words), the lines
 * it prints, the numbers for JSON, and its plots.
 */
record Result(String id, String title, String claim, boolean reproduced, String verdict, List<String> lines,
        Map<String, Object> numbers, List<Plot> plots) {

    /** The values as a list, for JSON. */
    static List<Double> list(double[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }

    static List<Integer> list(int[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }

    /** A line chart: named series of (x, y) points. */
    record Plot(String file, String title, String xAxis, String yAxis, boolean logX, boolean logY,
            Map<String, double[][]> series) {}
}
