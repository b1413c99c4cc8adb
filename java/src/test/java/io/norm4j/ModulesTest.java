package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.norm4j.parity.InputDistribution;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The modules' PyTorch/scikit-learn semantics, checked against values derived by hand. */
class ModulesTest {
    private static final float TIGHT = 2e-6f;

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void batchNormUpdatesRunningStatisticsWithTheUnbiasedVariance(Backend backend) {
        // One channel, values 1..4: batch mean 2.5, biased variance 1.25, unbiased 5/3.
        try (BatchNorm bn = new BatchNorm(1).backend(backend);
                Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 1, 2);
                Tensor y = Tensor.allocate(2, 1, 2)) {
            bn.forward(x, y);
            assertEquals(0.25f, bn.runningMean().get(0), TIGHT);
            assertEquals((float) (0.9 + 0.1 * 5.0 / 3.0), bn.runningVar().get(0), TIGHT);
            assertEquals(2.5f, bn.savedMean().get(0), TIGHT);
            assertEquals((float) (1 / Math.sqrt(1.25 + 1e-5)), bn.savedRstd().get(0), TIGHT);
            assertEquals(1, bn.numBatchesTracked());
            // Evaluation mode normalizes with the running statistics.
            bn.eval().forward(x, y);
            double rstd = 1 / Math.sqrt(bn.runningVar().get(0) + 1e-5);
            assertEquals((float) ((4 - 0.25) * rstd), y.get(3), TIGHT);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void batchNormWithoutMomentumKeepsACumulativeAverage(Backend backend) {
        try (BatchNorm bn = new BatchNorm(2, 1e-5, null, false, true, Layout.NHWC).backend(backend);
                Tensor a = Tensor.of(new float[] {0, 10, 2, 10}, 2, 2);
                Tensor b = Tensor.of(new float[] {4, 20, 6, 20}, 2, 2);
                Tensor y = Tensor.allocate(2, 2)) {
            bn.forward(a, y); // channel 0 mean 1, channel 1 mean 10
            bn.forward(b, y); // channel 0 mean 5, channel 1 mean 20
            assertArrayEquals(new float[] {3, 15}, bn.runningMean().toArray(), TIGHT);
            // Unbiased variances: channel 0 2 and 2, channel 1 0 and 0.
            assertArrayEquals(new float[] {2, 0}, bn.runningVar().toArray(), TIGHT);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void instanceNormAveragesPerInstanceStatisticsIntoRunningStatistics(Backend backend) {
        // Two samples, one channel, 2 positions: instance means 1.5 and 10.5, unbiased variances 0.5 and 0.5.
        try (InstanceNorm in = new InstanceNorm(1, 1e-5, 0.5, false, true, Layout.NCHW).backend(backend);
                Tensor x = Tensor.of(new float[] {1, 2, 10, 11}, 2, 1, 2);
                Tensor y = Tensor.allocate(2, 1, 2)) {
            in.forward(x, y);
            assertEquals(0.5f * 6f, in.runningMean().get(0), TIGHT);
            assertEquals(0.5f + 0.5f * 0.5f, in.runningVar().get(0), TIGHT);
            float r = (float) (1 / Math.sqrt(0.25 + 1e-5));
            assertArrayEquals(new float[] {-0.5f * r, 0.5f * r, -0.5f * r, 0.5f * r}, y.toArray(), TIGHT);
            assertArrayEquals(new float[] {1.5f, 10.5f}, in.savedMean().toArray(), TIGHT);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void groupNormSpansLayerNormAndInstanceNorm(Backend backend) {
        int n = 3, c = 6, h = 4, w = 5;
        float[] data = InputDistribution.NORMAL.generate(n, c * h * w, 9);
        try (Tensor x = Tensor.of(data, n, c, h, w);
                Tensor gn = Tensor.allocate(n, c, h, w);
                Tensor other = Tensor.allocate(n, c, h, w)) {
            Norms norms = Norms.on(backend);
            norms.groupNorm(x, Layout.NCHW, 1, null, null, 1e-5, gn);
            norms.layerNorm(x, new long[] {c, h, w}, null, null, 1e-5, other);
            assertArrayEquals(other.toArray(), gn.toArray(), 4e-6f, "one group is layer norm over C, H, W");
            norms.groupNorm(x, Layout.NCHW, c, null, null, 1e-5, gn);
            norms.instanceNorm(x, Layout.NCHW, null, null, 1e-5, other);
            assertArrayEquals(other.toArray(), gn.toArray(), 4e-6f, "C groups is instance norm");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void rmsNormDividesByTheRootMeanSquare(Backend backend) {
        try (RMSNorm rms = new RMSNorm(new long[] {2}, 0.0, true).backend(backend);
                Tensor x = Tensor.of(new float[] {3, 4}, 1, 2);
                Tensor y = rms.forward(x)) {
            double root = Math.sqrt(12.5);
            assertArrayEquals(new float[] {(float) (3 / root), (float) (4 / root)}, y.toArray(), TIGHT);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "AUTO"})
    void minMaxScalerFitsIncrementallyTransformsAndInverts(Backend backend) {
        float nan = Float.NaN;
        float[] all = {1, 5, 7, 3, 5, nan, -1, 5, 2, 9, 5, 4}; // [4 samples, 3 features]; feature 1 is constant
        try (MinMaxScaler whole = new MinMaxScaler(3, -1, 1).backend(backend);
                MinMaxScaler chunks = new MinMaxScaler(3, -1, 1).backend(backend);
                Tensor x = Tensor.of(all, 4, 3);
                Tensor first = Tensor.of(java.util.Arrays.copyOfRange(all, 0, 6), 2, 3);
                Tensor second = Tensor.of(java.util.Arrays.copyOfRange(all, 6, 12), 2, 3)) {
            whole.fit(x);
            chunks.partialFit(first).partialFit(second);
            assertArrayEquals(new float[] {-1, 5, 2}, whole.dataMin(), "NaN is ignored");
            assertArrayEquals(new float[] {9, 5, 7}, whole.dataMax());
            assertArrayEquals(whole.dataMin(), chunks.dataMin());
            assertArrayEquals(whole.dataMax(), chunks.dataMax());
            assertEquals(4, chunks.samplesSeen());
            try (Tensor y = whole.transform(x); Tensor back = whole.inverseTransform(y)) {
                float[] v = y.toArray();
                assertEquals(-1f + 2f * 2f / 10f, v[0], TIGHT); // (1 - (-1)) / 10 * 2 - 1
                assertEquals(-1f, v[1], "a constant feature maps to the range's start");
                assertTrue(Float.isNaN(v[5]), "NaN stays NaN");
                assertEquals(1f, v[9], TIGHT);
                float[] b = back.toArray();
                for (int i = 0; i < all.length; i++) {
                    if (i % 3 == 1 || Float.isNaN(all[i])) continue; // a constant feature cannot be inverted
                    assertEquals(all[i], b[i], 1e-5f, "round trip at " + i);
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void minMaxScalerMustBeFittedFirst() {
        try (MinMaxScaler s = new MinMaxScaler(2); Tensor x = Tensor.allocate(3, 2)) {
            assertThrows(IllegalStateException.class, () -> s.transform(x));
        }
        assertThrows(IllegalArgumentException.class, () -> new MinMaxScaler(2, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(4, 6));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm(4, 1e-5, 2.0, true, true, Layout.NCHW));
    }

    @org.junit.jupiter.api.Test
    void aClosedModuleRefusesEveryCallSayingItIsClosed() {
        LayerNorm ln = new LayerNorm(new long[] {4}, 1e-5, false);
        RMSNorm rms = new RMSNorm(4);
        BatchNorm bn = new BatchNorm(1);
        ln.close();
        rms.close();
        bn.close();
        try (Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4); Tensor y = Tensor.allocate(1, 4);
                Tensor xc = Tensor.of(new float[] {1, 2, 3, 4}, 2, 1, 2); Tensor yc = Tensor.allocate(2, 1, 2)) {
            for (org.junit.jupiter.api.function.Executable call : java.util.List.<org.junit.jupiter.api.function.Executable>of(
                    () -> ln.forward(x, y), () -> ln.forward(x), () -> rms.forward(x, y), () -> bn.forward(xc, yc),
                    () -> bn.backward(xc, yc, yc))) {
                IllegalStateException e = assertThrows(IllegalStateException.class, call);
                assertTrue(e.getMessage().endsWith(" is closed"), e.getMessage());
            }
        }
        assertTrue(ln.isClosed());
    }

    @org.junit.jupiter.api.Test
    void batchNormBackwardBeforeAnyForwardSaysThereIsNothingToGoBackThrough() {
        for (boolean track : new boolean[] {true, false}) {
            try (BatchNorm bn = new BatchNorm(1, 1e-5, 0.1, true, track, Layout.NCHW);
                    Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 1, 2); Tensor dx = Tensor.allocate(2, 1, 2)) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> bn.backward(x, x, dx));
                assertTrue(e.getMessage().contains("needs a forward call first"), e.getMessage());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void channelNormModulesNameTheInputsChannelCountAgainstNumFeatures(Backend backend) {
        try (InstanceNorm in = new InstanceNorm(3).backend(backend); BatchNorm bn = new BatchNorm(3).backend(backend);
                Tensor x = Tensor.allocate(2, 5, 4); Tensor y = Tensor.allocate(2, 5, 4)) {
            for (org.junit.jupiter.api.function.Executable call : java.util.List.<org.junit.jupiter.api.function.Executable>of(
                    () -> in.forward(x, y), () -> in.eval().forward(x, y), () -> bn.forward(x, y))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
                assertTrue(e.getMessage().startsWith("x has 5 channels") && e.getMessage().contains("numFeatures 3"),
                        e.getMessage());
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aFeatureRangeThatIsEmptyAsF32IsRefusedByTheConstructorWithItsValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MinMaxScaler(2, 0, 1e-46));
        assertTrue(e.getMessage().contains("[0.0, 1.0E-46]") && e.getMessage().contains("as f32"), e.getMessage());
    }
}
