package io.norm4j.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.norm4j.Backend;
import io.norm4j.BackendVariant;
import io.norm4j.Layout;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every backend does at the edges of f32, op by op, as the README's special-values list says:
 * constant groups, subnormal inputs with eps = 0, finite inputs near the top of f32, infinities in
 * an RMS-norm row, an infinite running mean. REFERENCE and every NATIVE kernel set give the same
 * answers; where oneDNN's f32 arithmetic cannot, its own behaviour is pinned down here too.
 */
class EdgeValuesTest {
    /** One norm applied to a single group of values, with weight 1 and the given bias. */
    enum Op {
        LAYER_NORM, BATCH_NORM_NCHW, BATCH_NORM_NHWC, GROUP_NORM_NCHW, GROUP_NORM_NHWC, INSTANCE_NORM_NCHW,
        INSTANCE_NORM_NHWC;

        float[] run(Norms norms, float[] v, double eps, float bias) {
            int n = v.length;
            Layout layout = name().endsWith("NHWC") ? Layout.NHWC : Layout.NCHW;
            // One group of n values: a row, a channel, or a sample's only group or channel.
            long[] shape = this == LAYER_NORM ? new long[] {1, n}
                    : layout == Layout.NCHW ? new long[] {1, 1, n} : new long[] {1, n, 1};
            try (Tensor x = Tensor.of(v, shape); Tensor y = Tensor.allocate(shape); Tensor w = Tensor.of(1f);
                    Tensor b = Tensor.of(bias); Tensor mean = Tensor.allocate(1); Tensor rstd = Tensor.allocate(1)) {
                switch (this) {
                    case LAYER_NORM -> {
                        try (Tensor wr = Tensor.allocate(n).fill(1f); Tensor br = Tensor.allocate(n).fill(bias)) {
                            norms.layerNorm(x, new long[] {n}, wr, br, eps, y);
                        }
                    }
                    case BATCH_NORM_NCHW, BATCH_NORM_NHWC ->
                        norms.batchNormTraining(x, layout, null, null, w, b, 0.1, eps, y, mean, rstd);
                    case GROUP_NORM_NCHW, GROUP_NORM_NHWC -> norms.groupNorm(x, layout, 1, w, b, eps, y);
                    default -> norms.instanceNorm(x, layout, w, b, eps, y);
                }
                return y.toArray();
            }
        }
    }

    /** REFERENCE and each NATIVE kernel set this machine has, with every op. */
    static Stream<Arguments> exactBackends() {
        Stream<BackendVariant> natives = BackendVariant.available().stream().filter(v -> v.backend == Backend.NATIVE);
        return Stream.concat(Stream.of((BackendVariant) null), natives)
                .flatMap(v -> Arrays.stream(Op.values()).map(op -> Arguments.of(v == null ? "REFERENCE" : v.name(), op)));
    }

    private static float[] run(String variant, Op op, float[] v, double eps, float bias) {
        if (variant.equals("REFERENCE")) return op.run(Norms.on(Backend.REFERENCE), v, eps, bias);
        Runnable restore = BackendVariant.valueOf(variant).activate();
        try {
            return op.run(Norms.on(Backend.NATIVE), v, eps, bias);
        } finally {
            restore.run();
        }
    }

    private static float[] constant(int n, float value) {
        float[] v = new float[n];
        Arrays.fill(v, value);
        return v;
    }

    private static final List<float[]> CONSTANT_GROUPS =
            List.of(constant(1000, 0.1f), constant(4099, 7.3f), constant(6, 3e38f), constant(6, -3e38f));

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("exactBackends")
    void aConstantGroupGivesExactlyBias(String variant, Op op) {
        for (float[] group : CONSTANT_GROUPS) {
            float[] y = run(variant, op, group, 1e-5, 0.25f);
            for (int i = 0; i < y.length; i++) {
                assertEquals(0.25f, y[i], 0f, op + " constant " + group[0] + " x " + group.length + ", element " + i);
            }
        }
    }

    /**
     * oneDNN takes a constant group's mean in f32: its rounding (at most n u |c| for an f32 sum of n
     * values c, u = 2^-24) survives centring and is magnified by rstd = 1/sqrt(eps), so y is
     * bias +- n u |c| / sqrt(eps) rather than bias. Where the sum overflows f32 it is NaN.
     */
    @ParameterizedTest
    @EnumSource(Op.class)
    void onednnGivesAConstantGroupBiasWithinItsF32MeanError(Op op) {
        for (float[] group : CONSTANT_GROUPS) {
            float[] y = op.run(Norms.on(Backend.ONEDNN), group, 1e-5, 0.25f);
            double c = Math.abs(group[0]);
            boolean sumOverflows = c * group.length > Float.MAX_VALUE;
            double bound = group.length * 0x1p-24 * c / Math.sqrt(1e-5);
            for (int i = 0; i < y.length; i++) {
                String what = op + " constant " + group[0] + " x " + group.length + ", element " + i + ": " + y[i];
                if (sumOverflows) assertTrue(Float.isNaN(y[i]), what);
                else assertTrue(Math.abs(y[i] - 0.25) <= bound, what + " beyond " + bound);
            }
        }
    }

    /** Subnormal values k * 1e-41 with eps = 0: rstd (about 1e40) is beyond f32. */
    private static float[] subnormalGroup() {
        float[] v = new float[12];
        for (int i = 0; i < v.length; i++) v[i] = (i - 4) * 1e-41f;
        return v;
    }

    /** Finite values near the top of f32: x - mean overflows f32, and rstd is subnormal. */
    private static final List<float[]> HUGE_GROUPS = List.of(new float[] {3e38f, 3e38f, 3e38f, -3e38f},
            new float[] {3e38f, -3e38f, 3e38f, -3e38f}, new float[] {-3.4e38f, 3.4e38f, 1e38f, 0f, 2e-45f, 3.3e38f});

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("exactBackends")
    void groupsBeyondF32StatisticsStandardizeAsInDouble(String variant, Op op) {
        List<float[]> groups = new java.util.ArrayList<>(HUGE_GROUPS);
        groups.add(subnormalGroup());
        for (float[] g : groups) {
            double eps = g == groups.get(groups.size() - 1) ? 0 : 1e-5;
            float[] y = run(variant, op, g, eps, 0f);
            double[] expected = standardized(g, eps);
            for (int i = 0; i < y.length; i++) {
                assertEquals(expected[i], y[i], 1e-6, op + " " + Arrays.toString(g) + " eps " + eps + ", element " + i);
            }
        }
    }

    /** (x - mean) / sqrt(var + eps) in double: BigDecimal-free, since these values fit a double's range. */
    private static double[] standardized(float[] g, double eps) {
        double mean = 0;
        for (float v : g) mean += v;
        mean /= g.length;
        double sq = 0;
        for (float v : g) sq += (v - mean) * (v - mean);
        double rstd = 1 / Math.sqrt(sq / g.length + eps);
        double[] out = new double[g.length];
        for (int i = 0; i < g.length; i++) out[i] = (g[i] - mean) * rstd;
        return out;
    }

    @Test
    void onednnLosesGroupsBeyondF32Statistics() {
        // Its f32 variance of the subnormal group underflows to 0, so its rstd is infinite, and
        // x - mean overflows for the huge groups: non-finite outputs, where the others standardize.
        for (Op op : Op.values()) {
            float[] tiny = op.run(Norms.on(Backend.ONEDNN), subnormalGroup(), 0, 0f);
            assertTrue(Float.isInfinite(tiny[0]), op + " subnormal: " + Arrays.toString(tiny));
            float[] huge = op.run(Norms.on(Backend.ONEDNN), HUGE_GROUPS.get(0), 1e-5, 0f);
            assertTrue(Float.isNaN(huge[3]), op + " huge: " + Arrays.toString(huge));
        }
    }

    private static float[] rmsNorm(Norms norms, float[] v) {
        try (Tensor x = Tensor.of(v, 1, v.length); Tensor y = Tensor.allocate(1, v.length)) {
            norms.rmsNorm(x, new long[] {v.length}, null, 1e-5, y);
            return y.toArray();
        }
    }

    static Stream<String> exactVariants() {
        return exactBackends().map(a -> (String) a.get()[0]).distinct();
    }

    @ParameterizedTest
    @MethodSource("exactVariants")
    void rmsNormRowWithAnInfinityIsAllNaNAndHugeFiniteRowsStayFinite(String variant) {
        Runnable restore = variant.equals("REFERENCE") ? () -> {} : BackendVariant.valueOf(variant).activate();
        Norms norms = Norms.on(variant.equals("REFERENCE") ? Backend.REFERENCE : Backend.NATIVE);
        try {
            for (float inf : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                float[] y = rmsNorm(norms, new float[] {1, inf, 2, 3, 4, 5, 6, 7, 8});
                for (float v : y) assertTrue(Float.isNaN(v), "row with " + inf + ": " + Arrays.toString(y));
            }
            // Its sum of squares overflows f32 but not double; rstd (4e-39) is subnormal as a float.
            float[] row = {3e38f, -3e38f, 1e38f, 2e38f};
            float[] y = rmsNorm(norms, row);
            double ms = 0;
            for (float v : row) ms += (double) v * v / row.length;
            for (int i = 0; i < row.length; i++) assertEquals(row[i] / Math.sqrt(ms), y[i], 1e-6, "element " + i);
        } finally {
            restore.run();
        }
    }

    @Test
    void onednnRmsNormOfAnInfinityIsNaNThereAndZeroElsewhere() {
        float[] y = rmsNorm(Norms.on(Backend.ONEDNN), new float[] {1, Float.POSITIVE_INFINITY, 2, 3});
        assertTrue(Float.isNaN(y[1]), Arrays.toString(y));
        for (int i : new int[] {0, 2, 3}) assertEquals(0f, y[i], 0f, Arrays.toString(y));
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void batchNormWithAnInfiniteRunningMeanFollowsIeeeArithmetic(Backend backend) {
        // y = (x - runningMean) * rstd * w + b: x - inf is -inf, and so is y (w > 0); a NaN only
        // where IEEE arithmetic makes one (w = 0 gives -inf * 0).
        for (Layout layout : Layout.values()) {
            long[] shape = layout == Layout.NCHW ? new long[] {2, 2, 3} : new long[] {2, 3, 2};
            try (Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, shape);
                    Tensor rm = Tensor.of(Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);
                    Tensor rv = Tensor.of(1f, 1f); Tensor w = Tensor.of(2f, 0f); Tensor y = Tensor.allocate(shape)) {
                Norms.on(backend).batchNorm(x, layout, rm, rv, w, null, 1e-5, y);
                float[] v = y.toArray();
                for (int i = 0; i < v.length; i++) {
                    int channel = layout == Layout.NCHW ? (i / 3) % 2 : i % 2;
                    if (channel == 0) assertEquals(Float.NEGATIVE_INFINITY, v[i], layout + " element " + i);
                    else assertTrue(Float.isNaN(v[i]), layout + " element " + i + " (inf * 0): " + v[i]);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void epsThatOverflowsF32IsRefusedNamingItsValueWithNothingWritten(Backend backend) {
        try (Tensor x = Tensor.of(new float[] {1, 2, 3}, 1, 3); Tensor y = Tensor.allocate(1, 3).fill(42f)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Norms.on(backend).layerNorm(x, new long[] {3}, null, null, 1e39, y));
            assertTrue(e.getMessage().contains("eps") && e.getMessage().contains("1.0E39"), e.getMessage());
            for (float v : y.toArray()) assertEquals(42f, v);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void zeroSizeTensorsWhosePartsOverflowALongAreRefusedNamingTheArgument(Backend backend) {
        long big = 1L << 40;
        try (Tensor x = Tensor.allocate(0, big, big); Tensor y = Tensor.allocate(0, big, big)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Norms.on(backend).layerNorm(x, new long[] {big, big}, null, null, 1e-5, y));
            assertTrue(e.getMessage().startsWith("normalizedShape"), e.getMessage());
        }
        try (Tensor x = Tensor.allocate(0, 2, big, big); Tensor y = Tensor.allocate(0, 2, big, big)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Norms.on(backend).batchNorm(x, Layout.NCHW, Tensor.allocate(2), Tensor.allocate(2).fill(1f),
                            null, null, 1e-5, y));
            assertTrue(e.getMessage().startsWith("x's spatial dimensions"), e.getMessage());
        }
    }

    @Test
    void shapesTooLargeForALongSayWhichArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.allocate(1L << 40, 1L << 40));
        assertTrue(e.getMessage().startsWith("shape [1099511627776, 1099511627776] has more elements"),
                e.getMessage());
    }
}
