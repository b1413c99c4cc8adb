package io.norm4j.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Where no native library matches the platform, AUTO falls back to REFERENCE with a single
 * warning, and asking for NATIVE or ONEDNN throws an exception naming the platform. Simulated with
 * a class path stripped of every native library.
 */
class NoNativeLibraryTest {
    @Test
    void autoFallsBackToReferenceWithOneWarning() throws Exception {
        String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.endsWith("native") && !e.contains("linux-") && !e.contains("dnnl"))
                .collect(Collectors.joining(File.pathSeparator));
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Path cache = java.nio.file.Files.createTempDirectory("norm4j-empty-cache");
        Process p = new ProcessBuilder(javaBin.toString(), "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-cp", cp,
                        NoNativeLibraryMain.class.getName())
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out + err);
        assertTrue(out.contains("FALLBACK OK"), out + err);
        long warnings = err.lines().filter(l -> l.startsWith("WARNING") && l.contains("norm4j")).count();
        assertEquals(1, warnings, err);
        assertTrue(err.contains("no native library for platform"), err);
    }
}
