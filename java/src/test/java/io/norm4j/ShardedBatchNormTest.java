package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.norm4j.parity.TolerancePolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Batch norm in phases (Norms.batchNormMoments, ChannelMoments.merge, batchNormWithMoments, and
 * the backward's batchNormBackwardSums, ChannelGradientSums.merge, batchNormBackwardWithSums) on a
 * batch cut into shards along N, one of them empty: the merged moments equal the whole batch's
 * within ChannelMoments' bound in any merge order; each shard's y is within the forward's bound of
 * a float64 computation on the whole batch and of the single-process call; dx, dweight and dbias
 * within the backward's goal of float64 (BackwardAccuracyTest.GOAL), on easy and ill-conditioned
 * input, REFERENCE and every NATIVE kernel set, both layouts and [N, C].
 */
class ShardedBatchNormTest {
    static final double EPS = 1e-5, MOMENTUM = 0.1;

    record Shape(long[] dims, Layout layout, int[] shards) {
        int n() {
            return (int) dims[0];
        }

        int c() {
            return (int) (layout == Layout.NHWC ? dims[dims.length - 1] : dims[1]);
        }

        int perSample() {
            return (int) (Arrays.stream(dims).reduce(1, Math::multiplyExact) / dims[0]);
        }

        int s() {
            return perSample() / c();
        }

        long[] withN(int n) {
            long[] d = dims.clone();
            d[0] = n;
            return d;
        }

        /** Flat index of (sample, channel, position). */
        int at(int i, int ch, int sp) {
            return layout == Layout.NCHW ? (i * c() + ch) * s() + sp : (i * s() + sp) * c() + ch;
        }

        @Override
        public String toString() {
            return layout + Arrays.toString(dims) + " shards " + Arrays.toString(shards);
        }
    }

    static final List<Shape> SHAPES = List.of(
            new Shape(new long[] {7, 5, 4, 3}, Layout.NCHW, new int[] {3, 0, 1, 3}),
            new Shape(new long[] {7, 4, 3, 5}, Layout.NHWC, new int[] {3, 0, 1, 3}),
            new Shape(new long[] {9, 6}, Layout.NCHW, new int[] {4, 5}),
            new Shape(new long[] {4, 16, 24, 24}, Layout.NCHW, new int[] {1, 2, 1}),
            new Shape(new long[] {4, 24, 24, 16}, Layout.NHWC, new int[] {2, 2}));

    static Stream<Arguments> cases() {
        List<String> variants = new ArrayList<>(List.of("REFERENCE"));
        for (BackendVariant v : BackendVariant.available()) if (v.backend == Backend.NATIVE) variants.add(v.name());
        List<Arguments> all = new ArrayList<>();
        for (String v : variants)
            for (Shape s : SHAPES)
                for (double[] ms : new double[][] {{0, 1}, {1e4, 1e-2}, {1e3, 1e-3}}) all.add(Arguments.of(v, s, ms[0], ms[1]));
        return all.stream();
    }

    /** The whole batch's data and per-channel parameters, and their float64 batch norm. */
    static final class Batch {
        final Shape shape;
        final float[] x, dy, w, b;
        final double[] mean, var, y, dx, dw, db;

        Batch(Shape shape, double mu, double sigma) {
            this.shape = shape;
            int numel = shape.n() * shape.perSample(), c = shape.c();
            Random rnd = new Random(numel * 7L + (long) mu);
            x = new float[numel];
            dy = new float[numel];
            for (int i = 0; i < numel; i++) {
                x[i] = (float) (mu + sigma * rnd.nextGaussian());
                dy[i] = (float) rnd.nextGaussian();
            }
            w = new float[c];
            b = new float[c];
            for (int ch = 0; ch < c; ch++) {
                w[ch] = (float) (0.5 + rnd.nextDouble());
                b[ch] = (float) rnd.nextGaussian();
            }
            mean = new double[c];
            var = new double[c];
            y = new double[numel];
            dx = new double[numel];
            dw = new double[c];
            db = new double[c];
            double count = (double) shape.n() * shape.s();
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < shape.n(); i++)
                    for (int sp = 0; sp < shape.s(); sp++) mean[ch] += x[shape.at(i, ch, sp)];
                mean[ch] /= count;
                for (int i = 0; i < shape.n(); i++)
                    for (int sp = 0; sp < shape.s(); sp++) {
                        double d = x[shape.at(i, ch, sp)] - mean[ch];
                        var[ch] += d * d;
                    }
                var[ch] /= count;
                double rstd = 1 / Math.sqrt(var[ch] + (float) EPS);
                for (int i = 0; i < shape.n(); i++)
                    for (int sp = 0; sp < shape.s(); sp++) {
                        int o = shape.at(i, ch, sp);
                        double xhat = (x[o] - mean[ch]) * rstd;
                        y[o] = xhat * w[ch] + b[ch];
                        db[ch] += dy[o];
                        dw[ch] += dy[o] * xhat;
                    }
                for (int i = 0; i < shape.n(); i++)
                    for (int sp = 0; sp < shape.s(); sp++) {
                        int o = shape.at(i, ch, sp);
                        double xhat = (x[o] - mean[ch]) * rstd;
                        dx[o] = rstd * w[ch] * (dy[o] - db[ch] / count - xhat * dw[ch] / count);
                    }
            }
        }

        /** Shard k's slice of a whole-batch array (N is outermost in both layouts). */
        float[] shard(float[] whole, int k) {
            int first = 0;
            for (int j = 0; j < k; j++) first += shape.shards[j];
            return Arrays.copyOfRange(whole, first * shape.perSample(), (first + shape.shards[k]) * shape.perSample());
        }
    }

    /** Every shard's moments, merged in a shuffled order. */
    static ChannelMoments mergedMoments(Norms norms, Batch batch, long seed) {
        List<ChannelMoments> parts = new ArrayList<>();
        for (int k = 0; k < batch.shape.shards.length; k++) {
            try (Tensor x = Tensor.of(batch.shard(batch.x, k), batch.shape.withN(batch.shape.shards[k]))) {
                parts.add(norms.batchNormMoments(x, batch.shape.layout));
            }
        }
        Collections.shuffle(parts, new Random(seed));
        return ChannelMoments.mergeAll(parts);
    }

    @ParameterizedTest(name = "{0} {1} mean {2} std {3}")
    @MethodSource("cases")
    void mergedMomentsAreTheWholeBatchsInAnyOrder(String variant, Shape shape, double mu, double sigma) {
        Batch batch = new Batch(shape, mu, sigma);
        double maxAbs = 0;
        for (float v : batch.x) maxAbs = Math.max(maxAbs, Math.abs(v));
        long count = (long) shape.n() * shape.s();
        for (long seed = 0; seed < 4; seed++) {
            final long order = seed;
            ChannelMoments m = BackendVariant.on(variant, norms -> mergedMoments(norms, batch, order));
            for (int ch = 0; ch < shape.c(); ch++) {
                assertEquals(count, m.count(ch));
                double m2 = batch.var[ch] * count, spread = 0;
                for (float v : batch.x) spread = Math.max(spread, Math.abs(v - batch.mean[ch]));
                int parts = shape.shards.length;
                assertTrue(Math.abs(m.mean(ch) - batch.mean[ch]) <= ChannelMoments.meanBound(parts, count, maxAbs, spread),
                        "channel " + ch + " mean " + m.mean(ch) + " vs " + batch.mean[ch]);
                assertTrue(Math.abs(m.m2(ch) - m2) <= ChannelMoments.m2Bound(parts, count, m2, maxAbs, spread),
                        "channel " + ch + " m2 " + m.m2(ch) + " vs " + m2);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} mean {2} std {3}")
    @MethodSource("cases")
    void shardedForwardAndBackwardAreTheWholeBatchs(String variant, Shape shape, double mu, double sigma) {
        Batch batch = new Batch(shape, mu, sigma);
        int shards = shape.shards.length, c = shape.c();
        float[] y = new float[batch.x.length], dx = new float[batch.x.length];
        float[] runningMean = new float[c], runningVar = new float[c];
        BackendVariant.on(variant, norms -> {
            ChannelMoments moments = mergedMoments(norms, batch, 7);
            List<ChannelGradientSums> sums = new ArrayList<>();
            try (Tensor w = Tensor.of(batch.w, c); Tensor b = Tensor.of(batch.b, c)) {
                int first = 0;
                for (int k = 0; k < shards; k++) {
                    long[] dims = shape.withN(shape.shards[k]);
                    try (Tensor x = Tensor.of(batch.shard(batch.x, k), dims); Tensor out = Tensor.allocate(dims);
                            Tensor rm = Tensor.allocate(c).fill(0f); Tensor rv = Tensor.allocate(c).fill(1f);
                            Tensor dy = Tensor.of(batch.shard(batch.dy, k), dims)) {
                        norms.batchNormWithMoments(x, shape.layout, moments, rm, rv, MOMENTUM, w, b, EPS, out);
                        System.arraycopy(out.toArray(), 0, y, first * shape.perSample(), (int) out.numel());
                        // Every shard updates its running statistics alike.
                        if (k == 0) {
                            System.arraycopy(rm.toArray(), 0, runningMean, 0, c);
                            System.arraycopy(rv.toArray(), 0, runningVar, 0, c);
                        } else {
                            assertArrayEquals(runningMean, rm.toArray());
                            assertArrayEquals(runningVar, rv.toArray());
                        }
                        sums.add(norms.batchNormBackwardSums(x, dy, shape.layout, moments, EPS));
                    }
                    first += shape.shards[k];
                }
                ChannelGradientSums total = ChannelGradientSums.mergeAll(sums);
                first = 0;
                for (int k = 0; k < shards; k++) {
                    long[] dims = shape.withN(shape.shards[k]);
                    try (Tensor x = Tensor.of(batch.shard(batch.x, k), dims);
                            Tensor dy = Tensor.of(batch.shard(batch.dy, k), dims)) {
                        // dx over dy: the in-place form a training loop uses.
                        norms.batchNormBackwardWithSums(x, dy, shape.layout, w, moments, EPS, total, dy);
                        System.arraycopy(dy.toArray(), 0, dx, first * shape.perSample(), (int) dy.numel());
                    }
                    first += shape.shards[k];
                }
                assertWithin("dweight", batch.dw, total.dweight(), BackwardAccuracyTest.GOAL * maxAbs(batch.dw));
                assertWithin("dbias", batch.db, total.dbias(), BackwardAccuracyTest.GOAL * maxAbs(batch.db));
            }
            return null;
        });
        double scale = 0, maxW = 0;
        for (int ch = 0; ch < c; ch++) maxW = Math.max(maxW, Math.abs(batch.w[ch]));
        for (double v : batch.y) scale = Math.max(scale, Math.abs(v));
        double yBound = TolerancePolicy.outputTolerance(scale, maxW, 0);
        assertWithin("y", batch.y, y, yBound);
        assertWithin("dx", batch.dx, dx, BackwardAccuracyTest.GOAL * maxAbs(batch.dx));
        for (int ch = 0; ch < c; ch++) {
            double count = (double) shape.n() * shape.s();
            assertEquals(MOMENTUM * batch.mean[ch], runningMean[ch], Math.ulp(runningMean[ch]) + 1e-12 * Math.abs(batch.mean[ch]));
            double unbiased = 0.9 + MOMENTUM * batch.var[ch] * count / (count - 1);
            assertEquals(unbiased, runningVar[ch], Math.ulp((float) unbiased));
        }
        // The single-process call on the whole batch, on the same backend, within twice the bound.
        float[] whole = BackendVariant.on(variant, norms -> {
            try (Tensor x = Tensor.of(batch.x, shape.dims); Tensor out = Tensor.allocate(shape.dims);
                    Tensor w = Tensor.of(batch.w, c); Tensor b = Tensor.of(batch.b, c); Tensor mean = Tensor.allocate(c);
                    Tensor rstd = Tensor.allocate(c)) {
                norms.batchNormTraining(x, shape.layout, null, null, w, b, MOMENTUM, EPS, out, mean, rstd);
                return out.toArray();
            }
        });
        double[] wholeY = new double[whole.length];
        for (int i = 0; i < whole.length; i++) wholeY[i] = whole[i];
        assertWithin("y against the single-process call", wholeY, y, 2 * yBound);
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double d : v) m = Math.max(m, Math.abs(d));
        return m;
    }

    static void assertWithin(String what, double[] expected, float[] actual, double bound) {
        assertEquals(expected.length, actual.length, what + " length");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double e = Math.abs(actual[i] - expected[i]);
            if (!(e <= worst)) {
                worst = e;
                at = i;
            }
        }
        double w = worst;
        int i = at;
        assertTrue(w <= bound, () -> what + " off by " + w + " at " + i + " (bound " + bound + ")");
    }

    // ---- the boundary's rules ------------------------------------------------------------------

    @Test
    void aShardWithNaNMakesItsChannelNaNInEveryShardAndNoOther() {
        for (String variant : List.of("REFERENCE", "NATIVE_SCALAR")) {
            if (variant.startsWith("NATIVE") && !Backend.NATIVE.isAvailable()) continue;
            float[] a = {1, 2, 3, 4, 5, 6}, b = {7, Float.NaN, 9, 10, 11, 12}; // [3, 2] each: channel 1 gets the NaN
            BackendVariant.on(variant, norms -> {
                try (Tensor xa = Tensor.of(a, 3, 2); Tensor xb = Tensor.of(b, 3, 2); Tensor ya = Tensor.allocate(3, 2)) {
                    ChannelMoments m = norms.batchNormMoments(xa, Layout.NCHW).merge(norms.batchNormMoments(xb, Layout.NCHW));
                    assertTrue(Double.isNaN(m.mean(1)) && Double.isNaN(m.m2(1)), m.toString());
                    assertEquals(6.0, m.mean(0), 1e-12);
                    norms.batchNormWithMoments(xa, Layout.NCHW, m, null, null, 0, null, null, EPS, ya);
                    float[] y = ya.toArray();
                    for (int i = 0; i < 3; i++) {
                        assertTrue(Float.isNaN(y[2 * i + 1]), variant + " y " + Arrays.toString(y));
                        assertTrue(Float.isFinite(y[2 * i]), variant + " y " + Arrays.toString(y));
                    }
                }
                return null;
            });
        }
    }

    @Test
    void anEmptyShardHasEmptyMomentsAndMergesAsNothing() {
        Norms norms = Norms.auto();
        try (Tensor empty = Tensor.allocate(0, 3, 2, 2); Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)) {
            ChannelMoments none = norms.batchNormMoments(empty, Layout.NCHW);
            assertEquals(ChannelMoments.empty(3), none);
            ChannelMoments some = norms.batchNormMoments(x, Layout.NCHW);
            assertEquals(some, none.merge(some));
            assertEquals(some, some.merge(none));
        }
    }

    @Test
    void badInputAcrossTheBoundaryIsRefusedByNameWithNothingWritten() {
        Norms norms = Norms.auto();
        try (Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3); Tensor y = Tensor.allocate(2, 3).fill(42f);
                Tensor x4 = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4)) {
            ChannelMoments three = norms.batchNormMoments(x, Layout.NCHW), four = norms.batchNormMoments(x4, Layout.NCHW);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> three.merge(four));
            assertTrue(e.getMessage().contains("3 channels") && e.getMessage().contains("4 channels"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> norms.batchNormWithMoments(x, Layout.NCHW, four, null, null, 0, null, null, EPS, y));
            assertTrue(e.getMessage().contains("moments has 4 channels"), e.getMessage());
            ChannelMoments one = ChannelMoments.of(new long[] {1, 1, 1}, new double[] {1, 2, 3}, new double[3]);
            e = assertThrows(IllegalArgumentException.class,
                    () -> norms.batchNormWithMoments(x, Layout.NCHW, one, null, null, 0, null, null, EPS, y));
            assertTrue(e.getMessage().contains("at least 2 values per channel"), e.getMessage());
            ChannelMoments small = ChannelMoments.of(new long[] {2, 2, 2}, new double[3], new double[3]);
            try (Tensor bigger = Tensor.allocate(3, 3).fill(1f); Tensor out = Tensor.allocate(3, 3)) {
                e = assertThrows(IllegalArgumentException.class,
                        () -> norms.batchNormWithMoments(bigger, Layout.NCHW, small, null, null, 0, null, null, EPS, out));
                assertTrue(e.getMessage().contains("x alone holds 3"), e.getMessage());
            }
            ChannelMoments uneven = ChannelMoments.of(new long[] {2, 3, 2}, new double[3], new double[3]);
            e = assertThrows(IllegalArgumentException.class,
                    () -> norms.batchNormWithMoments(x, Layout.NCHW, uneven, null, null, 0, null, null, EPS, y));
            assertTrue(e.getMessage().contains("channel 1 holds 3"), e.getMessage());
            ChannelGradientSums sums4 = ChannelGradientSums.of(new double[4], new double[4]);
            e = assertThrows(IllegalArgumentException.class,
                    () -> norms.batchNormBackwardWithSums(x, x, Layout.NCHW, null, three, EPS, sums4, y));
            assertTrue(e.getMessage().contains("sums has 4 channels"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ChannelMoments.of(new long[] {-1}, new double[1], new double[1]));
            assertThrows(IllegalArgumentException.class, () -> ChannelMoments.of(new long[] {2}, new double[1], new double[] {-1}));
            assertThrows(NullPointerException.class,
                    () -> norms.batchNormWithMoments(x, Layout.NCHW, null, null, null, 0, null, null, EPS, y));
            for (float v : y.toArray()) assertEquals(42f, v);
        }
    }

    @Test
    void oneDnnRefusesTheCallsWithDoubleStatistics() {
        try (Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2)) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> Norms.on(Backend.ONEDNN).batchNormMoments(x, Layout.NCHW));
            assertTrue(e.getMessage().contains("f32 statistics only"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> Norms.on(Backend.ONEDNN).featureMoments(x));
        }
    }

    @Test
    void halfPrecisionShardsMatchTheF32CallOnTheirWidenedValues() {
        float[] values = new float[2 * 3 * 4];
        Random rnd = new Random(5);
        for (int i = 0; i < values.length; i++) values[i] = (float) rnd.nextGaussian();
        for (DType type : List.of(DType.BFLOAT16, DType.FLOAT16)) {
            try (Tensor half = Tensor.of(type, values, 2, 3, 4); Tensor wide = Tensor.of(half.toArray(), 2, 3, 4);
                    Tensor yHalf = Tensor.allocate(type, 2, 3, 4); Tensor yWide = Tensor.allocate(2, 3, 4)) {
                Norms norms = Norms.auto();
                ChannelMoments m = norms.batchNormMoments(half, Layout.NCHW);
                assertEquals(norms.batchNormMoments(wide, Layout.NCHW), m);
                norms.batchNormWithMoments(half, Layout.NCHW, m, null, null, 0, null, null, EPS, yHalf);
                norms.batchNormWithMoments(wide, Layout.NCHW, m, null, null, 0, null, null, EPS, yWide);
                try (Tensor rounded = Tensor.of(type, yWide.toArray(), 2, 3, 4)) {
                    assertArrayEquals(rounded.toArray(), yHalf.toArray(), type.toString());
                }
            }
        }
    }
}
