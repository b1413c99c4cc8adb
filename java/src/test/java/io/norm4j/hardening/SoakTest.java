package io.norm4j.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A million small calls across ops and backends ({@link SoakMain}, in a JVM of its own) leave the C
 * heap, the JVM's direct memory and the process's resident memory flat: after the first
 * checkpoint (caches filled, code compiled) none of them may grow. A leak of a single small
 * allocation per call would add megabytes.
 */
class SoakTest {
    static final int CALLS = 1_000_000, CHECKPOINTS = 10;

    @Test
    void aMillionCallsLeaveMemoryFlat() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch",
                        "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), SoakMain.class.getName(),
                        Integer.toString(CALLS), Integer.toString(CHECKPOINTS))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        List<long[]> rows = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            String[] f = line.trim().split(" ");
            rows.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])});
        }
        assertEquals(CHECKPOINTS + 1, rows.size(), out);
        long[] base = rows.get(1);
        long heapGrowth = 0, directGrowth = 0, rssGrowth = 0;
        for (long[] r : rows.subList(2, rows.size())) {
            heapGrowth = Math.max(heapGrowth, r[1] - base[1]);
            directGrowth = Math.max(directGrowth, r[2] - base[2]);
            rssGrowth = Math.max(rssGrowth, r[3] - base[3]);
        }
        String report = String.format("over %d calls: C heap %+d B, direct %+d B, RSS %+d KiB%n%s", CALLS - base[0],
                heapGrowth, directGrowth, rssGrowth / 1024, out);
        System.out.println("soak: " + report.lines().findFirst().orElse(""));
        assertTrue(base[1] < 0 || heapGrowth < 64 * 1024, report);
        assertEquals(0, directGrowth, report);
        assertTrue(rssGrowth < 4L << 20, report);
    }
}
