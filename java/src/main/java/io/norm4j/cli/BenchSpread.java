package io.norm4j.cli;

import io.norm4j.Backend;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * `bench --runs N`: how far each case's ratios moved from one run to the next. On a shared
 * machine a case that runs at the memory's pace in both libraries can come out ahead of oneDNN in
 * one run and behind in the next; the lowest, median and highest ratio over the runs, and in how
 * many runs NATIVE was at or ahead of oneDNN, tell such a tie from a real lead or lag.
 */
final class BenchSpread {
    private BenchSpread() {}

    /** The lowest, median and highest of some values. */
    record Range(double min, double median, double max) {
        static Range of(double[] values) {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            return new Range(sorted[0], Stopwatch.median(sorted), sorted[sorted.length - 1]);
        }
    }

    /** One line per case of the first run; every run times the same cases. */
    static void print(List<BenchCommand.Run> runs, PrintStream out) {
        int n = runs.size();
        Range copy = Range.of(runs.stream().mapToDouble(BenchCommand.Run::copyGBps).toArray());
        out.printf("Over %d runs (copy bandwidth %.1f to %.1f GB/s over the runs): NATIVE's median ns per call, and%n"
                + "  each speed-up's lowest, median and highest; the runs in which NATIVE was at or ahead of ONEDNN:%n",
                n, copy.min(), copy.max());
        out.printf("  %-52s %12s  %-23s  %-23s  %s%n", "case", "native", "vs ref", "vs onednn", "at/ahead");
        for (BenchCommand.Result first : runs.get(0).results()) {
            if (first.backend() != Backend.NATIVE) continue;
            BenchCases.Case c = first.c();
            double[] nativeNs = new double[n], vsRef = new double[n], vsOnednn = new double[n];
            boolean hasRef = true, hasOnednn = true;
            for (int k = 0; k < n; k++) {
                List<BenchCommand.Result> results = runs.get(k).results();
                BenchCommand.Result nat = Objects.requireNonNull(BenchCommand.find(results, c, Backend.NATIVE));
                BenchCommand.Result ref = BenchCommand.find(results, c, Backend.REFERENCE);
                BenchCommand.Result dnn = BenchCommand.find(results, c, Backend.ONEDNN);
                nativeNs[k] = nat.nsPerCall();
                hasRef &= ref != null;
                hasOnednn &= dnn != null;
                if (ref != null) vsRef[k] = ref.nsPerCall() / nat.nsPerCall();
                if (dnn != null) vsOnednn[k] = dnn.nsPerCall() / nat.nsPerCall();
            }
            long ahead = Arrays.stream(vsOnednn).filter(r -> r >= 1.0).count();
            out.printf("  %-52s %12.1f  %-23s  %-23s  %s%n", BenchCommand.label(c), Range.of(nativeNs).median(),
                    hasRef ? ratios(Range.of(vsRef)) : "-", hasOnednn ? ratios(Range.of(vsOnednn)) : "-",
                    hasOnednn ? ahead + "/" + n : "-");
        }
    }

    private static String ratios(Range r) {
        return String.format("%6.2fx %6.2fx %6.2fx", r.min(), r.median(), r.max());
    }
}
