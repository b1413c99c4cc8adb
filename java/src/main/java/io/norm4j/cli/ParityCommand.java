package io.norm4j.cli;

import io.norm4j.Backend;
import io.norm4j.parity.InputDistribution;
import io.norm4j.parity.LayerNormParity;
import io.norm4j.parity.ParityResult;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs the parity grid on every loaded backend and summarises it. */
final class ParityCommand {
    private ParityCommand() {}

    /** The shapes of the parity suite, with the awkward ones around the SIMD tiles. */
    static final int[][] LAYER_NORM_SHAPES = {
        {1, 1}, {1, 3}, {3, 7}, {2, 257}, {15, 768}, {257, 768}, {64, 1024}, {8, 4097}, {2, 65536}
    };

    static List<ParityResult> run() {
        List<ParityResult> results = new ArrayList<>();
        for (Backend b : new Backend[] {Backend.NATIVE, Backend.ONEDNN}) {
            if (!b.isAvailable()) continue;
            for (int[] s : LAYER_NORM_SHAPES)
                for (InputDistribution in : InputDistribution.values())
                    for (boolean training : new boolean[] {false, true})
                        for (boolean affine : new boolean[] {false, true})
                            results.add(LayerNormParity.run(b, s[0], s[1], in, affine, training, 42L + s[0] * 31L + s[1]));
        }
        return results;
    }

    /** True when every case the policy claims parity for passed. */
    static boolean allAcceptable(List<ParityResult> results) {
        return results.stream().allMatch(ParityResult::acceptable);
    }

    static void printSummary(List<ParityResult> results, PrintStream out) {
        out.println("Parity against REFERENCE (layer_norm forward; tolerances: io.norm4j.parity.TolerancePolicy):");
        out.printf("  %-9s oracle: computes the expected values in double%n", Backend.REFERENCE.id());
        for (Backend b : new Backend[] {Backend.NATIVE, Backend.ONEDNN}) {
            if (!b.isAvailable()) {
                out.printf("  %-9s not loaded%n", b.id());
                continue;
            }
            summarise(out, b, results.stream().filter(r -> r.backend() == b && r.parityClaimed()).toList(), "");
            List<ParityResult> other = results.stream().filter(r -> r.backend() == b && !r.parityClaimed()).toList();
            if (!other.isEmpty()) summarise(out, b, other, " ill-conditioned inputs, parity not claimed (f32 statistics)");
        }
    }

    private static void summarise(PrintStream out, Backend b, List<ParityResult> rs, String label) {
        ParityResult worst = rs.stream().max((p, q) -> Double.compare(errorRatio(p), errorRatio(q))).orElseThrow();
        long failed = rs.stream().filter(r -> !r.pass()).count();
        out.printf("  %-9s %4d cases, max abs err %.3g (worst vs tolerance: %.3g <= %.3g at %s %s)  %s%s%n", b.id(), rs.size(),
                rs.stream().mapToDouble(ParityResult::maxAbsErr).max().orElse(0), worst.maxAbsErr(), worst.tolerance(),
                java.util.Arrays.toString(worst.shape()), worst.input().id(),
                failed == 0 ? "PASS" : failed + " outside tolerance" + (label.isEmpty() ? ": FAIL" : ""), label);
        if (label.isEmpty()) rs.stream().filter(r -> !r.pass()).limit(5).forEach(r -> out.println("      " + r));
    }

    /** Error as a fraction of the tolerance (0 when both are 0: an exact match). */
    private static double errorRatio(ParityResult r) {
        if (r.maxAbsErr() == 0) return 0;
        return r.tolerance() == 0 ? Double.POSITIVE_INFINITY : r.maxAbsErr() / r.tolerance();
    }

    static Map<String, Object> toJson(ParityResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "parity");
        m.put("op", r.op());
        m.put("direction", r.direction());
        m.put("mode", r.mode());
        m.put("backend", r.backend().id());
        m.put("layout", r.layout());
        m.put("shape", r.shape());
        m.put("input", r.input().id());
        m.put("affine", r.affine());
        m.put("maxAbsErr", r.maxAbsErr());
        m.put("tolerance", r.tolerance());
        if (!Double.isNaN(r.meanMaxAbsErr())) {
            m.put("meanMaxAbsErr", r.meanMaxAbsErr());
            m.put("meanTolerance", r.meanTolerance());
            m.put("rstdMaxAbsErr", r.rstdMaxAbsErr());
            m.put("rstdTolerance", r.rstdTolerance());
        }
        m.put("pass", r.pass());
        m.put("parityClaimed", r.parityClaimed());
        return m;
    }
}
