package io.norm4j.hardening;

import java.util.List;

/**
 * Tells a leak from a late one-time allocation in a series of memory readings taken every so many
 * calls. A leak of even one small allocation per call grows the reading in (nearly) every interval:
 * glibc rounds the smallest allocation up to a 32-byte chunk, so one per call over 100,000 calls
 * is 3 MB an interval. A one-time allocation that comes late (a cache filled, a thread's OpenMP
 * team, the allocator keeping a block) moves the reading in one or two intervals, up and maybe
 * down again, and never in most of them.
 */
final class SoakVerdict {
    private SoakVerdict() {}

    /** Growth in one interval that counts as growing: far below a leak's, far above a JIT's trickle. */
    static final long GROWING_INTERVAL_BYTES = 256 * 1024;

    /**
     * Whether the readings grow steadily: by more than {@link #GROWING_INTERVAL_BYTES} in all but
     * at most two of the intervals, and by more than that many intervals' worth overall.
     */
    static boolean growsSteadily(List<Long> readings) {
        int intervals = readings.size() - 1, growing = 0;
        for (int i = 1; i < readings.size(); i++) {
            if (readings.get(i) - readings.get(i - 1) > GROWING_INTERVAL_BYTES) growing++;
        }
        long total = readings.get(readings.size() - 1) - readings.get(0);
        return intervals >= 3 && growing >= intervals - 2 && total > (long) (intervals - 2) * GROWING_INTERVAL_BYTES;
    }
}
