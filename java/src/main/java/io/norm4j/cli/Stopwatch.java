package io.norm4j.cli;

import java.util.Arrays;
import java.util.List;

/**
 * Median time per call of an action, measured in batches long enough for System.nanoTime to be
 * precise, after a warm-up that lets the JIT compile the calling path.
 */
final class Stopwatch {
    private Stopwatch() {}

    /**
     * Shortest warm-up. Calls reach their steady speed only after some tens of milliseconds
     * here: with 30 ms, batch norm [128, 1024] backward on NATIVE measured 35 us, against
     * 21-23 us after 100 ms (and 21 us in JMH).
     */
    static final long MIN_WARM_UP_NANOS = 100_000_000L;

    /**
     * Untimed calls before each interleaved batch, at least one: they bring the action's data
     * back into the caches, and outlast the other action's OpenMP threads, which spin for some
     * milliseconds after a parallel call and slowed a single-threaded 0.4 us call that followed
     * by about a quarter here.
     */
    static final long LEAD_IN_NANOS = 5_000_000L;

    /**
     * The warm-up also lasts until the JIT has compiled nothing for this long (at most {@link
     * #MAX_WARM_UP_NANOS} in all). On two cores the optimizing compiler's queue lags behind a new
     * backend's first calls: after REFERENCE had run, NATIVE's rms_norm 1x768 backward path was
     * still being compiled 0.2 s into its timing, and a fixed 100 ms warm-up measured it at
     * 330-480 ns instead of 270-300 ns.
     */
    static final long JIT_QUIET_NANOS = 200_000_000L, MAX_WARM_UP_NANOS = 1_000_000_000L;

    private static final java.lang.management.CompilationMXBean JIT =
            java.lang.management.ManagementFactory.getCompilationMXBean();
    private static final boolean JIT_TIMED = JIT != null && JIT.isCompilationTimeMonitoringSupported();

    /** The JIT's total compile time so far (ms), or 0 where the JVM does not report it. */
    private static long jitMillis() {
        return JIT_TIMED ? JIT.getTotalCompilationTime() : 0;
    }

    /** Timed batches per action at most; at least {@link #MIN_ROUNDS} whatever the budget. */
    private static final int MAX_ROUNDS = 64, MIN_ROUNDS = 5;

    /** Median nanoseconds per call of {@code action} within roughly {@code budgetNanos}. */
    static double medianNanosPerCall(Runnable action, long budgetNanos) {
        return interleavedMedians(List.of(action), budgetNanos)[0];
    }

    /**
     * Median nanoseconds per call of each action, within roughly {@code budgetNanos} per action.
     * Each is warmed up on its own, then timed in rounds: a round times one batch of every action
     * in turn, so a change in the load of a shared machine falls on all of them alike instead of
     * on whichever happened to be measured at the time. With several actions, each batch follows
     * a lead-in of the action's own untimed calls ({@link #LEAD_IN_NANOS}).
     */
    static double[] interleavedMedians(List<Runnable> actions, long budgetNanos) {
        int k = actions.size();
        int[] perBatch = new int[k];
        for (int a = 0; a < k; a++) perBatch[a] = warmUp(actions.get(a), budgetNanos);
        double[][] samples = new double[k][MAX_ROUNDS];
        int rounds = 0;
        long end = System.nanoTime() + budgetNanos * 3 / 4 * k;
        while (rounds < MAX_ROUNDS && (rounds < MIN_ROUNDS || System.nanoTime() < end)) {
            for (int a = 0; a < k; a++) {
                Runnable action = actions.get(a);
                if (k > 1) {
                    long leadEnd = System.nanoTime() + LEAD_IN_NANOS;
                    do action.run();
                    while (System.nanoTime() < leadEnd);
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < perBatch[a]; i++) action.run();
                samples[a][rounds] = (System.nanoTime() - t0) / (double) perBatch[a];
            }
            rounds++;
        }
        double[] medians = new double[k];
        for (int a = 0; a < k; a++) medians[a] = median(Arrays.copyOf(samples[a], rounds));
        return medians;
    }

    /**
     * Runs the action for the warm-up time, and on while the JIT is still compiling (see
     * {@link #JIT_QUIET_NANOS}); returns how many calls make a batch of ~200 us.
     */
    private static int warmUp(Runnable action, long budgetNanos) {
        long start = System.nanoTime();
        long warmEnd = start + Math.max(budgetNanos / 4, MIN_WARM_UP_NANOS);
        long single = Long.MAX_VALUE;
        long jitMillis = jitMillis(), quietSince = start;
        while (true) {
            long t0 = System.nanoTime();
            action.run();
            long t1 = System.nanoTime();
            single = Math.min(single, t1 - t0);
            long jit = jitMillis();
            if (jit != jitMillis) {
                jitMillis = jit;
                quietSince = t1;
            }
            boolean settled = t1 - quietSince >= JIT_QUIET_NANOS || t1 - start >= MAX_WARM_UP_NANOS;
            if (t1 >= warmEnd && settled) break;
        }
        // Batches of at least ~200 us, so timer resolution and call overhead of nanoTime vanish.
        return (int) Math.max(1, Math.min(1_000_000, 200_000 / Math.max(1, single)));
    }

    /** The median of s, which it sorts. */
    static double median(double[] s) {
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
