package io.norm4j;

import static io.norm4j.GradientCheckTest.assertClose;
import static io.norm4j.GradientCheckTest.numeric;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.norm4j.parity.TolerancePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The residual add fused with layer norm and RMS norm: on every backend that runs it, the fused call
 * gives the bits of its composition on that backend (the add as its own pass, then the plain norm on
 * h; backward: the plain backward on h, then dh added), for every storage type, in place, over
 * threads; REFERENCE's fused gradients against central finite differences; bad input refused with
 * nothing written.
 */
class ResidualNormTest {
    private static final long[][] SHAPES = {{3, 5, 37}, {1, 1}, {64, 1031}, {300, 700}, {2, 8192}};
    private static final double EPS = 1e-5;

    /** A fused call's inputs and outputs, in one storage type for the data. */
    record Data(Tensor x, Tensor residual, Tensor weight, Tensor bias, Tensor dy, Tensor dh) implements AutoCloseable {
        static Data of(DType type, long[] shape, long seed) {
            Random r = new Random(seed);
            int n = Math.toIntExact(Shapes.numel("shape", shape));
            int cols = Math.toIntExact(shape[shape.length - 1]);
            return new Data(Tensor.of(type, values(r, n, 3f, 1f), shape), Tensor.of(type, values(r, n, 2f, -0.5f), shape),
                    Tensor.of(values(r, cols, 0.5f, 0.1f), cols), Tensor.of(values(r, cols, 0.5f, 0f), cols),
                    Tensor.of(type, values(r, n, 1f, 0f), shape), Tensor.of(type, values(r, n, 1f, 0.2f), shape));
        }

        @Override
        public void close() {
            for (Tensor t : new Tensor[] {x, residual, weight, bias, dy, dh}) t.close();
        }
    }

    private static float[] values(Random r, int n, float spread, float centre) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = centre + spread * (float) r.nextGaussian();
        return v;
    }

    static Stream<Arguments> cases() {
        return cases(Op.ADD_RMS_NORM, Op.ADD_LAYER_NORM);
    }

    /** The add on its own has no norm: one op's worth of variants, types and shapes. */
    static Stream<Arguments> addCases() {
        return cases(Op.ADD_RMS_NORM);
    }

    private static Stream<Arguments> cases(Op... ops) {
        List<Arguments> out = new ArrayList<>();
        List<String> variants = new ArrayList<>(List.of("REFERENCE"));
        for (BackendVariant v : BackendVariant.available()) if (v.backend == Backend.NATIVE) variants.add(v.name());
        for (String variant : variants)
            for (Op op : ops)
                for (DType type : DType.values())
                    for (long[] shape : SHAPES) out.add(Arguments.of(variant, op, type, shape));
        return out.stream();
    }

    /** h, y, statistics, dx, dweight, dbias of the fused calls (dx with dh added). */
    static List<float[]> fused(Norms n, Op op, Data d, long[] shape, double offset) {
        long[] norm = {shape[shape.length - 1]};
        long rows = Shapes.numel("shape", shape) / norm[0];
        DType type = d.x().dtype();
        try (Tensor h = Tensor.allocate(type, shape); Tensor y = Tensor.allocate(type, shape);
                Tensor mean = Tensor.allocate(rows); Tensor rstd = Tensor.allocate(rows);
                Tensor dx = Tensor.allocate(type, shape); Tensor dw = Tensor.allocate(norm); Tensor db = Tensor.allocate(norm)) {
            if (op == Op.ADD_RMS_NORM) {
                n.addRmsNormTraining(d.x(), d.residual(), norm, d.weight(), offset, EPS, h, y, rstd);
                n.addRmsNormBackward(h, d.dy(), d.dh(), norm, d.weight(), offset, rstd, dx, dw);
            } else {
                n.addLayerNormTraining(d.x(), d.residual(), norm, d.weight(), offset, d.bias(), EPS, h, y, mean, rstd);
                n.addLayerNormBackward(h, d.dy(), d.dh(), norm, d.weight(), offset, mean, rstd, dx, dw, db);
            }
            return List.of(h.toArray(), y.toArray(), mean.toArray(), rstd.toArray(), dx.toArray(), dw.toArray(),
                    db.toArray());
        }
    }

    /** The same through the plain calls: the add in Java (f32, rounded once to h's type), the norm on h. */
    static List<float[]> composed(Norms n, Op op, Data d, long[] shape, double offset) {
        long[] norm = {shape[shape.length - 1]};
        long rows = Shapes.numel("shape", shape) / norm[0];
        DType type = d.x().dtype();
        float[] xs = d.x().toArray(), rs = d.residual().toArray(), ws = d.weight().toArray();
        float[] sum = new float[xs.length], scale = new float[ws.length];
        for (int i = 0; i < xs.length; i++) sum[i] = xs[i] + rs[i];
        for (int j = 0; j < ws.length; j++) scale[j] = (float) offset + ws[j];
        try (Tensor h = Tensor.of(type, sum, shape); Tensor w = Tensor.of(scale, norm); Tensor y = Tensor.allocate(type, shape);
                Tensor mean = Tensor.allocate(rows); Tensor rstd = Tensor.allocate(rows); Tensor g = Tensor.allocate(shape);
                Tensor dw = Tensor.allocate(norm); Tensor db = Tensor.allocate(norm)) {
            if (op == Op.ADD_RMS_NORM) {
                n.rmsNormTraining(h, norm, w, EPS, y, rstd);
                n.rmsNormBackward(h, d.dy(), norm, w, rstd, g, dw);
            } else {
                n.layerNormTraining(h, norm, w, d.bias(), EPS, y, mean, rstd);
                n.layerNormBackward(h, d.dy(), norm, w, mean, rstd, g, dw, db);
            }
            float[] gs = g.toArray(), dhs = d.dh().toArray(), dx = new float[gs.length];
            for (int i = 0; i < gs.length; i++) dx[i] = type.roundTrip(gs[i] + dhs[i]);
            return List.of(h.toArray(), y.toArray(), mean.toArray(), rstd.toArray(), dx, dw.toArray(), db.toArray());
        }
    }

    static final String[] NAMES = {"h", "y", "mean", "rstd", "dx", "dweight", "dbias"};

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @MethodSource("cases")
    void fusedEqualsTheAddThenThePlainNormBitForBit(String variant, Op op, DType type, long[] shape) {
        for (double offset : new double[] {0, 1}) {
            try (Data d = Data.of(type, shape, 7 + shape[0])) {
                List<float[]> f = BackendVariant.on(variant, n -> fused(n, op, d, shape, offset));
                List<float[]> c = BackendVariant.on(variant, n -> composed(n, op, d, shape, offset));
                for (int i = 0; i < NAMES.length; i++) {
                    assertArrayEquals(c.get(i), f.get(i), variant + " " + op + " " + type + " offset " + offset + ": " + NAMES[i]);
                }
            }
        }
    }

    @Test
    void inPlaceOverResidualXDyAndDhGivesTheSameBits() {
        long[] shape = {33, 257}, norm = {257};
        for (Backend b : new Backend[] {Backend.REFERENCE, Backend.NATIVE}) {
            Norms n = Norms.on(b);
            for (DType type : DType.values()) {
                try (Data d = Data.of(type, shape, 3); Tensor rstd = Tensor.allocate(33); Tensor mean = Tensor.allocate(33)) {
                    List<float[]> expected = fused(n, Op.ADD_LAYER_NORM, d, shape, 0);
                    float[] x0 = d.x().toArray(), r0 = d.residual().toArray();
                    // h over residual, y over x: the transformer's residual stream updated in place.
                    try (Tensor x = Tensor.of(type, x0, shape); Tensor r = Tensor.of(type, r0, shape)) {
                        n.addLayerNormTraining(x, r, norm, d.weight(), 0, d.bias(), EPS, r, x, mean, rstd);
                        assertArrayEquals(expected.get(0), r.toArray(), b + " " + type + " h over residual");
                        assertArrayEquals(expected.get(1), x.toArray(), b + " " + type + " y over x");
                        // dx over dh, then over dy.
                        try (Tensor dh = Tensor.of(type, d.dh().toArray(), shape); Tensor dy = Tensor.of(type, d.dy().toArray(), shape)) {
                            n.addLayerNormBackward(r, d.dy(), dh, norm, d.weight(), 0, mean, rstd, dh, null, null);
                            assertArrayEquals(expected.get(4), dh.toArray(), b + " " + type + " dx over dh");
                            n.addLayerNormBackward(r, dy, d.dh(), norm, d.weight(), 0, mean, rstd, dy, null, null);
                            assertArrayEquals(expected.get(4), dy.toArray(), b + " " + type + " dx over dy");
                        }
                    }
                    try (Tensor x = Tensor.of(type, x0, shape); Tensor y = Tensor.allocate(type, shape)) {
                        n.addLayerNormTraining(x, d.residual(), norm, d.weight(), 0, d.bias(), EPS, x, y, mean, rstd);
                        assertArrayEquals(expected.get(0), x.toArray(), b + " " + type + " h over x");
                        assertArrayEquals(expected.get(1), y.toArray(), b + " " + type + " y beside h over x");
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {2} {3}")
    @MethodSource("addCases")
    void theAddOnItsOwnRoundsTheF32SumOnceAndMayRunInPlace(String variant, Op op, DType type, long[] shape) {
        try (Data d = Data.of(type, shape, 29); Tensor h = Tensor.allocate(type, shape);
                Tensor r = Tensor.of(type, d.residual().toArray(), shape)) {
            float[] xs = d.x().toArray(), rs = d.residual().toArray(), expected = new float[xs.length];
            for (int i = 0; i < xs.length; i++) expected[i] = type.roundTrip(xs[i] + rs[i]);
            BackendVariant.on(variant, n -> {
                n.add(d.x(), d.residual(), h);
                n.add(d.x(), r, r);
                return null;
            });
            assertArrayEquals(expected, h.toArray(), variant + " " + type);
            assertArrayEquals(expected, r.toArray(), variant + " " + type + " over residual");
        }
    }

    /**
     * ONEDNN's add (oneDNN's binary primitive, its own arithmetic) is within the f32 sum's rounding
     * and the output's of the exact sum, into a third tensor and in place over residual, where
     * supports says it takes the type; elsewhere refused naming the type, with nothing written.
     */
    @Test
    void onednnAddsThroughItsBinaryPrimitiveWhereItTakesTheType() {
        Norms onednn = Norms.on(Backend.ONEDNN);
        long[] shape = {64, 1031};
        for (DType type : DType.values()) {
            try (Data d = Data.of(type, shape, 31); Tensor h = Tensor.allocate(type, shape).fill(7f);
                    Tensor r = Tensor.of(type, d.residual().toArray(), shape)) {
                float[] xs = d.x().toArray(), rs = d.residual().toArray();
                if (onednn.supports(Op.ADD, Op.Direction.FORWARD, type)) {
                    onednn.add(d.x(), d.residual(), h);
                    onednn.add(d.x(), r, r);
                    for (Tensor out : new Tensor[] {h, r}) {
                        float[] got = out.toArray();
                        for (int i = 0; i < xs.length; i++) {
                            // The f32 sum's rounding, then the output's (of the f32 sum, at most 2^-24 larger).
                            double exact = (double) xs[i] + rs[i], magnitude = Math.abs(exact);
                            double tol = TolerancePolicy.unitRoundoff(DType.FLOAT32) * magnitude
                                    + TolerancePolicy.storageRounding(type, magnitude * (1 + 0x1p-23));
                            assertTrue(Math.abs(got[i] - exact) <= tol, type + " at " + i + ": " + got[i] + " vs " + exact);
                        }
                    }
                } else {
                    UnsupportedOperationException e =
                            assertThrows(UnsupportedOperationException.class, () -> onednn.add(d.x(), d.residual(), h));
                    assertTrue(e.getMessage().contains(type.toString()), e.getMessage());
                    for (float v : h.toArray()) assertTrue(v == 7f, "written though refused");
                }
            }
        }
        assertFalse(onednn.supports(Op.ADD, Op.Direction.BACKWARD));
    }

    @Test
    void withoutDhTheBackwardIsThePlainBackwardOnH() {
        long[] shape = {40, 96}, norm = {96};
        Norms n = Norms.on(Backend.NATIVE);
        try (Data d = Data.of(DType.FLOAT32, shape, 11); Tensor h = Tensor.allocate(shape); Tensor y = Tensor.allocate(shape);
                Tensor rstd = Tensor.allocate(40); Tensor dx = Tensor.allocate(shape); Tensor plain = Tensor.allocate(shape)) {
            n.addRmsNormTraining(d.x(), d.residual(), norm, d.weight(), 0, EPS, h, y, rstd);
            n.addRmsNormBackward(h, d.dy(), null, norm, d.weight(), 0, rstd, dx, null);
            n.rmsNormBackward(h, d.dy(), norm, d.weight(), rstd, plain, null);
            assertArrayEquals(plain.toArray(), dx.toArray());
        }
    }

    @Test
    void nativeGivesTheSameBitsOnOneThreadAndOnTwo() {
        long[] shape = {512, 1536};
        int before = RuntimeInfo.threads();
        try (Data d = Data.of(DType.BFLOAT16, shape, 5)) {
            RuntimeInfo.setThreads(1);
            List<float[]> one = fused(Norms.on(Backend.NATIVE), Op.ADD_LAYER_NORM, d, shape, 1);
            RuntimeInfo.setThreads(2);
            List<float[]> two = fused(Norms.on(Backend.NATIVE), Op.ADD_LAYER_NORM, d, shape, 1);
            for (int i = 0; i < NAMES.length; i++) assertArrayEquals(one.get(i), two.get(i), NAMES[i]);
        } finally {
            RuntimeInfo.setThreads(before);
        }
    }

    // ---- REFERENCE's fused gradients against central finite differences ------------------------

    /** L = sum(dy * y) + sum(dh * h) for h = x + r, y = norm(h) * (offset + w) + b, in double. */
    private static double loss(double[] x, double[] r, double[] w, double[] b, double offset, boolean centred,
            int rows, int cols, double[] dy, double[] dh) {
        double l = 0;
        for (int i = 0; i < rows; i++) {
            double mean = 0, sq = 0;
            double[] h = new double[cols];
            for (int j = 0; j < cols; j++) {
                h[j] = x[i * cols + j] + r[i * cols + j];
                mean += h[j] / cols;
            }
            if (!centred) mean = 0;
            for (int j = 0; j < cols; j++) sq += (h[j] - mean) * (h[j] - mean) / cols;
            double rstd = 1 / Math.sqrt(sq + EPS);
            for (int j = 0; j < cols; j++) {
                double y = (h[j] - mean) * rstd * (offset + w[j]) + (b == null ? 0 : b[j]);
                l += dy[i * cols + j] * y + dh[i * cols + j] * h[j];
            }
        }
        return l;
    }

    private static double[] doubles(Tensor t) {
        float[] f = t.toArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @Test
    void referenceFusedGradientsMatchCentralDifferences() {
        int rows = 3, cols = 7;
        long[] shape = {rows, cols}, norm = {cols};
        Norms ref = Norms.on(Backend.REFERENCE);
        for (Op op : new Op[] {Op.ADD_RMS_NORM, Op.ADD_LAYER_NORM})
            for (double offset : new double[] {0, 1}) {
                boolean centred = op == Op.ADD_LAYER_NORM;
                try (Data d = Data.of(DType.FLOAT32, shape, 17); Tensor h = Tensor.allocate(shape);
                        Tensor y = Tensor.allocate(shape); Tensor mean = Tensor.allocate(rows); Tensor rstd = Tensor.allocate(rows);
                        Tensor dx = Tensor.allocate(shape); Tensor dw = Tensor.allocate(norm); Tensor db = Tensor.allocate(norm)) {
                    double[] x = doubles(d.x()), r = doubles(d.residual()), w = doubles(d.weight());
                    double[] b = centred ? doubles(d.bias()) : null, dy = doubles(d.dy()), dh = doubles(d.dh());
                    if (centred) {
                        ref.addLayerNormTraining(d.x(), d.residual(), norm, d.weight(), offset, d.bias(), EPS, h, y, mean, rstd);
                        ref.addLayerNormBackward(h, d.dy(), d.dh(), norm, d.weight(), offset, mean, rstd, dx, dw, db);
                        assertClose(op + " dbias", numeric(b, v -> loss(x, r, w, v, offset, true, rows, cols, dy, dh)), db.toArray());
                    } else {
                        ref.addRmsNormTraining(d.x(), d.residual(), norm, d.weight(), offset, EPS, h, y, rstd);
                        ref.addRmsNormBackward(h, d.dy(), d.dh(), norm, d.weight(), offset, rstd, dx, dw);
                    }
                    String at = op + " offset " + offset;
                    assertClose(at + " dx", numeric(x, v -> loss(v, r, w, b, offset, centred, rows, cols, dy, dh)), dx.toArray());
                    assertClose(at + " d residual", numeric(r, v -> loss(x, v, w, b, offset, centred, rows, cols, dy, dh)), dx.toArray());
                    assertClose(at + " dweight", numeric(w, v -> loss(x, r, v, b, offset, centred, rows, cols, dy, dh)), dw.toArray());
                }
            }
    }

    // ---- bad input ------------------------------------------------------------------------------

    @Test
    void badInputIsRefusedNamingTheArgumentWithNothingWritten() {
        long[] norm = {8};
        for (Backend backend : new Backend[] {Backend.REFERENCE, Backend.NATIVE}) {
            Norms n = Norms.on(backend);
            try (Tensor x = Tensor.allocate(4, 8).fill(1f); Tensor r = Tensor.allocate(4, 8).fill(2f);
                    Tensor wrong = Tensor.allocate(4, 9); Tensor w = Tensor.allocate(8).fill(1f);
                    Tensor h = Tensor.allocate(4, 8).fill(-7f); Tensor y = Tensor.allocate(4, 8).fill(-7f)) {
                assertMessage(() -> n.addRmsNorm(x, wrong, norm, w, 0, EPS, h, y), "residual");
                assertMessage(() -> n.addRmsNorm(x, r, norm, w, 0, EPS, wrong, y), "h");
                assertMessage(() -> n.addRmsNorm(x, r, norm, null, 1, EPS, h, y), "weightOffset");
                assertMessage(() -> n.addRmsNorm(x, r, norm, w, Double.NaN, EPS, h, y), "weightOffset");
                assertMessage(() -> n.addLayerNorm(x, r, norm, w, 0, null, EPS, h, h), "overlaps");
                // h overlapping x in part: two views of one buffer, 4 floats apart.
                java.nio.FloatBuffer arena = java.nio.ByteBuffer.allocateDirect(40 * 4)
                        .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
                Tensor xPart = Tensor.wrap(arena.slice(0, 32), 4, 8), hPart = Tensor.wrap(arena.slice(4, 32), 4, 8);
                assertMessage(() -> n.addRmsNorm(xPart, r, norm, w, 0, EPS, hPart, y), "h overlaps x in part");
                assertMessage(() -> n.addRmsNormBackward(h, r, xPart, norm, w, 0, Tensor.of(1f, 1f, 1f, 1f), hPart, null),
                        "dx overlaps dh in part");
                assertArrayEquals(new float[40], snapshot(arena), backend + ": arena written");
                assertArrayEquals(filled(32, -7f), h.toArray(), backend + ": h written");
                assertArrayEquals(filled(32, -7f), y.toArray(), backend + ": y written");
            }
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private static float[] snapshot(java.nio.FloatBuffer b) {
        float[] a = new float[b.capacity()];
        b.get(0, a);
        return a;
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void onednnRefusesTheFusedOpsWithTheReason() {
        Norms onednn = Norms.on(Backend.ONEDNN);
        for (Op op : new Op[] {Op.ADD_RMS_NORM, Op.ADD_LAYER_NORM})
            for (Op.Direction dir : Op.Direction.values()) assertFalse(onednn.supports(op, dir), op + " " + dir);
        try (Tensor x = Tensor.allocate(2, 4); Tensor h = Tensor.allocate(2, 4); Tensor y = Tensor.allocate(2, 4)) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> onednn.addRmsNorm(x, x, new long[] {4}, null, 0, EPS, h, y));
            assertTrue(e.getMessage().contains("add_rms_norm"), e.getMessage());
        }
    }

}
