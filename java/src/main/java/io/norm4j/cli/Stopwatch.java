package io.norm4j.cli;

import java.util.Arrays;

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

    /** Median nanoseconds per call of {@code action} within roughly {@code budgetNanos}. */
    static double medianNanosPerCall(Runnable action, long budgetNanos) {
        long warmEnd = System.nanoTime() + Math.max(budgetNanos / 4, MIN_WARM_UP_NANOS);
        long single = Long.MAX_VALUE;
        do {
            long t0 = System.nanoTime();
            action.run();
            single = Math.min(single, System.nanoTime() - t0);
        } while (System.nanoTime() < warmEnd);
        // Batches of at least ~200 us, so timer resolution and call overhead of nanoTime vanish.
        int perBatch = (int) Math.max(1, Math.min(1_000_000, 200_000 / Math.max(1, single)));
        double[] samples = new double[64];
        int n = 0;
        long end = System.nanoTime() + budgetNanos * 3 / 4;
        while (n < samples.length && (n < 5 || System.nanoTime() < end)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < perBatch; i++) action.run();
            samples[n++] = (System.nanoTime() - t0) / (double) perBatch;
        }
        double[] s = Arrays.copyOf(samples, n);
        Arrays.sort(s);
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
