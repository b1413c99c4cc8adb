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

/**
 * Times layer norm on every loaded backend in one run, so the ratios compare like with like, and
 * measures the copy bandwidth that large cases are judged against.
 */
final class BenchCommand {
    private BenchCommand() {}

    /** rows x cols; the last moves 64 MiB per call (read x, write y). */
    static final int[][] QUICK_SHAPES = {{1, 768}, {32, 768}, {512, 1024}, {256, 4096}, {8192, 1024}};

    static final int[][] FULL_SHAPES = {
        {1, 768}, {32, 768}, {512, 1024}, {4096, 1024}, {256, 4096}, {8192, 1024}, {16384, 1024}
    };

    record Case(String mode, int rows, int cols, Backend backend, double nsPerCall, long bytesPerCall) {
        double gbps() {
            return bytesPerCall / nsPerCall;
        }
    }

    static List<Case> run(boolean full, PrintStream log) {
        long budget = full ? 1_000_000_000L : 250_000_000L;
        List<Case> cases = new ArrayList<>();
        for (String mode : full ? new String[] {"inference", "training"} : new String[] {"inference"}) {
            for (int[] s : full ? FULL_SHAPES : QUICK_SHAPES) {
                for (Backend b : new Backend[] {Backend.REFERENCE, Backend.NATIVE, Backend.ONEDNN}) {
                    if (!b.isAvailable()) continue;
                    log.printf("bench layer_norm %s %dx%d on %s%n", mode, s[0], s[1], b.id());
                    cases.add(time(b, mode, s[0], s[1], budget));
                }
            }
        }
        return cases;
    }

    private static Case time(Backend backend, String mode, int rows, int cols, long budget) {
        long[] shape = {rows, cols};
        long[] normalized = {cols};
        try (Tensor x = Tensor.of(InputDistribution.NORMAL.generate(rows, cols, 1), shape);
                Tensor y = Tensor.allocate(shape);
                Tensor w = Tensor.allocate(normalized).fill(1.5f);
                Tensor b = Tensor.allocate(normalized).fill(0.25f);
                Tensor mean = Tensor.allocate(rows);
                Tensor rstd = Tensor.allocate(rows)) {
            Norms norms = Norms.on(backend);
            Runnable call = mode.equals("training")
                    ? () -> norms.layerNormTraining(x, normalized, w, b, 1e-5, y, mean, rstd)
                    : () -> norms.layerNorm(x, normalized, w, b, 1e-5, y);
            double ns = Stopwatch.medianNanosPerCall(call, budget);
            return new Case(mode, rows, cols, backend, ns, 2L * rows * cols * Float.BYTES);
        }
    }

    /** Copy bandwidth in GB/s (bytes read + written per second) over 64 MiB moved per copy. */
    static double copyBandwidth() {
        int n = 8 << 20; // 32 MiB each way
        try (Tensor src = Tensor.allocate(n).fill(1f); Tensor dst = Tensor.allocate(n)) {
            double ns = Stopwatch.medianNanosPerCall(() -> src.copyTo(dst), 300_000_000L);
            return 2.0 * n * Float.BYTES / ns;
        }
    }

    private static Case find(List<Case> cases, Case c, Backend backend) {
        return cases.stream()
                .filter(o -> o.backend == backend && o.rows == c.rows && o.cols == c.cols && o.mode.equals(c.mode))
                .findFirst()
                .orElse(null);
    }

    static void printTable(List<Case> cases, double copyGBps, PrintStream out) {
        out.printf("Layer norm timing (median ns per call from Java; GB/s counts reading x and writing y; copy bandwidth %.1f GB/s):%n", copyGBps);
        out.printf("  %-9s %-11s %12s %12s %12s %10s %9s %10s%n", "mode", "shape", "reference", "native", "onednn",
                "native GB/s", "vs ref", "vs onednn");
        for (Case c : cases) {
            if (c.backend != Backend.NATIVE) continue;
            Case ref = find(cases, c, Backend.REFERENCE);
            Case dnn = find(cases, c, Backend.ONEDNN);
            out.printf("  %-9s %-11s %12s %12.1f %12s %10.2f %9s %10s%n", c.mode, c.rows + "x" + c.cols,
                    ref == null ? "-" : String.format("%.1f", ref.nsPerCall), c.nsPerCall,
                    dnn == null ? "-" : String.format("%.1f", dnn.nsPerCall), c.gbps(),
                    ref == null ? "-" : String.format("%.1fx", ref.nsPerCall / c.nsPerCall),
                    dnn == null ? "-" : String.format("%.2fx", dnn.nsPerCall / c.nsPerCall));
        }
    }

    static Map<String, Object> toJson(Case c, List<Case> all) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "bench");
        m.put("op", "layer_norm");
        m.put("direction", "forward");
        m.put("mode", c.mode);
        m.put("backend", c.backend.id());
        m.put("layout", "rows");
        m.put("shape", new long[] {c.rows, c.cols});
        m.put("input", InputDistribution.NORMAL.id());
        m.put("nsPerCall", c.nsPerCall);
        m.put("gbps", c.gbps());
        m.put("bytesPerCall", c.bytesPerCall);
        Case ref = find(all, c, Backend.REFERENCE);
        Case dnn = find(all, c, Backend.ONEDNN);
        if (ref != null) m.put("speedupVsReference", ref.nsPerCall / c.nsPerCall);
        if (dnn != null) m.put("speedupVsOnednn", dnn.nsPerCall / c.nsPerCall);
        return m;
    }
}
