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

    /** Runs the action for the warm-up time; returns how many calls make a batch of ~200 us. */
    private static int warmUp(Runnable action, long budgetNanos) {
        long warmEnd = System.nanoTime() + Math.max(budgetNanos / 4, MIN_WARM_UP_NANOS);
        long single = Long.MAX_VALUE;
        do {
            long t0 = System.nanoTime();
            action.run();
            single = Math.min(single, System.nanoTime() - t0);
        } while (System.nanoTime() < warmEnd);
        // Batches of at least ~200 us, so timer resolution and call overhead of nanoTime vanish.
        return (int) Math.max(1, Math.min(1_000_000, 200_000 / Math.max(1, single)));
    }

    private static double median(double[] s) {
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
