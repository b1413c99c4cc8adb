package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The last-level cache NATIVE sizes its calls by: read from the CPU, or the variable that overrides it. */
class LastLevelCacheTest {
    /** Prints what a fresh JVM's native library found: bytes, then the source. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println(RuntimeInfo.lastLevelCacheBytes().orElseThrow() + " "
                    + RuntimeInfo.lastLevelCacheSource().orElseThrow());
        }
    }

    private static String probe(String variable) throws Exception {
        return ChildJvm.run(Probe.class, variable, 60);
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
}
