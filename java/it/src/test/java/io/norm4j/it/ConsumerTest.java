package io.norm4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The installed artifacts work on their own, and several JVMs can unpack them at once. */
class ConsumerTest {
    @Test
    void layerNormRunsOnNativeAndOneDnnFromTheInstalledJars() {
        String from = io.norm4j.Norms.class.getProtectionDomain().getCodeSource().getLocation().toString();
        assertTrue(from.matches(".*/io/norm4j/norm4j/[^/]+/norm4j-[^/]+\\.jar"),
                "norm4j must come from its installed jar, not the project's classes: " + from);
        ConsumerMain.main(new String[0]);
    }

    @Test
    void severalJvmsExtractingIntoOneFreshCacheAtOnceAllWork() throws Exception {
        Path cache = Files.createTempDirectory("norm4j-javacpp-cache");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<Process> jvms = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            jvms.add(new ProcessBuilder(java.toString(), "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-cp",
                            System.getProperty("java.class.path"), ConsumerMain.class.getName())
                    .redirectErrorStream(true)
                    .start());
        }
        for (Process p : jvms) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "a JVM did not finish");
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("OK NATIVE"), out);
        }
        try (var files = Files.walk(cache)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().equals("libjninorm4j.so")),
                    "the libraries were extracted into the fresh cache");
        }
    }
}
