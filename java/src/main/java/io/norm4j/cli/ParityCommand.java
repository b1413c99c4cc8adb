package io.norm4j.cli;

import io.norm4j.Backend;
import io.norm4j.parity.ParityGrid;
import io.norm4j.parity.ParityResult;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs the parity grid on every loaded backend and summarises it per backend and op. */
final class ParityCommand {
    private ParityCommand() {}

    static final String[] OPS = {"layer_norm", "rms_norm", "batch_norm", "group_norm", "instance_norm", "min_max"};

    static List<ParityResult> run(List<ParityGrid.Case> cases, PrintStream log) {
        List<ParityResult> results = new ArrayList<>();
        for (Backend b : new Backend[] {Backend.NATIVE, Backend.ONEDNN}) {
            if (!b.isAvailable()) continue;
            log.printf("parity: %d cases on %s%n", cases.size(), b.id());
            for (ParityGrid.Case c : cases) {
                if (c.runsOn(b)) results.add(c.run(b));
            }
        }
        return results;
    }

    /** True when every case the policy claims parity for passed. */
    static boolean allAcceptable(List<ParityResult> results) {
        return results.stream().allMatch(ParityResult::acceptable);
    }

    static void printSummary(List<ParityResult> results, PrintStream out) {
        out.println("Parity against REFERENCE (forward; tolerances: io.norm4j.parity.TolerancePolicy):");
        out.printf("  %-9s oracle: computes the expected values in double%n", Backend.REFERENCE.id());
        for (Backend b : new Backend[] {Backend.NATIVE, Backend.ONEDNN}) {
            if (!b.isAvailable()) {
                out.printf("  %-9s not loaded%n", b.id());
                continue;
            }
            List<ParityResult> mine = results.stream().filter(r -> r.backend() == b).toList();
            List<ParityResult> claimed = mine.stream().filter(ParityResult::parityClaimed).toList();
            long failed = claimed.stream().filter(r -> !r.pass()).count();
            out.printf("  %-9s %5d cases, worst error/tolerance %.3f  %s%n", b.id(), claimed.size(), worstRatio(claimed),
                    failed == 0 ? "PASS" : failed + " FAILED");
            for (String op : OPS)
                for (String direction : new String[] {"forward", "backward"}) {
                    List<ParityResult> rs = claimed.stream()
                            .filter(r -> r.op().equals(op) && r.direction().equals(direction))
                            .toList();
                    String label = op + " " + direction;
                    if (rs.isEmpty()) {
                        if (!op.equals("min_max") || direction.equals("forward")) {
                            out.printf("    %-23s unsupported by this backend%n", label);
                        }
                        continue;
                    }
                    out.printf("    %-23s %5d cases, max abs err %.3g, worst error/tolerance %.3f%n", label, rs.size(),
                            rs.stream().mapToDouble(ParityResult::maxAbsErr).max().orElse(0), worstRatio(rs));
                }
            List<ParityResult> other = mine.stream().filter(r -> !r.parityClaimed()).toList();
            if (!other.isEmpty()) {
                out.printf("    %-23s %5d cases on ill-conditioned input, parity not claimed (f32 statistics): max abs err %.3g, %d outside tolerance%n",
                        "(all)", other.size(), other.stream().mapToDouble(ParityResult::maxAbsErr).max().orElse(0),
                        other.stream().filter(r -> !r.pass()).count());
            }
            claimed.stream().filter(r -> !r.pass()).limit(10).forEach(r -> out.println("      " + r));
        }
    }

    /** Largest error as a fraction of its tolerance (0/0 counts as 0: an exact match). */
    private static double worstRatio(List<ParityResult> rs) {
        double worst = 0;
        for (ParityResult r : rs)
            for (ParityResult.Check c : r.checks()) {
                if (c.maxAbsErr() == 0) continue;
                worst = Math.max(worst, c.tolerance() == 0 ? Double.POSITIVE_INFINITY : c.maxAbsErr() / c.tolerance());
            }
        return worst;
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
        m.put("dtype", r.dtype().id());
        m.put("input", r.input().id());
        m.put("affine", r.affine());
        m.put("maxAbsErr", r.maxAbsErr());
        m.put("tolerance", r.tolerance());
        m.put("pass", r.pass());
        m.put("parityClaimed", r.parityClaimed());
        Map<String, Object> outputs = new LinkedHashMap<>();
        for (ParityResult.Check c : r.checks()) {
            outputs.put(c.output(), Map.of("maxAbsErr", c.maxAbsErr(), "tolerance", c.tolerance()));
        }
        m.put("outputs", outputs);
        return m;
    }
}
