package io.norm4j.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.norm4j.Backend;
import io.norm4j.Layout;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The documented behaviour on special values, identical on every backend: a negative running
 * variance makes its channel NaN; NaN statistics likewise; subnormal inputs normalize like any
 * other values (no flush to zero).
 */
class SpecialValuesTest {
    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void negativeOrNaNRunningStatisticsMakeTheirChannelNaN(Backend backend) {
        try (Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3);
                Tensor rm = Tensor.of(new float[] {0, 0, Float.NaN}, 3);
                Tensor rv = Tensor.of(new float[] {1, -2, 1}, 3);
                Tensor y = Tensor.allocate(1, 3, 3)) {
            Norms.on(backend).batchNorm(x, Layout.NCHW, rm, rv, null, null, 1e-5, y);
            float[] v = y.toArray();
            for (int i = 0; i < 3; i++) assertEquals((float) ((i + 1) / Math.sqrt(1 + 1e-5)), v[i], 1e-6f, "channel 0");
            for (int i = 3; i < 9; i++) assertTrue(Float.isNaN(v[i]), "channels 1 (negative variance) and 2 (NaN mean)");
        }
    }

    /** Rows of subnormal values (around 1e-39 in f32) and the same rows scaled up by 2^128. */
    private static float[][] subnormalAndScaledRows() {
        float[] tiny = new float[16], big = new float[16];
        for (int i = 0; i < 16; i++) {
            big[i] = (i % 4) - 1.5f;
            tiny[i] = big[i] * 0x1p-128f; // exact: a power-of-two scaling
        }
        return new float[][] {tiny, big};
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE"})
    void subnormalInputsStandardizeLikeAnyOthers(Backend backend) {
        // With eps = 0 the output is the plain standardization of the row: the same for subnormal
        // values as for ordinary ones, because the statistics are kept in double. (oneDNN's f32
        // variance of such values underflows to 0 and gives infinities: see the README.)
        float[][] rows = subnormalAndScaledRows();
        try (Tensor xt = Tensor.of(rows[0], 1, 16); Tensor xb = Tensor.of(rows[1], 1, 16);
                Tensor yt = Tensor.allocate(1, 16); Tensor yb = Tensor.allocate(1, 16)) {
            Norms n = Norms.on(backend);
            n.layerNorm(xt, new long[] {16}, null, null, 0, yt);
            n.layerNorm(xb, new long[] {16}, null, null, 0, yb);
            float[] t = yt.toArray(), b = yb.toArray();
            for (int i = 0; i < 16; i++) assertEquals(b[i], t[i], 1e-6f, "element " + i + " of the subnormal row");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"NATIVE", "ONEDNN"})
    void subnormalInputsWithEpsAreNotFlushedToZero(Backend backend) {
        // With eps > 0 eps dominates the tiny variance on every backend: y = (x - mean) / sqrt(eps),
        // itself subnormal, and it must equal REFERENCE's rather than be flushed to zero.
        float[] tiny = subnormalAndScaledRows()[0];
        try (Tensor x = Tensor.of(tiny, 1, 16); Tensor y = Tensor.allocate(1, 16); Tensor r = Tensor.allocate(1, 16)) {
            Norms.on(backend).layerNorm(x, new long[] {16}, null, null, 1e-5, y);
            Norms.on(Backend.REFERENCE).layerNorm(x, new long[] {16}, null, null, 1e-5, r);
            float[] v = y.toArray(), e = r.toArray();
            for (int i = 0; i < 16; i++) {
                assertTrue(e[i] != 0 && Math.abs(v[i] - e[i]) <= Math.ulp(e[i]) * 4, "element " + i + ": " + v[i] + " vs " + e[i]);
            }
        }
    }
}
