package io.norm4j.hardening;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * 16 Java threads calling mixed ops and backends for a sustained period get exactly the results a
 * single thread gets. Exercises the per-thread oneDNN primitive caches and streams, and shows the
 * kernels share no mutable state.
 */
class ConcurrencyTest {
    static final int THREADS = 16;
    static final long SECONDS = Long.getLong("norm4j.concurrency.seconds", 8);

    @Test
    void sixteenThreadsGetSingleThreadedResults() throws InterruptedException {
        List<Workload.Call> calls = Workload.calls();
        List<float[]> expected = new ArrayList<>();
        for (Workload.Call c : calls) expected.add(c.run());

        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + SECONDS * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            long seed = t;
            Thread th = new Thread(() -> {
                Random rnd = new Random(seed);
                try {
                    while (System.nanoTime() < end) {
                        int i = rnd.nextInt(calls.size());
                        float[] got = calls.get(i).run();
                        if (!java.util.Arrays.equals(got, expected.get(i))) failures.add(calls.get(i).name());
                        done.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failures.add(e.toString());
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) th.join();
        System.out.println("concurrency: " + THREADS + " threads, " + done.get() + " calls in " + SECONDS + " s");
        assertTrue(failures.isEmpty(), () -> failures.size() + " mismatches, e.g. " + failures.peek());
        assertTrue(done.get() > THREADS * 100L, "each thread made progress: " + done.get() + " calls");
        // And once more on this thread, after the storm.
        for (int i = 0; i < calls.size(); i++) assertArrayEquals(expected.get(i), calls.get(i).run(), calls.get(i).name());
        assertEquals(0, failures.size());
    }
}
