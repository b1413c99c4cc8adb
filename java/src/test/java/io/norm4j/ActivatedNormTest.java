package io.norm4j;

import static io.norm4j.GradientCheckTest.assertClose;
import static io.norm4j.GradientCheckTest.numeric;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Group norm fused with SiLU and batch norm fused with ReLU: NATIVE's fused forward gives the bits
 * of its plain norm followed by its activation pass, on every kernel set, layout and storage type;
 * both backends against the norm and activation computed in double; the fused backward against
 * central finite differences of a double loss; the same bits on one thread and two; in place; bad
 * input refused with nothing written; ONEDNN refuses.
 */
class ActivatedNormTest {
    private static final double EPS = 1e-5;
    private static final long GROUPS = 4;
    // Channels divisible by the groups in either layout (dimension 1, or the last).
    private static final long[][] SHAPES = {{2, 8, 5, 8}, {3, 16, 4}, {1, 4, 1, 1032}, {4, 32, 24, 24}, {2, 64, 12}};

    private record Case(Op op, Layout layout, long[] shape) {
        long c() {
            return layout == Layout.NCHW ? shape[1] : shape[shape.length - 1];
        }

        long groups() {
            return op == Op.GROUP_NORM_SILU ? GROUPS : 1;
        }

        long statistics() {
            return op == Op.GROUP_NORM_SILU ? shape[0] * GROUPS : c();
        }
    }

    static Stream<Arguments> cases() {
        return cases(true);
    }

    static Stream<Arguments> nativeCases() {
        return cases(false);
    }

    private static Stream<Arguments> cases(boolean withReference) {
        List<Arguments> out = new ArrayList<>();
        List<String> variants = new ArrayList<>(withReference ? List.of("REFERENCE") : List.of());
        for (BackendVariant v : BackendVariant.available()) if (v.backend == Backend.NATIVE) variants.add(v.name());
        for (String variant : variants)
            for (Op op : new Op[] {Op.GROUP_NORM_SILU, Op.BATCH_NORM_RELU})
                for (Layout layout : Layout.values())
                    for (long[] shape : SHAPES) out.add(Arguments.of(variant, new Case(op, layout, shape)));
        return out.stream();
    }

    private static float[] values(Random r, int n, double spread, double centre) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (centre + spread * r.nextGaussian());
        return v;
    }

    /** Inputs of a case: x, dy, weight, bias (bias centred near 0, so that both sides of ReLU's kink occur). */
    private record Data(float[] x, float[] dy, float[] weight, float[] bias) {
        static Data of(Case k, long seed) {
            Random r = new Random(seed);
            int n = Math.toIntExact(Shapes.numel("shape", k.shape()));
            int c = Math.toIntExact(k.c());
            return new Data(values(r, n, 2, 0.5), values(r, n, 1, 0), values(r, c, 0.5, 1), values(r, c, 0.5, 0.1));
        }
    }

    /** y, mean, rstd of the fused training forward, then dx, dweight, dbias of its backward. */
    private static List<float[]> fused(Norms n, Case k, Data d, DType type) {
        long[] shape = k.shape(), perChannel = {k.c()};
        try (Tensor x = Tensor.of(type, d.x(), shape); Tensor dy = Tensor.of(type, d.dy(), shape);
                Tensor w = Tensor.of(d.weight(), perChannel); Tensor b = Tensor.of(d.bias(), perChannel);
                Tensor y = Tensor.allocate(type, shape); Tensor mean = Tensor.allocate(k.statistics());
                Tensor rstd = Tensor.allocate(k.statistics()); Tensor dx = Tensor.allocate(type, shape);
                Tensor dw = Tensor.allocate(perChannel); Tensor db = Tensor.allocate(perChannel)) {
            if (k.op() == Op.GROUP_NORM_SILU) {
                n.groupNormSiluTraining(x, k.layout(), GROUPS, w, b, EPS, y, mean, rstd);
                n.groupNormSiluBackward(x, dy, k.layout(), GROUPS, w, b, mean, rstd, dx, dw, db);
            } else {
                n.batchNormReluTraining(x, k.layout(), null, null, w, b, 0.1, EPS, y, mean, rstd);
                n.batchNormReluBackward(x, dy, k.layout(), w, b, mean, rstd, dx, dw, db);
            }
            return List.of(y.toArray(), mean.toArray(), rstd.toArray(), dx.toArray(), dw.toArray(), db.toArray());
        }
    }

    /** The plain training norm into f32, then the activation as its own pass, rounded once to the type. */
    private static float[] normThenActivation(Norms n, Case k, Data d, DType type) {
        long[] shape = k.shape(), perChannel = {k.c()};
        try (Tensor x = Tensor.of(type, d.x(), shape); Tensor w = Tensor.of(d.weight(), perChannel);
                Tensor b = Tensor.of(d.bias(), perChannel); Tensor y = Tensor.allocate(shape);
                Tensor mean = Tensor.allocate(k.statistics()); Tensor rstd = Tensor.allocate(k.statistics())) {
            if (k.op() == Op.GROUP_NORM_SILU) n.groupNormTraining(x, k.layout(), GROUPS, w, b, EPS, y, mean, rstd);
            else n.batchNormTraining(x, k.layout(), null, null, w, b, 0.1, EPS, y, mean, rstd);
            try (Tensor pre = Tensor.of(y.toArray(), shape)) {
                n.activate(k.op().activation(), pre, pre);
                float[] out = pre.toArray();
                for (int i = 0; i < out.length; i++) out[i] = type.roundTrip(out[i]);
                return out;
            }
        }
    }

    /** REFERENCE applies the activation in double before rounding once; it is held to double below. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("nativeCases")
    void nativeFusedForwardIsItsNormThenItsActivationBitForBit(String variant, Case k) {
        for (DType type : new DType[] {DType.FLOAT32, DType.BFLOAT16}) {
            Data d = Data.of(k, 5 + k.shape()[0]);
            float[] fused = BackendVariant.on(variant, n -> fused(n, k, d, type)).get(0);
            float[] composed = BackendVariant.on(variant, n -> normThenActivation(n, k, d, type));
            assertArrayEquals(composed, fused, variant + " " + k + " " + type);
        }
    }

    /** Flat index of sample i, channel ch, position sp. */
    private static int at(Case k, long c, long s, long i, long ch, long sp) {
        return (int) (k.layout() == Layout.NCHW ? (i * c + ch) * s + sp : (i * s + sp) * c + ch);
    }

    /** The fused forward in double: y, and the mean and rstd per statistic. */
    private static double[][] inDouble(Case k, double[] x, double[] w, double[] b) {
        long c = k.c(), n = k.shape()[0], s = x.length / (n * c), cg = c / k.groups();
        double[] y = new double[x.length], mean = new double[(int) k.statistics()], rstd = new double[mean.length];
        for (int stat = 0; stat < mean.length; stat++) {
            List<Integer> members = new ArrayList<>();
            for (long i = 0; i < n; i++)
                for (long ch = 0; ch < c; ch++)
                    for (long sp = 0; sp < s; sp++) {
                        long own = k.op() == Op.BATCH_NORM_RELU ? ch : i * k.groups() + ch / cg;
                        if (own == stat) members.add(at(k, c, s, i, ch, sp));
                    }
            double sum = 0, squares = 0;
            for (int m : members) sum += x[m];
            mean[stat] = sum / members.size();
            for (int m : members) squares += (x[m] - mean[stat]) * (x[m] - mean[stat]);
            rstd[stat] = 1 / Math.sqrt(squares / members.size() + (double) (float) EPS);
            for (int m : members) {
                long ch = k.layout() == Layout.NCHW ? (m / s) % c : m % c;
                y[m] = k.op().activation().apply((x[m] - mean[stat]) * rstd[stat] * w[(int) ch] + b[(int) ch]);
            }
        }
        return new double[][] {y, mean, rstd};
    }

    private static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void forwardAgreesWithDoublePrecision(String variant, Case k) {
        Data d = Data.of(k, 11 + k.shape()[1]);
        List<float[]> got = BackendVariant.on(variant, n -> fused(n, k, d, DType.FLOAT32));
        double[][] want = inDouble(k, doubles(d.x()), doubles(d.weight()), doubles(d.bias()));
        assertClose(variant + " " + k + " y", want[0], got.get(0));
        assertClose(variant + " " + k + " mean", want[1], got.get(1));
        assertClose(variant + " " + k + " rstd", want[2], got.get(2));
    }

    /** Small shapes: the differences cost a forward per input value. */
    static Stream<Arguments> gradientCases() {
        List<Arguments> out = new ArrayList<>();
        for (String variant : new String[] {"REFERENCE", "NATIVE"})
            for (Op op : new Op[] {Op.GROUP_NORM_SILU, Op.BATCH_NORM_RELU})
                for (Layout layout : Layout.values())
                    for (long[] shape : new long[][] {{2, 8, 3, 4}, {6, 8}}) out.add(Arguments.of(variant, new Case(op, layout, shape)));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("gradientCases")
    void backwardMatchesCentralDifferencesOfADoubleLoss(String variant, Case k) {
        Data d = Data.of(k, 23 + k.shape()[0]);
        Norms n = Norms.on(Backend.valueOf(variant));
        List<float[]> got = fused(n, k, d, DType.FLOAT32);
        double[] x = doubles(d.x()), w = doubles(d.weight()), b = doubles(d.bias()), dy = doubles(d.dy());
        java.util.function.Function<double[][], Double> loss = v -> {
            double[] y = inDouble(k, v[0], v[1], v[2])[0];
            double total = 0;
            for (int i = 0; i < y.length; i++) total += dy[i] * y[i];
            return total;
        };
        assertClose(variant + " " + k + " dx", numeric(x, v -> loss.apply(new double[][] {v, w, b})), got.get(3));
        assertClose(variant + " " + k + " dweight", numeric(w, v -> loss.apply(new double[][] {x, v, b})), got.get(4));
        assertClose(variant + " " + k + " dbias", numeric(b, v -> loss.apply(new double[][] {x, w, v})), got.get(5));
    }

    @Test
    void nativeGivesTheSameBitsOnOneThreadAndTwo() {
        int before = RuntimeInfo.threads();
        try {
            for (Op op : new Op[] {Op.GROUP_NORM_SILU, Op.BATCH_NORM_RELU})
                for (Layout layout : Layout.values()) {
                    Case k = new Case(op, layout, new long[] {8, 64, 40, 40});
                    Data d = Data.of(k, 3);
                    RuntimeInfo.setThreads(1);
                    List<float[]> one = fused(Norms.on(Backend.NATIVE), k, d, DType.FLOAT32);
                    RuntimeInfo.setThreads(2);
                    List<float[]> two = fused(Norms.on(Backend.NATIVE), k, d, DType.FLOAT32);
                    for (int i = 0; i < one.size(); i++) assertArrayEquals(one.get(i), two.get(i), k + " output " + i);
                }
        } finally {
            RuntimeInfo.setThreads(before);
        }
    }

    @Test
    void inPlaceForwardAndBackwardGiveTheSameBits() {
        Case k = new Case(Op.GROUP_NORM_SILU, Layout.NHWC, new long[] {2, 5, 5, 16});
        Data d = Data.of(k, 9);
        for (Backend backend : new Backend[] {Backend.REFERENCE, Backend.NATIVE}) {
            Norms n = Norms.on(backend);
            List<float[]> expected = fused(n, k, d, DType.FLOAT32);
            try (Tensor x = Tensor.of(d.x(), k.shape()); Tensor w = Tensor.of(d.weight(), 16); Tensor b = Tensor.of(d.bias(), 16);
                    Tensor mean = Tensor.allocate(8); Tensor rstd = Tensor.allocate(8); Tensor dy = Tensor.of(d.dy(), k.shape())) {
                n.groupNormSiluTraining(x, k.layout(), GROUPS, w, b, EPS, dy, mean, rstd);
                assertArrayEquals(expected.get(0), dy.toArray(), backend + " y into dy's tensor");
                dy.copyFrom(d.dy());
                n.groupNormSiluBackward(x, dy, k.layout(), GROUPS, w, b, mean, rstd, dy, null, null);
                assertArrayEquals(expected.get(3), dy.toArray(), backend + " dx over dy");
                n.groupNormSiluTraining(x, k.layout(), GROUPS, w, b, EPS, x, mean, rstd);
                assertArrayEquals(expected.get(0), x.toArray(), backend + " y over x");
            }
        }
    }

    @Test
    void badInputIsRefusedByNameWithNothingWritten() {
        Norms n = Norms.on(Backend.NATIVE);
        try (Tensor x = Tensor.of(new float[48], 2, 8, 3); Tensor y = Tensor.of(new float[48], 2, 8, 3);
                Tensor w = Tensor.allocate(8); Tensor badBias = Tensor.allocate(7); Tensor mean = Tensor.allocate(8);
                Tensor rstd = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 1, 1}, 8); Tensor dx = Tensor.of(new float[48], 2, 8, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> n.groupNormSilu(x, Layout.NCHW, 3, w, null, EPS, y));
            assertTrue(e.getMessage().contains("groups (3)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> n.batchNormReluBackward(x, x, Layout.NCHW, w, badBias, mean, rstd, dx, null, null));
            assertTrue(e.getMessage().contains("bias"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> n.batchNormRelu(x, Layout.NCHW, mean, rstd, w, badBias, EPS, y));
            assertTrue(e.getMessage().contains("bias"), e.getMessage());
            for (float v : y.toArray()) assertTrue(v == 0f, "y written");
            for (float v : dx.toArray()) assertTrue(v == 0f, "dx written");
        }
    }

    /** ONEDNN: its group norm with a swish post-op, its batch norm with fuse_norm_relu, forward only. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("onednnCases")
    void onednnFusedForwardAgreesWithDoublePrecisionAndItsBackwardIsRefused(Case k) {
        Data d = Data.of(k, 13 + k.shape()[1]);
        Norms n = Norms.on(Backend.ONEDNN);
        long[] shape = k.shape(), perChannel = {k.c()};
        double[][] want = inDouble(k, doubles(d.x()), doubles(d.weight()), doubles(d.bias()));
        try (Tensor x = Tensor.of(d.x(), shape); Tensor w = Tensor.of(d.weight(), perChannel);
                Tensor b = Tensor.of(d.bias(), perChannel); Tensor y = Tensor.allocate(shape);
                Tensor mean = Tensor.allocate(k.statistics()); Tensor rstd = Tensor.allocate(k.statistics());
                Tensor dx = Tensor.allocate(shape)) {
            if (k.op() == Op.GROUP_NORM_SILU) {
                n.groupNormSiluTraining(x, k.layout(), GROUPS, w, b, EPS, y, mean, rstd);
                assertThrows(UnsupportedOperationException.class,
                        () -> n.groupNormSiluBackward(x, x, k.layout(), GROUPS, w, b, mean, rstd, dx, null, null));
            } else {
                n.batchNormReluTraining(x, k.layout(), null, null, w, b, 0.1, EPS, y, mean, rstd);
                assertThrows(UnsupportedOperationException.class,
                        () -> n.batchNormReluBackward(x, x, k.layout(), w, b, mean, rstd, dx, null, null));
            }
            assertClose("ONEDNN " + k + " y", want[0], y.toArray());
            try (Tensor z = Tensor.allocate(shape)) {
                n.activate(k.op().activation(), x, z);
                double[] activated = new double[d.x().length];
                for (int i = 0; i < activated.length; i++) activated[i] = k.op().activation().apply(d.x()[i]);
                assertClose("ONEDNN " + k.op().activation() + " on its own", activated, z.toArray());
            }
        }
    }

    static Stream<Arguments> onednnCases() {
        List<Arguments> out = new ArrayList<>();
        for (Op op : new Op[] {Op.GROUP_NORM_SILU, Op.BATCH_NORM_RELU})
            for (Layout layout : Layout.values())
                for (long[] shape : SHAPES) out.add(Arguments.of(new Case(op, layout, shape)));
        return out.stream();
    }

    @Test
    void modulesWithTheActivationGiveTheFunctionalResultsAndGradients() {
        Case k = new Case(Op.GROUP_NORM_SILU, Layout.NCHW, new long[] {2, 8, 5, 8});
        Data d = Data.of(k, 31);
        List<float[]> expected = fused(Norms.on(Backend.NATIVE), k, d, DType.FLOAT32);
        try (GroupNorm gn = new GroupNorm(GROUPS, 8).withSilu(); Tensor x = Tensor.of(d.x(), k.shape());
                Tensor dy = Tensor.of(d.dy(), k.shape())) {
            gn.weight().copyFrom(d.weight());
            gn.bias().copyFrom(d.bias());
            try (Tensor y = gn.forward(x); Tensor dx = gn.backward(dy)) {
                assertArrayEquals(expected.get(0), y.toArray(), "GroupNorm.withSilu y");
                assertArrayEquals(expected.get(3), dx.toArray(), "GroupNorm.withSilu dx");
                assertArrayEquals(expected.get(4), gn.weightGrad().toArray(), "GroupNorm.withSilu weightGrad");
                assertArrayEquals(expected.get(5), gn.biasGrad().toArray(), "GroupNorm.withSilu biasGrad");
            }
        }
        Case b = new Case(Op.BATCH_NORM_RELU, Layout.NCHW, new long[] {2, 8, 5, 8});
        Data e = Data.of(b, 37);
        List<float[]> batch = fused(Norms.on(Backend.NATIVE), b, e, DType.FLOAT32);
        try (BatchNorm bn = new BatchNorm(8).withRelu(); Tensor x = Tensor.of(e.x(), b.shape());
                Tensor dy = Tensor.of(e.dy(), b.shape())) {
            bn.weight().copyFrom(e.weight());
            bn.bias().copyFrom(e.bias());
            try (Tensor y = bn.forward(x); Tensor dx = bn.backward(dy)) {
                assertArrayEquals(batch.get(0), y.toArray(), "BatchNorm.withRelu y");
                assertArrayEquals(batch.get(3), dx.toArray(), "BatchNorm.withRelu dx");
            }
            // Evaluation mode: the running statistics as constants, ReLU's mask from the pre-activation they give.
            bn.eval();
            float[] mean = bn.runningMean().toArray(), var = bn.runningVar().toArray(), want = new float[e.x().length];
            for (int i = 0; i < want.length; i++) {
                int ch = (i / 40) % 8;
                float rstd = (float) (1.0 / Math.sqrt(var[ch] + (double) (float) EPS));
                float pre = (e.x()[i] - mean[ch]) * rstd * e.weight()[ch] + e.bias()[ch];
                want[i] = pre > 0 ? (float) ((double) e.dy()[i] * rstd * e.weight()[ch]) : 0f;
            }
            try (Tensor y = bn.forward(x); Tensor dx = bn.backward(dy)) {
                float[] got = dx.toArray();
                for (int i = 0; i < want.length; i++) {
                    final int at = i;
                    assertTrue(Math.abs(got[i] - want[i]) <= 1e-6 * (1 + Math.abs(want[i])),
                            () -> "BatchNorm.withRelu eval dx[" + at + "] " + got[at] + " vs " + want[at]);
                }
            }
        }
    }

    @Test
    void theActivationAndItsBackwardOnTheirOwnAgreeWithDouble() {
        float[] v = values(new Random(41), 5000, 6, 0);
        float[] dy = values(new Random(43), 5000, 1, 0);
        for (Backend backend : new Backend[] {Backend.REFERENCE, Backend.NATIVE})
            for (Activation a : Activation.values()) {
                Norms n = Norms.on(backend);
                try (Tensor x = Tensor.of(v, 50, 100); Tensor g = Tensor.of(dy, 50, 100); Tensor y = Tensor.allocate(50, 100);
                        Tensor d = Tensor.allocate(50, 100)) {
                    n.activate(a, x, y);
                    n.activationBackward(a, x, g, d);
                    float[] ys = y.toArray(), ds = d.toArray();
                    for (int i = 0; i < v.length; i++) {
                        double want = a.apply(v[i]), slope = dy[i] * a.derivative(v[i]);
                        final int at = i;
                        assertTrue(Math.abs(ys[i] - want) <= 8 * 0x1p-24 * Math.abs(want), () -> backend + " " + a + "(" + v[at] + ")");
                        assertTrue(Math.abs(ds[i] - slope) <= 8 * 0x1p-24 * (1 + Math.abs(v[i])) * Math.abs(dy[i]),
                                () -> backend + " " + a + "'(" + v[at] + ")");
                    }
                    n.activate(a, x, x);
                    assertArrayEquals(ys, x.toArray(), backend + " " + a + " in place");
                }
            }
    }
}
