package io.norm4j;

import static io.norm4j.GradientCheckTest.assertClose;
import static io.norm4j.GradientCheckTest.numeric;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Adaptive layer norm (DiT's modulate): every backend against a double-precision computation of
 * {@code LN(x) * (1 + scale[n]) + shift[n]}, against the plain layer norm followed by the
 * modulation, REFERENCE's gradients against central differences, bad input refused.
 */
class AdaLayerNormTest {
    private static final double EPS = 1e-5;

    private static float[] gaussian(long seed, int n, double spread, double centre) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (centre + spread * r.nextGaussian());
        return v;
    }

    /** y, in double, per sample and token. */
    private static double[] expected(float[] x, float[] scale, float[] shift, int n, int t, int d) {
        double[] y = new double[x.length];
        for (int s = 0; s < n; s++)
            for (int k = 0; k < t; k++) {
                int row = (s * t + k) * d;
                double mean = 0, var = 0;
                for (int j = 0; j < d; j++) mean += x[row + j];
                mean /= d;
                for (int j = 0; j < d; j++) var += (x[row + j] - mean) * (x[row + j] - mean);
                double rstd = 1 / Math.sqrt(var / d + (float) EPS);
                for (int j = 0; j < d; j++) {
                    y[row + j] = (x[row + j] - mean) * rstd * (1f + scale[s * d + j]) + shift[s * d + j];
                }
            }
        return y;
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void modulatesEachSampleByItsOwnScaleAndShift(Backend backend) {
        int n = 3, t = 17, d = 40;
        float[] xs = gaussian(1, n * t * d, 2, 5), sc = gaussian(2, n * d, 0.3, 0), sh = gaussian(3, n * d, 0.5, 0);
        try (Tensor x = Tensor.of(xs, n, t, d); Tensor scale = Tensor.of(sc, n, d); Tensor shift = Tensor.of(sh, n, d);
                Tensor y = Tensor.allocate(n, t, d); Tensor plain = Tensor.allocate(n, t, d)) {
            Norms norms = Norms.on(backend);
            norms.adaLayerNorm(x, scale, shift, EPS, y);
            double[] want = expected(xs, sc, sh, n, t, d);
            float[] got = y.toArray();
            double worst = 0;
            for (int i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
            assertTrue(worst < 1e-5, backend + ": max error " + worst);
            // The plain layer norm, then the modulation as its own f32 pass: within a few roundings.
            norms.layerNorm(x, new long[] {d}, null, null, EPS, plain);
            float[] p = plain.toArray();
            for (int i = 0; i < p.length; i++) {
                int s = i / (t * d), j = i % d;
                float modulated = p[i] * (1f + sc[s * d + j]) + sh[s * d + j];
                assertTrue(Math.abs(modulated - got[i]) <= 1e-5, backend + " at " + i + ": " + modulated + " vs " + got[i]);
            }
        }
    }

    @Test
    void nativeMatchesReferenceInEveryStorageTypeAndInPlace() {
        int n = 2, t = 33, d = 96;
        for (DType type : DType.values()) {
            float[] xs = gaussian(4, n * t * d, 1, 0), sc = gaussian(5, n * d, 0.2, 0), sh = gaussian(6, n * d, 0.2, 0);
            try (Tensor x = Tensor.of(type, xs, n, t, d); Tensor scale = Tensor.of(sc, n, d);
                    Tensor shift = Tensor.of(sh, n, d); Tensor yr = Tensor.allocate(type, n, t, d);
                    Tensor mean = Tensor.allocate(n, t); Tensor rstd = Tensor.allocate(n, t)) {
                Norms.on(Backend.REFERENCE).adaLayerNormTraining(x, scale, shift, EPS, yr, mean, rstd);
                Norms.on(Backend.NATIVE).adaLayerNorm(x, scale, shift, EPS, x);  // in place
                float[] a = yr.toArray(), b = x.toArray();
                double u = io.norm4j.parity.TolerancePolicy.unitRoundoff(type);
                for (int i = 0; i < a.length; i++) {
                    // Both round the same f32 result once to the type: at most one unit apart, plus f32's.
                    assertTrue(Math.abs(a[i] - b[i]) <= 4e-6 + 2 * u * Math.abs(a[i]),
                            type + " at " + i + ": " + a[i] + " vs " + b[i]);
                }
            }
        }
    }

    /** L = sum(dy * y), y in double, for the central differences. */
    private static double loss(double[] x, double[] scale, double[] shift, double[] dy, int n, int t, int d) {
        double l = 0;
        for (int s = 0; s < n; s++)
            for (int k = 0; k < t; k++) {
                int row = (s * t + k) * d;
                double mean = 0, var = 0;
                for (int j = 0; j < d; j++) mean += x[row + j] / d;
                for (int j = 0; j < d; j++) var += (x[row + j] - mean) * (x[row + j] - mean) / d;
                double rstd = 1 / Math.sqrt(var + EPS);
                for (int j = 0; j < d; j++) {
                    l += dy[row + j] * ((x[row + j] - mean) * rstd * (1 + scale[s * d + j]) + shift[s * d + j]);
                }
            }
        return l;
    }

    private static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @Test
    void referenceGradientsMatchCentralDifferences() {
        int n = 2, t = 3, d = 5;
        float[] xs = gaussian(7, n * t * d, 1, 0.5), sc = gaussian(8, n * d, 0.4, 0), sh = gaussian(9, n * d, 0.4, 0);
        float[] dys = gaussian(10, n * t * d, 1, 0);
        Norms ref = Norms.on(Backend.REFERENCE);
        try (Tensor x = Tensor.of(xs, n, t, d); Tensor scale = Tensor.of(sc, n, d); Tensor shift = Tensor.of(sh, n, d);
                Tensor y = Tensor.allocate(n, t, d); Tensor mean = Tensor.allocate(n, t); Tensor rstd = Tensor.allocate(n, t);
                Tensor dy = Tensor.of(dys, n, t, d); Tensor dx = Tensor.allocate(n, t, d);
                Tensor dscale = Tensor.allocate(n, d); Tensor dshift = Tensor.allocate(n, d)) {
            ref.adaLayerNormTraining(x, scale, shift, EPS, y, mean, rstd);
            ref.adaLayerNormBackward(x, dy, scale, mean, rstd, dx, dscale, dshift);
            double[] xv = doubles(xs), sv = doubles(sc), hv = doubles(sh), g = doubles(dys);
            assertClose("dx", numeric(xv, v -> loss(v, sv, hv, g, n, t, d)), dx.toArray());
            assertClose("dscale", numeric(sv, v -> loss(xv, v, hv, g, n, t, d)), dscale.toArray());
            assertClose("dshift", numeric(hv, v -> loss(xv, sv, v, g, n, t, d)), dshift.toArray());
            // NATIVE's backward gives the same gradients within f32 roundings.
            try (Tensor ndx = Tensor.allocate(n, t, d); Tensor nds = Tensor.allocate(n, d); Tensor ndh = Tensor.allocate(n, d)) {
                Norms.on(Backend.NATIVE).adaLayerNormBackward(x, dy, scale, mean, rstd, ndx, nds, ndh);
                assertArrayEquals(dx.toArray(), ndx.toArray(), 1e-5f);
                assertArrayEquals(dscale.toArray(), nds.toArray(), 1e-5f);
                assertArrayEquals(dshift.toArray(), ndh.toArray(), 1e-5f);
            }
        }
    }

    @Test
    void theModuleGivesTheFunctionalResultsAndTheConditioningGradients() {
        int n = 2, t = 9, d = 24;
        try (AdaLayerNorm m = new AdaLayerNorm(d); Tensor x = Tensor.of(gaussian(11, n * t * d, 1, 1), n, t, d);
                Tensor scale = Tensor.of(gaussian(12, n * d, 0.3, 0), n, d);
                Tensor shift = Tensor.of(gaussian(13, n * d, 0.3, 0), n, d);
                Tensor dy = Tensor.of(gaussian(14, n * t * d, 1, 0), n, t, d); Tensor ey = Tensor.allocate(n, t, d);
                Tensor mean = Tensor.allocate(n, t); Tensor rstd = Tensor.allocate(n, t); Tensor edx = Tensor.allocate(n, t, d);
                Tensor eds = Tensor.allocate(n, d); Tensor edh = Tensor.allocate(n, d); Tensor y = m.forward(x, scale, shift);
                Tensor dx = m.backward(dy)) {
            Norms.auto().adaLayerNormTraining(x, scale, shift, m.eps(), ey, mean, rstd);
            Norms.auto().adaLayerNormBackward(x, dy, scale, mean, rstd, edx, eds, edh);
            assertArrayEquals(ey.toArray(), y.toArray());
            assertArrayEquals(edx.toArray(), dx.toArray());
            assertArrayEquals(eds.toArray(), m.scaleGrad().toArray());
            assertArrayEquals(edh.toArray(), m.shiftGrad().toArray());
            try (Tensor wide = Tensor.allocate(n, t, d + 1); Tensor out = Tensor.allocate(n, t, d + 1)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> m.forward(wide, scale, shift, out));
                assertTrue(e.getMessage().contains("x must be [N, T, 24]"), e.getMessage());
            }
        }
    }

    @Test
    void badShapesAreRefusedNamingTheArgumentWithNothingWritten() {
        for (Backend b : new Backend[] {Backend.REFERENCE, Backend.NATIVE}) {
            Norms norms = Norms.on(b);
            try (Tensor x = Tensor.allocate(2, 3, 8).fill(1f); Tensor flat = Tensor.allocate(6, 8);
                    Tensor scale = Tensor.allocate(2, 8); Tensor wrong = Tensor.allocate(2, 9);
                    Tensor y = Tensor.allocate(2, 3, 8).fill(-3f); Tensor half = Tensor.allocate(DType.BFLOAT16, 2, 8)) {
                assertMessage(() -> norms.adaLayerNorm(x, wrong, scale, EPS, y), "scale has shape [2, 9], expected [2, 8]");
                assertMessage(() -> norms.adaLayerNorm(x, scale, wrong, EPS, y), "shift has shape [2, 9], expected [2, 8]");
                assertMessage(() -> norms.adaLayerNorm(flat, scale, scale, EPS, flat), "x must be [N, T, D]");
                assertMessage(() -> norms.adaLayerNorm(x, half, scale, EPS, y), "scale must be FLOAT32");
                float[] untouched = new float[48];
                java.util.Arrays.fill(untouched, -3f);
                assertArrayEquals(untouched, y.toArray(), b + ": y written");
            }
        }
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
