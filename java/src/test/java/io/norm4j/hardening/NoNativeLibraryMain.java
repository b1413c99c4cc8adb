package io.norm4j.hardening;

import io.norm4j.Backend;
import io.norm4j.Layout;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import org.bytedeco.javacpp.Loader;

/**
 * Runs in a JVM whose class path has norm4j's classes but no native library for this platform
 * (see {@link NoNativeLibraryTest}): AUTO must fall back to REFERENCE, and NATIVE and ONEDNN must
 * say which platform they lack.
 */
public final class NoNativeLibraryMain {
    public static void main(String[] args) {
        if (Backend.NATIVE.isAvailable() || Backend.ONEDNN.isAvailable()) throw new AssertionError("native loaded");
        try (Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3); Tensor y = Tensor.allocate(2, 3);
                Tensor c = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2); Tensor z = Tensor.allocate(2, 2, 2)) {
            Norms.auto().layerNorm(x, new long[] {3}, null, null, 1e-5, y);
            Norms.auto().groupNorm(c, Layout.NCHW, 1, null, null, 1e-5, z);
            Norms.auto().instanceNorm(c, Layout.NCHW, null, null, 1e-5, z);
            if (!Norms.auto().resolvedBackend(io.norm4j.Op.LAYER_NORM).equals("REFERENCE")) throw new AssertionError("AUTO");
        }
        for (Backend b : new Backend[] {Backend.NATIVE, Backend.ONEDNN}) {
            try {
                Norms.on(b);
                throw new AssertionError(b + " should be refused");
            } catch (UnsupportedOperationException e) {
                if (!e.getMessage().contains(Loader.getPlatform())) throw new AssertionError("platform not named: " + e);
            }
        }
        System.out.println("FALLBACK OK");
    }
}
