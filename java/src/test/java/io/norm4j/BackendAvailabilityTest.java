package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;

/**
 * On a platform the build produces native libraries for, a backend that does not load is a
 * failure, never a skip. The build passes that platform in {@code norm4j.requireNative}.
 */
class BackendAvailabilityTest {
    private static boolean nativeRequired() {
        String required = System.getProperty("norm4j.requireNative", "");
        return !required.isEmpty() && required.equals(Loader.getPlatform());
    }

    @Test
    void nativeBackendsLoadWhereTheyAreBuilt() {
        assumeTrue(nativeRequired(), "no native library is built for this platform: the fallback test covers it");
        for (Backend b : Backend.values()) {
            assertTrue(b.isAvailable(), () -> b + " must load on " + Loader.getPlatform() + ": " + b.unavailableReason());
        }
        assertTrue(RuntimeInfo.onednnVersion().orElseThrow().startsWith("3."));
    }

    @Test
    void autoPicksNativeAndTheSystemPropertyOverridesIt() {
        assumeTrue(nativeRequired(), "no native library is built for this platform");
        assertTrue(Norms.auto().resolvedBackend(io.norm4j.Op.LAYER_NORM).startsWith("NATIVE"));
        String old = System.getProperty("norm4j.backend");
        try {
            System.setProperty("norm4j.backend", "onednn");
            assertTrue(Norms.auto().resolvedBackend(io.norm4j.Op.LAYER_NORM).startsWith("ONEDNN"));
            System.setProperty("norm4j.backend", "reference");
            assertEquals("REFERENCE", Norms.auto().resolvedBackend(io.norm4j.Op.LAYER_NORM));
            System.setProperty("norm4j.backend", "gpu");
            assertThrows(IllegalArgumentException.class, () -> Norms.auto().resolvedBackend(io.norm4j.Op.LAYER_NORM));
        } finally {
            if (old == null) System.clearProperty("norm4j.backend");
            else System.setProperty("norm4j.backend", old);
        }
    }

    @Test
    void scalarKernelsCanBeForcedAndAreReported() {
        assumeTrue(nativeRequired(), "no native library is built for this platform");
        String before = RuntimeInfo.activeIsa().orElseThrow();
        try {
            RuntimeInfo.selectIsa("scalar");
            assertEquals("scalar", RuntimeInfo.activeIsa().orElseThrow());
            assertEquals("NATIVE (scalar)", Norms.on(Backend.NATIVE).resolvedBackend(io.norm4j.Op.LAYER_NORM));
        } finally {
            RuntimeInfo.selectIsa(before);
        }
        assertThrows(IllegalArgumentException.class, () -> RuntimeInfo.selectIsa("sve"));
        // A kernel set above the CPU's best is refused, not run.
        List<String> sets = NativeRuntime.ISA_NAMES;
        int best = sets.indexOf(RuntimeInfo.detectedIsa().orElseThrow());
        for (String above : sets.subList(best + 1, sets.size())) {
            assertThrows(UnsupportedOperationException.class, () -> RuntimeInfo.selectIsa(above), above);
        }
    }

    @Test
    void theRequiredKernelSetIsDetectedAndTestedHere() {
        String required = System.getProperty("norm4j.requireIsa", "");
        assumeTrue(!required.isEmpty(), "no kernel set required (.ci/run requires the best the CPU has)");
        assertEquals(required, RuntimeInfo.detectedIsa().orElse("none"),
                "the CPU offers " + required + " but NATIVE detected another kernel set");
        assertTrue(BackendVariant.available().stream().anyMatch(v -> required.equals(v.isa)),
                "the parity variants leave out " + required + ": " + BackendVariant.available());
    }
}
