package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test's main class in a fresh JVM on this test classpath, for what the native library
 * reads once at load (its environment): returns what the child printed, after asserting it exited
 * with 0.
 */
final class ChildJvm {
    private ChildJvm() {}

    /**
     * Runs {@code main} with NORM4J_LAST_LEVEL_CACHE set to {@code lastLevelCache} (removed where
     * null) and stderr discarded, within {@code seconds}.
     */
    static String run(Class<?> main, String lastLevelCache, int seconds) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                main.getName()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("NORM4J_LAST_LEVEL_CACHE");
        if (lastLevelCache != null) pb.environment().put("NORM4J_LAST_LEVEL_CACHE", lastLevelCache);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), main.getName() + " did not finish in " + seconds + " s");
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
