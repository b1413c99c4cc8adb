package io.norm4j.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A million small calls across ops and backends ({@link SoakMain}, in a JVM of its own) leave the C
 * heap, the JVM's direct memory and the process's resident memory flat: after the first
 * checkpoint (caches filled, code compiled) none of the native readings grows steadily
 * ({@link SoakVerdict}), and direct memory does not grow at all. A late one-time allocation (seen:
 * 4.5 and 6 MB that came at the 100,000th or 200,000th call and went again) is not a leak; one
 * small allocation per call is, and the same run with one is caught.
 */
class SoakTest {
    static final int CALLS = 1_000_000, CHECKPOINTS = 10;

    /** Runs SoakMain; returns its rows: calls, C heap, direct, RSS. */
    private static List<long[]> soak(int calls, int checkpoints, String... extra) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xms128m", "-Xmx128m",
                "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                SoakMain.class.getName(), Integer.toString(calls), Integer.toString(checkpoints)));
        command.addAll(List.of(extra));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        List<long[]> rows = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            String[] f = line.trim().split(" ");
            rows.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])});
        }
        assertEquals(checkpoints + 1, rows.size(), out);
        return rows;
    }

    /** Column {@code column} of the rows from the first checkpoint on (the warm-up's end). */
    private static List<Long> column(List<long[]> rows, int column) {
        return rows.subList(1, rows.size()).stream().map(r -> r[column]).toList();
    }

    private static String table(List<long[]> rows) {
        StringBuilder b = new StringBuilder("calls, C heap, direct, RSS:\n");
        for (long[] r : rows) b.append(String.format("%d %d %d %d%n", r[0], r[1], r[2], r[3]));
        return b.toString();
    }

    @Test
    void aMillionCallsLeaveMemoryFlat() throws Exception {
        List<long[]> rows = soak(CALLS, CHECKPOINTS);
        String report = table(rows);
        System.out.println("soak: " + report);
        List<Long> heap = column(rows, 1);
        assertTrue(heap.get(0) < 0 || !SoakVerdict.growsSteadily(heap), "C heap grows steadily: " + report);
        assertFalse(SoakVerdict.growsSteadily(column(rows, 3)), "RSS grows steadily: " + report);
        List<Long> direct = column(rows, 2);
        assertEquals(direct.get(0), direct.get(direct.size() - 1), "direct memory: " + report);
    }

    @Test
    void oneSmallNativeAllocationLeakedPerCallIsCaught() throws Exception {
        List<long[]> rows = soak(CALLS / 2, 6, "leak");
        List<Long> heap = column(rows, 1);
        assumeTrue(heap.get(0) >= 0, "this C library has no mallinfo2: the C heap cannot be read");
        assertTrue(SoakVerdict.growsSteadily(heap), "a 16-byte leak per call must be caught: " + table(rows));
    }

    @Test
    void lateOneTimeAllocationsAreNotLeaksButSteadyGrowthIs() {
        long mb = 1 << 20;
        // The readings of a failed run: 6 MB came at the 200,000th call and went at the 800,000th.
        List<Long> transient6 = List.of(4_901_184L, 10_941_520L, 10_941_744L, 10_941_744L, 10_941_968L, 10_942_480L,
                10_942_640L, 4_918_960L, 4_919_056L, 4_919_152L);
        assertFalse(SoakVerdict.growsSteadily(transient6));
        assertFalse(SoakVerdict.growsSteadily(List.of(5 * mb, 5 * mb, 11 * mb, 11 * mb, 11 * mb, 11 * mb)), "a cache that stays");
        assertFalse(SoakVerdict.growsSteadily(List.of(5 * mb, 5 * mb + 100, 5 * mb + 300, 5 * mb + 400)), "a trickle");
        assertTrue(SoakVerdict.growsSteadily(List.of(5 * mb, 8 * mb, 11 * mb, 14 * mb, 17 * mb, 20 * mb)), "3 MB an interval");
        assertTrue(SoakVerdict.growsSteadily(List.of(5 * mb, 8 * mb, 8 * mb, 11 * mb, 14 * mb, 17 * mb)), "one pause");
    }
}
