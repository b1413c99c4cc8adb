package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bad input gets a specific exception naming the argument, before any native call, with every
 * output untouched; the same on every backend because the checks live in one place.
 */
class LayerNormValidationTest {
    private static final long[] NS = {8};

    private static void rejects(Class<? extends Throwable> type, String word, Sentinels y, Sentinels mean,
            Sentinels rstd, Executable call) {
        Sentinels.assertRejected(type, word, call, y, mean, rstd);
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN", "AUTO"})
    void rejectsBadArgumentsWithoutWriting(Backend backend) {
        Norms n = Norms.on(backend);
        Sentinels y = new Sentinels(4, 8), mean = new Sentinels(4), rstd = new Sentinels(4);
        try (Tensor x = Tensor.allocate(4, 8).fill(1.5f);
                Tensor w = Tensor.allocate(8).fill(1f);
                Tensor b = Tensor.allocate(8);
                Tensor wrongW = Tensor.allocate(7);
                Tensor wrongY = Tensor.allocate(4, 7);
                Tensor wrongMean = Tensor.allocate(3);
                Tensor closed = Tensor.allocate(4, 8)) {
            closed.close();
            Tensor yt = y.tensor, mt = mean.tensor, rt = rstd.tensor;
            rejects(NullPointerException.class, "x", y, mean, rstd, () -> n.layerNorm(null, NS, w, b, 1e-5, yt));
            rejects(NullPointerException.class, "y", y, mean, rstd, () -> n.layerNorm(x, NS, w, b, 1e-5, null));
            rejects(NullPointerException.class, "normalizedShape", y, mean, rstd, () -> n.layerNorm(x, null, w, b, 1e-5, yt));
            rejects(NullPointerException.class, "mean", y, mean, rstd,
                    () -> n.layerNormTraining(x, NS, w, b, 1e-5, yt, null, rt));
            rejects(IllegalStateException.class, "x is closed", y, mean, rstd, () -> n.layerNorm(closed, NS, w, b, 1e-5, yt));
            rejects(IllegalStateException.class, "weight is closed", y, mean, rstd, () -> n.layerNorm(x, NS, closed, b, 1e-5, yt));
            rejects(IllegalArgumentException.class, "eps", y, mean, rstd, () -> n.layerNorm(x, NS, w, b, Double.NaN, yt));
            rejects(IllegalArgumentException.class, "eps", y, mean, rstd,
                    () -> n.layerNorm(x, NS, w, b, Double.POSITIVE_INFINITY, yt));
            rejects(IllegalArgumentException.class, "eps", y, mean, rstd, () -> n.layerNorm(x, NS, w, b, -1e-5, yt));
            rejects(IllegalArgumentException.class, "weight", y, mean, rstd, () -> n.layerNorm(x, NS, wrongW, b, 1e-5, yt));
            rejects(IllegalArgumentException.class, "bias", y, mean, rstd, () -> n.layerNorm(x, NS, w, wrongW, 1e-5, yt));
            rejects(IllegalArgumentException.class, "normalizedShape", y, mean, rstd,
                    () -> n.layerNorm(x, new long[] {4}, w, b, 1e-5, yt));
            rejects(IllegalArgumentException.class, "rank", y, mean, rstd,
                    () -> n.layerNorm(x, new long[] {1, 4, 8}, w, b, 1e-5, yt));
            rejects(IllegalArgumentException.class, "at least one", y, mean, rstd,
                    () -> n.layerNorm(x, new long[0], w, b, 1e-5, yt));
            rejects(IllegalArgumentException.class, "y has shape", y, mean, rstd,
                    () -> n.layerNorm(x, NS, w, b, 1e-5, wrongY));
            rejects(IllegalArgumentException.class, "mean has 3", y, mean, rstd,
                    () -> n.layerNormTraining(x, NS, w, b, 1e-5, yt, wrongMean, rt));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void zeroSizeDimensionsAreANoOp(Backend backend) {
        Norms n = Norms.on(backend);
        Sentinels y = new Sentinels(0, 8), y2 = new Sentinels(3, 0), mean = new Sentinels(3), rstd = new Sentinels(3);
        try (Tensor x = Tensor.allocate(0, 8); Tensor x2 = Tensor.allocate(3, 0); Tensor w = Tensor.allocate(8)) {
            assertDoesNotThrow(() -> n.layerNorm(x, new long[] {8}, w, null, 1e-5, y.tensor));
            assertDoesNotThrow(() -> n.layerNormTraining(x2, new long[] {0}, null, null, 1e-5, y2.tensor, mean.tensor, rstd.tensor));
        }
        y.assertUntouched();
        y2.assertUntouched();
        mean.assertUntouched();
        rstd.assertUntouched();
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void readOnlyOutputsAreRejected(Backend backend) {
        java.nio.FloatBuffer ro = java.nio.ByteBuffer.allocateDirect(32).order(java.nio.ByteOrder.nativeOrder())
                .asFloatBuffer().asReadOnlyBuffer();
        try (Tensor x = Tensor.allocate(1, 8); Tensor y = Tensor.wrap(ro, 1, 8)) {
            Throwable t = assertThrows(IllegalArgumentException.class,
                    () -> Norms.on(backend).layerNorm(x, NS, null, null, 1e-5, y));
            assertTrue(t.getMessage().contains("y is read-only"), t.getMessage());
        }
    }
}
