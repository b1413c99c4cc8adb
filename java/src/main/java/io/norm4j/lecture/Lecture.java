package io.norm4j.lecture;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The lecture's claims as experiments on norm4j's own forward and backward passes:
 * {@code java -jar norm4j-cli.jar lecture [EXPERIMENT] [--json] [--plot DIR]}. Each is seeded and
 * deterministic, runs in well under a minute on two cores, states its claim and says plainly
 * whether it reproduced at this scale.
 */
public final class Lecture {
    private Lecture() {}

    /** The experiments in lecture order, by id. */
    static final Map<String, BiFunction<Scale, PrintStream, Result>> EXPERIMENTS = new LinkedHashMap<>();

    static {
        EXPERIMENTS.put("scaling", FeatureScaling::run);
        EXPERIMENTS.put("batchnorm-steps", BatchNormSteps::run);
        EXPERIMENTS.put("batch-size", BatchSize::run);
        EXPERIMENTS.put("smoothness", Smoothness::run);
        EXPERIMENTS.put("instance-norm", InstanceContrast::run);
    }

    /** The ids, for usage lines. */
    public static List<String> ids() {
        return List.copyOf(EXPERIMENTS.keySet());
    }

    /**
     * Runs one experiment (by id, or its number 1 to 5) or all of them (null), prints each to
     * {@code text}, and with {@code plots} writes its charts there.
     *
     * @return the results, in order
     * @throws IllegalArgumentException for an unknown experiment
     */
    public static List<Map<String, Object>> run(String which, Path plots, PrintStream text, PrintStream progress)
            throws IOException {
        List<String> chosen = new ArrayList<>();
        if (which == null) chosen.addAll(EXPERIMENTS.keySet());
        else chosen.add(resolve(which));
        List<Map<String, Object>> json = new ArrayList<>();
        for (String id : chosen) {
            long start = System.nanoTime();
            Result r = EXPERIMENTS.get(id).apply(Scale.FULL, progress);
            double seconds = (System.nanoTime() - start) / 1e9;
            print(r, seconds, text);
            if (plots != null) {
                for (Result.Plot p : r.plots()) {
                    LecturePlots.write(p, plots.resolve(p.file()));
                    progress.println("lecture: plot written to " + plots.resolve(p.file()));
                }
            }
            json.add(toJson(r, seconds));
        }
        return json;
    }

    static String resolve(String which) {
        if (EXPERIMENTS.containsKey(which)) return which;
        try {
            int k = Integer.parseInt(which);
            if (k >= 1 && k <= EXPERIMENTS.size()) return ids().get(k - 1);
        } catch (NumberFormatException e) {
            // not a number: unknown below
        }
        throw new IllegalArgumentException("unknown experiment '" + which + "'; expected 1 to " + EXPERIMENTS.size()
                + " or one of " + ids());
    }

    static void print(Result r, double seconds, PrintStream out) {
        out.printf("%d. %s (%s, %.1f s)%n", ids().indexOf(r.id()) + 1, r.title(), r.id(), seconds);
        out.println("Claim: " + r.claim());
        r.lines().forEach(out::println);
        out.println("Result: " + r.verdict());
        out.println();
    }

    static Map<String, Object> toJson(Result r, double seconds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("experiment", r.id());
        m.put("title", r.title());
        m.put("claim", r.claim());
        m.put("reproduced", r.reproduced());
        m.put("verdict", r.verdict());
        m.put("seconds", seconds);
        m.put("numbers", r.numbers());
        return m;
    }
}
