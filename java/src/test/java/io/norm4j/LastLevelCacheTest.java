package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The last-level cache NATIVE sizes its calls by: read from the CPU, or the variable that
 * overrides it; and calls larger than it giving the bits of those that fit. Each check runs in a
 * child JVM, whose native library reads the variable at load.
 */
class LastLevelCacheTest {
    /** Prints what a fresh JVM's native library found: bytes, then the source. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println(RuntimeInfo.lastLevelCacheBytes().orElseThrow() + " "
                    + RuntimeInfo.lastLevelCacheSource().orElseThrow());
        }
    }

    private static String probe(String variable) throws Exception {
        return inChildJvm(Probe.class, variable, 60);
    }

    /**
     * Runs {@code main} in a fresh JVM on this test classpath with NORM4J_LAST_LEVEL_CACHE set to
     * {@code variable} (removed where null), within {@code seconds}; returns what it printed,
     * after asserting it exited with 0.
     */
    private static String inChildJvm(Class<?> main, String variable, int seconds) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                main.getName()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("NORM4J_LAST_LEVEL_CACHE");
        if (variable != null) pb.environment().put("NORM4J_LAST_LEVEL_CACHE", variable);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), main.getName() + " did not finish in " + seconds + " s");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void aSizeIsFoundAndSaysWhereItCameFrom() {
        long bytes = RuntimeInfo.lastLevelCacheBytes().orElseThrow();
        assertTrue(bytes >= 1 << 20, () -> bytes + " bytes is no last-level cache");
        assertTrue(!RuntimeInfo.lastLevelCacheSource().orElseThrow().isEmpty());
    }

    @Test
    void theVariableOverridesTheCpuInBytesOrWithASuffix() throws Exception {
        assertEquals("50331648 NORM4J_LAST_LEVEL_CACHE", probe("48M"));
        assertEquals("1048576 NORM4J_LAST_LEVEL_CACHE", probe("1048576"));
    }

    @Test
    void aVariableThatIsNoSizeIsIgnored() throws Exception {
        String found = probe("lots");
        assertNotEquals("NORM4J_LAST_LEVEL_CACHE", found.substring(found.indexOf(' ') + 1));
        assertEquals(probe(null), found);
    }

    /**
     * The residual add fused with a norm against its composition (ResidualNormTest) in a JVM whose
     * NATIVE takes the last-level cache to be 256 KiB, so calls of 16K values or more run as calls
     * larger than the cache do (the f32 forward stages each block's sum and writes h and y around
     * the caches): prints each mismatch.
     */
    public static final class ResidualNormFromMemory {
        private static final long[][] SHAPES = {{300, 700}, {64, 1031}, {2, 8192}, {1, 70001}, {1000, 70}};

        public static void main(String[] args) {
            List<String> variants = new ArrayList<>();
            for (BackendVariant v : BackendVariant.available()) if (v.backend == Backend.NATIVE) variants.add(v.name());
            for (String variant : variants)
                for (Op op : new Op[] {Op.ADD_RMS_NORM, Op.ADD_LAYER_NORM})
                    for (DType type : DType.values())
                        for (long[] shape : SHAPES) {
                            try (ResidualNormTest.Data d = ResidualNormTest.Data.of(type, shape, 13 + shape[1])) {
                                List<float[]> f = BackendVariant.on(variant, n -> ResidualNormTest.fused(n, op, d, shape, 0));
                                List<float[]> c = BackendVariant.on(variant, n -> ResidualNormTest.composed(n, op, d, shape, 0));
                                for (int i = 0; i < ResidualNormTest.NAMES.length; i++) {
                                    if (!java.util.Arrays.equals(c.get(i), f.get(i))) {
                                        System.out.println(variant + " " + op + " " + type + " "
                                                + java.util.Arrays.toString(shape) + ": " + ResidualNormTest.NAMES[i] + " differs");
                                    }
                                }
                            }
                        }
            System.out.println("checked " + variants.size() * 2 * DType.values().length * SHAPES.length + " calls");
        }
    }

    @Test
    void fusedResidualCallsLargerThanTheCacheGiveTheBitsOfTheComposition() throws Exception {
        String out = inChildJvm(ResidualNormFromMemory.class, "256K", 300);
        assertTrue(out.startsWith("checked ") && !out.startsWith("checked 0 ") && out.lines().count() == 1, out);
    }
}
