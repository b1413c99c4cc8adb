package io.norm4j.cli;

import io.norm4j.parity.ParityGrid;
import io.norm4j.parity.ParityResult;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar norm4j-cli.jar [parity|bench] [--json] [--full] [--only TEXT] [--runs N] [--plot FILE.png]}.
 *
 * <p>Without a subcommand: the machine, the backends, a parity line per backend and a timing table.
 * With {@code --json}, stdout carries only one JSON document; progress goes to stderr. The exit
 * status is 1 when a case whose parity the tolerance policy claims is out of tolerance.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        String command = "all";
        boolean json = false;
        boolean full = false;
        java.nio.file.Path plot = null;
        String only = "";
        String experiment = null;
        int runs = 1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--plot" -> {
                    if (i + 1 >= args.length) {
                        System.err.println("--plot needs a file name, e.g. --plot bench.png");
                        System.exit(2);
                    }
                    plot = java.nio.file.Path.of(args[++i]);
                }
                case "--only" -> {
                    if (i + 1 >= args.length) {
                        System.err.println("--only needs a text, e.g. --only layer_norm or --only nhwc");
                        System.exit(2);
                    }
                    only = args[++i];
                }
                case "--runs" -> {
                    try {
                        runs = runsArgument(i + 1 < args.length ? args[++i] : "");
                    } catch (IllegalArgumentException e) {
                        System.err.println(e.getMessage());
                        System.exit(2);
                    }
                }
                case "parity", "bench", "all", "lecture" -> command = a;
                case "--json" -> json = true;
                case "--full" -> full = true;
                case "-h", "--help" -> {
                    usage(System.out);
                    return;
                }
                default -> {
                    if (command.equals("lecture") && experiment == null && !a.startsWith("-")) {
                        experiment = a;
                        continue;
                    }
                    System.err.println("unknown argument: " + a);
                    usage(System.err);
                    System.exit(2);
                }
            }
        }
        if (command.equals("lecture")) System.exit(lecture(experiment, json, plot, System.out, System.err));
        System.exit(run(command, json, full, only, runs, plot, System.out, System.err));
    }

    /**
     * The lecture's experiments (all, or the one named): text on {@code out}, or one JSON document
     * with {@code json}; charts into the folder {@code plots} when given. Exit status 2 for an
     * unknown experiment or a folder that cannot be written, 0 otherwise (an experiment whose claim
     * does not reproduce says so; it is a finding, not a failure).
     */
    static int lecture(String experiment, boolean json, java.nio.file.Path plots, PrintStream out, PrintStream log) {
        if (plots != null && !java.nio.file.Files.isDirectory(plots)) {
            log.println("lecture: --plot needs an existing folder, " + plots + " is not one");
            return 2;
        }
        PrintStream text = json ? log : out;
        try {
            List<Map<String, Object>> results = io.norm4j.lecture.Lecture.run(experiment, plots, text, log);
            if (json) {
                Map<String, Object> doc = Environment.header();
                doc.put("lecture", results);
                out.println(Json.write(doc));
            }
            return 0;
        } catch (IllegalArgumentException e) {
            log.println("lecture: " + e.getMessage());
            return 2;
        } catch (java.io.IOException e) {
            log.println("lecture: could not write a plot: " + e);
            return 2;
        }
    }

    /** The count of {@code --runs}: a whole number from 1 to 100. */
    static int runsArgument(String text) {
        int runs;
        try {
            runs = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            runs = 0;
        }
        if (runs < 1 || runs > 100)
            throw new IllegalArgumentException("--runs needs a whole number of runs from 1 to 100, e.g. --runs 5, not '" + text + "'");
        return runs;
    }

    static int run(String command, boolean json, boolean full, PrintStream out, PrintStream log) {
        return run(command, json, full, "", 1, null, out, log);
    }

    static int run(String command, boolean json, boolean full, String only, int runs, java.nio.file.Path plot,
            PrintStream out, PrintStream log) {
        PrintStream text = json ? log : out;
        // Arguments that would fail only after the whole benchmark are checked before it starts.
        if (!command.equals("parity")) {
            if (BenchCases.cases(full).stream().noneMatch(c -> BenchCommand.label(c).contains(only))) {
                log.println("bench: no case matches --only \"" + only + "\" (case lines look like \""
                        + BenchCommand.label(BenchCases.cases(full).get(0)) + "\"" + (full ? "" : "; --full has more")
                        + ")");
                return 2;
            }
            if (plot != null) {
                String problem = BenchPlot.unwritable(plot);
                if (problem != null) {
                    log.println("bench: cannot write the plot to " + plot + ": " + problem);
                    return 2;
                }
            }
        }
        text.print(Environment.describe());
        text.println();

        // The main job (no subcommand) answers in seconds: a sample of the parity grid and the bench
        // cases that fit the caches, timed briefly. `parity` and `bench` run everything.
        boolean mainJob = command.equals("all");
        List<ParityResult> parity = List.of();
        if (!command.equals("bench")) {
            parity = ParityCommand.run(mainJob ? ParityGrid.sample() : ParityGrid.cases(), log);
            ParityCommand.printSummary(parity, text);
            if (mainJob) text.println("  (every " + ParityGrid.SAMPLE_STRIDE + "th case of the grid; `parity` runs them all)");
            text.println();
        }
        List<BenchCommand.Run> bench = new ArrayList<>();
        if (!command.equals("parity")) {
            List<BenchCases.Case> cases = mainJob && !full ? BenchCases.quick() : BenchCases.cases(full);
            BenchCommand.Budget budget = mainJob && !full ? BenchCommand.Budget.QUICK
                    : full ? BenchCommand.Budget.FULL : BenchCommand.Budget.DEFAULT;
            for (int k = 1; k <= runs; k++) {
                if (runs > 1) text.printf("Run %d of %d%n", k, runs);
                BenchCommand.Run run = BenchCommand.run(cases, budget, only, log);
                BenchCommand.printTable(run.results(), run.copyGBps(), text);
                text.println();
                bench.add(run);
            }
            if (runs > 1) BenchSpread.print(bench, text);
            if (plot != null) {
                try {
                    BenchPlot.write(bench.get(0).results(), bench.get(0).copyGBps(), plot);
                    log.println("plot written to " + plot);
                } catch (java.io.IOException e) {
                    log.println("could not write the plot: " + e);
                    return 2;
                }
            }
        }
        if (json) {
            Map<String, Object> doc = Environment.header();
            List<Object> results = new ArrayList<>();
            parity.forEach(r -> results.add(ParityCommand.toJson(r)));
            for (int k = 0; k < bench.size(); k++)
                for (BenchCommand.Result r : bench.get(k).results()) {
                    Map<String, Object> m = BenchCommand.toJson(r, bench.get(k).results());
                    if (runs > 1) m.put("run", k + 1);
                    results.add(m);
                }
            doc.put("results", results);
            if (!bench.isEmpty()) {
                Map<String, Object> bandwidth = new java.util.LinkedHashMap<>();
                bandwidth.put("copyGBps", bench.get(0).copyGBps());
                if (runs > 1) bandwidth.put("copyGBpsByRun", bench.stream().map(BenchCommand.Run::copyGBps).toList());
                doc.put("bandwidth", bandwidth);
            }
            out.println(Json.write(doc));
        }
        return ParityCommand.allAcceptable(parity) ? 0 : 1;
    }

    private static void usage(PrintStream out) {
        out.println("usage: java -jar norm4j-cli.jar [parity|bench|lecture [EXPERIMENT]] [--json] [--full] [--only TEXT] [--runs N]"
                + " [--plot FILE.png | DIR]");
        out.println("  (none)   machine and backends, parity over a tenth of the grid, a short timing table (seconds)");
        out.println("  parity   every backend against REFERENCE over shapes, inputs, affine and mode");
        out.println("  bench    median ns per call, GB/s and speed-ups; --full for more shapes and training");
        out.println("  lecture [EXPERIMENT]  the lecture's claims as small training experiments: "
                + String.join(", ", io.norm4j.lecture.Lecture.ids()) + " (or 1 to 5); all without one");
        out.println("  --json   print one JSON document on stdout, progress on stderr");
        out.println("  --only   with bench: only the cases whose line (op direction mode layout shape) contains TEXT");
        out.println("           (exit status 2, before timing anything, when none does)");
        out.println("  --runs   with bench: time everything N times, each run's table, then each speed-up's lowest,");
        out.println("           median and highest over the runs (JSON: every run's results, tagged with its run)");
        out.println("  --plot   with bench: draw GB/s against size per backend, with the copy bandwidth, to a PNG");
        out.println("           (of the first run)");
    }
}
