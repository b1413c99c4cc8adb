package io.norm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.norm4j.Backend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `bench --runs N`: each ratio's lowest, median and highest value over the runs. */
class BenchSpreadTest {
    private static final BenchCases.Case LAYER_NORM = BenchCases.cases(false).get(0);
    private static final BenchCases.Case RMS_BACKWARD = BenchCases.cases(false).stream()
            .filter(c -> c.op().equals("rms_norm") && c.direction().equals("backward")).findFirst().orElseThrow();

    /** A run where NATIVE takes 100 ns, REFERENCE {@code reference} and ONEDNN {@code onednn} on the layer norm case. */
    private static BenchCommand.Run run(double reference, double onednn, double copyGBps) {
        List<BenchCommand.Result> results = new ArrayList<>();
        results.add(new BenchCommand.Result(LAYER_NORM, Backend.REFERENCE, reference, Double.NaN));
        results.add(new BenchCommand.Result(LAYER_NORM, Backend.NATIVE, 100, Double.NaN));
        results.add(new BenchCommand.Result(LAYER_NORM, Backend.ONEDNN, onednn, Double.NaN));
        results.add(new BenchCommand.Result(RMS_BACKWARD, Backend.REFERENCE, 900, Double.NaN));
        results.add(new BenchCommand.Result(RMS_BACKWARD, Backend.NATIVE, 100, Double.NaN));
        return new BenchCommand.Run(results, copyGBps);
    }

    private static String print(List<BenchCommand.Run> runs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BenchSpread.print(runs, new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String lineOf(String text, String label) {
        return text.lines().filter(l -> l.contains(label)).findFirst().orElseThrow(() -> new AssertionError(text));
    }

    @Test
    void reportsEachRatiosRangeAndTheRunsAtOrAheadOfOnednn() {
        String text = print(List.of(run(1200, 90, 30), run(800, 110, 45), run(1000, 100, 38)));
        String line = lineOf(text, BenchCommand.label(LAYER_NORM));
        // vs REFERENCE 12x, 8x, 10x; vs ONEDNN 0.9x, 1.1x, 1.0x: two runs of three at or ahead.
        assertTrue(line.contains("8.00x  10.00x  12.00x"), line);
        assertTrue(line.contains("0.90x   1.00x   1.10x"), line);
        assertTrue(line.endsWith("2/3"), line);
        assertTrue(text.contains("copy bandwidth 30.0 to 45.0 GB/s"), text);
    }

    @Test
    void aCaseOnednnDoesNotRunHasNoRatioAgainstIt() {
        String line = lineOf(print(List.of(run(1000, 100, 40), run(1000, 100, 40))), BenchCommand.label(RMS_BACKWARD));
        assertTrue(line.contains("9.00x   9.00x   9.00x"), line);
        assertTrue(line.endsWith("-"), line);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(2.5, BenchSpread.Range.of(new double[] {4, 1, 3, 2}).median());
        assertEquals(1, BenchSpread.Range.of(new double[] {4, 1, 3, 2}).min());
        assertEquals(4, BenchSpread.Range.of(new double[] {4, 1, 3, 2}).max());
    }

    @Test
    void runsMustBeAWholeNumberFromOneToAHundred() {
        assertEquals(5, Main.runsArgument("5"));
        assertEquals(1, Main.runsArgument("1"));
        for (String bad : new String[] {"0", "-2", "101", "five", "2.5", ""})
            assertThrows(IllegalArgumentException.class, () -> Main.runsArgument(bad), bad);
    }
}
