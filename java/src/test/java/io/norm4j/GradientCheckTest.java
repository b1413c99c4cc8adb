package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * REFERENCE's gradients against central finite differences of an independent double-precision
 * forward pass, gradcheck-style, on small shapes. The loss is L = sum(dy * y) for a fixed random
 * dy, so dL/dx is the backward pass's dx and dL/dw, dL/db are dweight and dbias.
 */
class GradientCheckTest {
    private static final double EPS = 1e-5, H = 1e-6;
    private final Norms ref = Norms.on(Backend.REFERENCE);

    /** Which statistics group and which channel (weight index) each element belongs to. */
    private record Grouping(int[] group, int[] channel, int groups, int channels) {
        static Grouping of(int size, int groups, int channels, java.util.function.IntUnaryOperator group,
                java.util.function.IntUnaryOperator channel) {
            int[] g = new int[size], c = new int[size];
            for (int i = 0; i < size; i++) {
                g[i] = group.applyAsInt(i);
                c[i] = channel.applyAsInt(i);
            }
            return new Grouping(g, c, groups, channels);
        }
    }

    /** The forward pass in double: groups normalized by their own statistics (or given constants). */
    private static double[] forward(double[] x, Grouping gr, double[] w, double[] b, boolean centred,
            double[][] constants) {
        double[] sum = new double[gr.groups], sq = new double[gr.groups], n = new double[gr.groups];
        for (int i = 0; i < x.length; i++) {
            sum[gr.group[i]] += x[i];
            n[gr.group[i]]++;
        }
        double[] mean = new double[gr.groups];
        for (int g = 0; g < gr.groups; g++) mean[g] = centred ? sum[g] / n[g] : 0;
        for (int i = 0; i < x.length; i++) sq[gr.group[i]] += (x[i] - mean[gr.group[i]]) * (x[i] - mean[gr.group[i]]);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int g = gr.group[i], c = gr.channel[i];
            double m = constants != null ? constants[0][g] : mean[g];
            double var = constants != null ? constants[1][g] : sq[g] / n[g];
            y[i] = (x[i] - m) / Math.sqrt(var + EPS) * w[c] + (b == null ? 0 : b[c]);
        }
        return y;
    }

    private static double loss(double[] y, double[] dy) {
        double l = 0;
        for (int i = 0; i < y.length; i++) l += y[i] * dy[i];
        return l;
    }

    /** Central difference of the loss with respect to each element of v (perturbed in place). */
    static double[] numeric(double[] v, Function<double[], Double> lossOf) {
        double[] grad = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            double keep = v[i];
            v[i] = keep + H;
            double up = lossOf.apply(v);
            v[i] = keep - H;
            double down = lossOf.apply(v);
            v[i] = keep;
            grad[i] = (up - down) / (2 * H);
        }
        return grad;
    }

    static void assertClose(String what, double[] expected, float[] actual) {
        double scale = 0, worst = 0;
        for (double e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        double tol = 1e-5 * Math.max(scale, 1); // f32 outputs and f32 saved statistics, vs 1e-10 in the differences
        final double w = worst;
        assertTrue(worst <= tol, () -> what + ": max error " + w + " > " + tol);
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    /** Values exactly representable in f32, so the double forward sees what the tensors hold. */
    private static double[] values(int n, long seed, double scale, double offset) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (float) (offset + scale * r.nextGaussian());
        return v;
    }

    /** Runs REFERENCE backward through {@code backward} and checks dx, dweight, dbias numerically. */
    private void check(String name, long[] shape, Grouping gr, boolean centred, boolean withBias, double[][] constants,
            Backward backward) {
        int size = gr.group.length;
        double[] x = values(size, 1, 1.5, 0.3), dy = values(size, 2, 1, 0);
        double[] w = values(gr.channels, 3, 0.5, 1), b = withBias ? values(gr.channels, 4, 0.5, 0) : null;
        double[] dxNum = numeric(x, xs -> loss(forward(xs, gr, w, b, centred, constants), dy));
        double[] dwNum = numeric(w, ws -> loss(forward(x, gr, ws, b, centred, constants), dy));
        try (Tensor xt = Tensor.of(floats(x), shape);
                Tensor dyt = Tensor.of(floats(dy), shape);
                Tensor wt = Tensor.of(floats(w), gr.channels);
                Tensor bt = withBias ? Tensor.of(floats(b), gr.channels) : null;
                Tensor dx = Tensor.allocate(shape);
                Tensor dw = Tensor.allocate(gr.channels);
                Tensor db = Tensor.allocate(gr.channels)) {
            backward.run(xt, dyt, wt, bt, dx, dw, db);
            assertClose(name + " dx", dxNum, dx.toArray());
            assertClose(name + " dweight", dwNum, dw.toArray());
            if (withBias) {
                assertClose(name + " dbias", numeric(b, bs -> loss(forward(x, gr, w, bs, centred, constants), dy)), db.toArray());
            }
        }
    }

    @FunctionalInterface
    private interface Backward {
        void run(Tensor x, Tensor dy, Tensor w, Tensor b, Tensor dx, Tensor dw, Tensor db);
    }

    @Test
    void layerNormOverTheLastTwoDimensions() {
        long[] shape = {2, 3, 4};
        Grouping gr = Grouping.of(24, 2, 12, i -> i / 12, i -> i % 12);
        long[] ns = {3, 4};
        check("layer_norm", shape, gr, true, true, null, (x, dy, w, b, dx, dw, db) -> {
            try (Tensor wv = Tensor.of(w.toArray(), ns); Tensor bv = Tensor.of(b.toArray(), ns);
                    Tensor y = Tensor.allocate(shape); Tensor mean = Tensor.allocate(2); Tensor rstd = Tensor.allocate(2);
                    Tensor dwv = Tensor.allocate(ns); Tensor dbv = Tensor.allocate(ns)) {
                ref.layerNormTraining(x, ns, wv, bv, EPS, y, mean, rstd);
                ref.layerNormBackward(x, dy, ns, wv, mean, rstd, dx, dwv, dbv);
                dw.copyFrom(dwv.toArray());
                db.copyFrom(dbv.toArray());
            }
        });
    }

    @Test
    void rmsNorm() {
        long[] shape = {3, 5};
        Grouping gr = Grouping.of(15, 3, 5, i -> i / 5, i -> i % 5);
        check("rms_norm", shape, gr, false, false, null, (x, dy, w, b, dx, dw, db) -> {
            try (Tensor y = Tensor.allocate(shape); Tensor rstd = Tensor.allocate(3)) {
                ref.rmsNormTraining(x, new long[] {5}, w, EPS, y, rstd);
                ref.rmsNormBackward(x, dy, new long[] {5}, w, rstd, dx, dw);
            }
        });
    }

    @Test
    void batchNormThroughBatchStatisticsInBothLayouts() {
        int n = 3, c = 2, s = 4;
        for (Layout layout : Layout.values()) {
            long[] shape = layout == Layout.NCHW ? new long[] {n, c, s} : new long[] {n, s, c};
            Grouping gr = layout == Layout.NCHW
                    ? Grouping.of(n * c * s, c, c, i -> i / s % c, i -> i / s % c)
                    : Grouping.of(n * c * s, c, c, i -> i % c, i -> i % c);
            check("batch_norm " + layout, shape, gr, true, true, null, (x, dy, w, b, dx, dw, db) -> {
                try (Tensor y = Tensor.allocate(shape); Tensor mean = Tensor.allocate(c); Tensor rstd = Tensor.allocate(c)) {
                    ref.batchNormTraining(x, layout, null, null, w, b, 0.1, EPS, y, mean, rstd);
                    ref.batchNormBackward(x, dy, layout, w, mean, rstd, dx, dw, db);
                }
            });
        }
    }

    @Test
    void batchNormWithRunningStatisticsAsConstants() {
        int n = 3, c = 2, s = 4;
        long[] shape = {n, c, s};
        Grouping gr = Grouping.of(n * c * s, c, c, i -> i / s % c, i -> i / s % c);
        double[][] constants = {{0.25, -0.5}, {1.5, 0.75}}; // running mean, running variance
        check("batch_norm running", shape, gr, true, true, constants, (x, dy, w, b, dx, dw, db) -> {
            try (Tensor rm = Tensor.of(floats(constants[0]), c); Tensor rv = Tensor.of(floats(constants[1]), c)) {
                ref.batchNormBackwardWithRunningStats(x, dy, Layout.NCHW, rm, rv, w, EPS, dx, dw, db);
            }
        });
    }

    @Test
    void groupAndInstanceNormInBothLayouts() {
        int n = 2, c = 4, s = 3;
        for (Layout layout : Layout.values()) {
            long[] shape = layout == Layout.NCHW ? new long[] {n, c, s} : new long[] {n, s, c};
            for (int groups : new int[] {2, c}) {
                int cg = c / groups;
                java.util.function.IntUnaryOperator channel = layout == Layout.NCHW ? i -> i / s % c : i -> i % c;
                Grouping gr = Grouping.of(n * c * s, n * groups, c, i -> i / (c * s) * groups + channel.applyAsInt(i) / cg, channel);
                int g = groups;
                check((groups == c ? "instance_norm " : "group_norm ") + layout, shape, gr, true, true, null,
                        (x, dy, w, b, dx, dw, db) -> {
                            try (Tensor y = Tensor.allocate(shape); Tensor mean = Tensor.allocate(n, g);
                                    Tensor rstd = Tensor.allocate(n, g)) {
                                if (g == c) {
                                    ref.instanceNormTraining(x, layout, null, null, w, b, 0.1, EPS, y, mean, rstd);
                                    ref.instanceNormBackward(x, dy, layout, w, mean, rstd, dx, dw, db);
                                } else {
                                    ref.groupNormTraining(x, layout, g, w, b, EPS, y, mean, rstd);
                                    ref.groupNormBackward(x, dy, layout, g, w, mean, rstd, dx, dw, db);
                                }
                            }
                        });
            }
        }
    }
}
