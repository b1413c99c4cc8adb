package io.norm4j.cli;

import io.norm4j.Backend;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import io.norm4j.parity.InputDistribution;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Times every bench case on every loaded backend in one run, NATIVE's and ONEDNN's timed batches
 * interleaved so that their ratio compares like with like, and measures the copy bandwidth that
 * large cases are judged against.
 */
final class BenchCommand {
    private BenchCommand() {}

    static final Backend[] BACKENDS = {Backend.REFERENCE, Backend.NATIVE, Backend.ONEDNN};

    /**
     * Cases moving at least this many bytes per call are larger than the last-level cache (32 MiB
     * per core complex on the Zen machines measured here) and judged against the copy bandwidth.
     */
    static final long LAST_LEVEL_CACHE_BYTES = 32L << 20;

    /**
     * One measured (case, backend): the median of timed batches. {@code copyGBps} is the copy
     * bandwidth timed in the same rounds as a case larger than the cache, NaN for other cases.
     */
    record Result(BenchCases.Case c, Backend backend, double nsPerCall, double copyGBps) {
        double gbps() {
            return c.bytesPerCall() / nsPerCall;
        }

        /** GB/s as a fraction of the copy bandwidth: the one timed alongside where there is one. */
        double fractionOfCopy(double runCopyGBps) {
            return gbps() / (Double.isNaN(copyGBps) ? runCopyGBps : copyGBps);
        }
    }

    /**
     * A bench run: its results, and the copy bandwidth in GB/s (bytes read + written per second)
     * timed on its own at the start of the run.
     */
    record Run(List<Result> results, double copyGBps) {}

    /**
     * Times the copy, then runs those of {@code cases} whose label ({@link #label}) contains
     * {@code only} ("" for all), the copy again beside each case larger than the cache. The
     * full set of cases ({@code full}) is timed for longer.
     */
    static Run run(List<BenchCases.Case> cases, Budget budget, String only, PrintStream log) {
        return run(cases, budget.nanosPerCase, only, log);
    }

    /** How long each case is timed: the main job's short table, bench's default, and --full. */
    enum Budget {
        QUICK(40_000_000L), DEFAULT(120_000_000L), FULL(1_000_000_000L);

        final long nanosPerCase;

        Budget(long nanosPerCase) {
            this.nanosPerCase = nanosPerCase;
        }
    }

    private static Run run(List<BenchCases.Case> cases, long budget, String only, PrintStream log) {
        List<Result> results = new ArrayList<>();
        try (Copy copy = new Copy()) {
            double copyGBps = Copy.BYTES / Stopwatch.medianNanosPerCall(copy::run, 300_000_000L);
            for (BenchCases.Case c : cases) {
                if (label(c).contains(only)) results.addAll(measure(c, copy, budget, log));
            }
            return new Run(results, copyGBps);
        }
    }

    /** Every available backend on one case, with the copy timed alongside where the case is larger than the cache. */
    private static List<Result> measure(BenchCases.Case c, Copy copy, long budget, PrintStream log) {
        List<Backend> backends = new ArrayList<>();
        for (Backend b : BACKENDS)
            if (b.isAvailable() && c.runsOn(Norms.on(b))) backends.add(b);
        log.printf("bench %s on %s%n", label(c), backends.stream().map(Backend::id).collect(Collectors.joining(", ")));
        List<BenchCases.Prepared> prepared = new ArrayList<>();
        try {
            for (Backend b : backends) prepared.add(c.preparer().prepare(Norms.on(b)));
            Runnable alongside = timedBesideCopy(c) ? copy::run : null;
            double[] ns = time(backends, prepared, alongside, budget);
            double copyGBps = alongside == null ? Double.NaN : Copy.BYTES / ns[ns.length - 1];
            List<Result> results = new ArrayList<>();
            for (int i = 0; i < backends.size(); i++) results.add(new Result(c, backends.get(i), ns[i], copyGBps));
            return results;
        } finally {
            for (BenchCases.Prepared p : prepared) p.close();
        }
    }

    /**
     * Whether a copy is timed beside the case: where it moves more than the cache holds, and beside
     * every half-precision twin (only the large cases have them), whose f32 twin is timed beside one
     * even where the halved bytes fall below the threshold.
     */
    static boolean timedBesideCopy(BenchCases.Case c) {
        return c.bytesPerCall() >= LAST_LEVEL_CACHE_BYTES || c.dtype() != io.norm4j.DType.FLOAT32;
    }

    /**
     * Median ns per call of each backend's prepared call, then of {@code alongside} where given.
     * NATIVE and ONEDNN, whose ratio is the close one, are timed interleaved with each other and
     * with the copy (Stopwatch#interleavedMedians), so the memory's load of the moment falls on
     * all of them: on this shared machine a case's time and the copy's moved by up to 2x within
     * minutes, which made a case larger than the cache 74% of a copy timed at the start of a run
     * and 103% a minute later. REFERENCE, up to 100 ms a call and far behind, is timed on its own,
     * so its calls do not thin out the others' rounds.
     */
    private static double[] time(List<Backend> backends, List<BenchCases.Prepared> prepared, Runnable alongside,
            long budget) {
        double[] ns = new double[backends.size() + (alongside == null ? 0 : 1)];
        List<Integer> raced = new ArrayList<>();
        List<Runnable> actions = new ArrayList<>();
        for (int i = 0; i < backends.size(); i++) {
            if (backends.get(i) == Backend.REFERENCE) {
                ns[i] = Stopwatch.medianNanosPerCall(prepared.get(i)::run, budget);
            } else {
                raced.add(i);
                actions.add(prepared.get(i)::run);
            }
        }
        if (alongside != null) {
            raced.add(backends.size());
            actions.add(alongside);
        }
        double[] racedNs = Stopwatch.interleavedMedians(actions, budget);
        for (int j = 0; j < raced.size(); j++) ns[raced.get(j)] = racedNs[j];
        return ns;
    }

    /** A native copy of 32 MiB into another 32 MiB: larger than the cache, so it runs at the memory's pace. */
    static final class Copy implements AutoCloseable {
        static final int FLOATS = 8 << 20;
        /** Bytes read and written per copy. */
        static final double BYTES = 2.0 * FLOATS * Float.BYTES;

        private final Tensor src = Tensor.of(InputDistribution.NORMAL.generate(1, FLOATS, 3), FLOATS);
        private final Tensor dst = Tensor.allocate(FLOATS);

        void run() {
            src.copyTo(dst);
        }

        @Override
        public void close() {
            src.close();
            dst.close();
        }
    }

    /**
     * "op direction mode layout shape[ dtype][ fused|unfused]", e.g. "layer_norm backward training
     * rows 32x768" (f32 unsaid).
     */
    static String label(BenchCases.Case c) {
        return String.join(" ", c.op(), c.direction(), c.mode(), c.layout(), shapeAndType(c));
    }

    private static String shapeAndType(BenchCases.Case c) {
        return shape(c.shape()) + (c.dtype() == io.norm4j.DType.FLOAT32 ? "" : " " + c.dtype().id())
                + (c.fused() == null ? "" : c.fused() ? " fused" : " unfused");
    }

    /** The result of case {@code c} on {@code backend}, or null where that backend did not run it. */
    static Result find(List<Result> results, BenchCases.Case c, Backend backend) {
        return results.stream().filter(r -> r.c() == c && r.backend() == backend).findFirst().orElse(null);
    }

    static void printTable(List<Result> results, double copyGBps, PrintStream out) {
        out.printf("Timing (median ns per call from Java, one run; GB/s counts the bytes that must move; copy bandwidth %.1f GB/s;%n"
                + "  %%copy of cases over %d MiB and their bf16/f16 twins against the copy timed in the same rounds):%n",
                copyGBps, LAST_LEVEL_CACHE_BYTES >> 20);
        out.printf("  %-13s %-9s %-9s %-5s %-16s %12s %12s %12s %8s %6s %8s %9s%n", "op", "direction", "mode", "layout",
                "shape", "reference", "native", "onednn", "GB/s", "%copy", "vs ref", "vs onednn");
        for (Result r : results) {
            if (r.backend() != Backend.NATIVE) continue;
            Result ref = find(results, r.c(), Backend.REFERENCE), dnn = find(results, r.c(), Backend.ONEDNN);
            out.printf("  %-13s %-9s %-9s %-5s %-16s %12s %12.1f %12s %8.2f %5.0f%% %8s %9s%n", r.c().op(),
                    r.c().direction(), r.c().mode(), r.c().layout(), shapeAndType(r.c()), ns(ref), r.nsPerCall(), ns(dnn),
                    r.gbps(), 100 * r.fractionOfCopy(copyGBps), ratio(ref, r), ratio(dnn, r));
        }
    }

    private static String shape(long[] s) {
        StringBuilder sb = new StringBuilder();
        for (long d : s) sb.append(sb.length() == 0 ? "" : "x").append(d);
        return sb.toString();
    }

    private static String ns(Result r) {
        return r == null ? "-" : String.format("%.1f", r.nsPerCall());
    }

    private static String ratio(Result other, Result nat) {
        return other == null ? "-" : String.format("%.2fx", other.nsPerCall() / nat.nsPerCall());
    }

    static Map<String, Object> toJson(Result r, List<Result> all) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "bench");
        m.put("op", r.c().op());
        m.put("direction", r.c().direction());
        m.put("mode", r.c().mode());
        m.put("backend", r.backend().id());
        m.put("layout", r.c().layout());
        m.put("shape", r.c().shape());
        m.put("dtype", r.c().dtype().id());
        if (r.c().fused() != null) m.put("fused", r.c().fused());
        m.put("input", InputDistribution.NORMAL.id());
        m.put("nsPerCall", r.nsPerCall());
        m.put("gbps", r.gbps());
        m.put("bytesPerCall", r.c().bytesPerCall());
        if (!Double.isNaN(r.copyGBps())) m.put("copyGBps", r.copyGBps());
        Result ref = find(all, r.c(), Backend.REFERENCE), dnn = find(all, r.c(), Backend.ONEDNN);
        if (ref != null) m.put("speedupVsReference", ref.nsPerCall() / r.nsPerCall());
        if (dnn != null) m.put("speedupVsOnednn", dnn.nsPerCall() / r.nsPerCall());
        return m;
    }
}
