package io.norm4j;

import static io.norm4j.Sentinels.assertRejected;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Batch, group, instance and RMS norm and min-max scaling reject bad input with an exception that
 * names the problem, on every backend, before anything is written.
 */
class ChannelNormValidationTest {

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void batchNorm(Backend backend) {
        Norms n = Norms.on(backend);
        Layout L = Layout.NCHW;
        Sentinels y = new Sentinels(2, 4, 3, 3), mean = new Sentinels(4), rstd = new Sentinels(4);
        Sentinels rm = new Sentinels(4), rv = new Sentinels(4);
        try (Tensor x = Tensor.allocate(2, 4, 3, 3).fill(1f);
                Tensor c4 = Tensor.allocate(4).fill(1f);
                Tensor c5 = Tensor.allocate(5);
                Tensor one = Tensor.allocate(1, 4);
                Tensor oneY = Tensor.allocate(1, 4);
                Tensor flat = Tensor.allocate(8)) {
            Tensor Y = y.tensor, M = mean.tensor, R = rstd.tensor, RM = rm.tensor, RV = rv.tensor;
            Sentinels[] all = {y, mean, rstd, rm, rv};
            assertRejected(IllegalArgumentException.class, "weight has shape", () -> n.batchNorm(x, L, c4, c4, c5, null, 1e-5, Y), all);
            assertRejected(IllegalArgumentException.class, "bias has shape", () -> n.batchNorm(x, L, c4, c4, null, c5, 1e-5, Y), all);
            assertRejected(IllegalArgumentException.class, "runningMean has shape", () -> n.batchNorm(x, L, c5, c4, null, null, 1e-5, Y), all);
            assertRejected(IllegalArgumentException.class, "runningVar has shape", () -> n.batchNorm(x, L, c4, c5, null, null, 1e-5, Y), all);
            assertRejected(NullPointerException.class, "runningMean", () -> n.batchNorm(x, L, null, null, null, null, 1e-5, Y), all);
            assertRejected(IllegalArgumentException.class, "runningMean and runningVar", () -> n.batchNorm(x, L, null, c4, null, null, 1e-5, Y), all);
            assertRejected(NullPointerException.class, "layout", () -> n.batchNorm(x, null, c4, c4, null, null, 1e-5, Y), all);
            assertRejected(IllegalArgumentException.class, "rank", () -> n.batchNorm(flat, L, c4, c4, null, null, 1e-5, flat), all);
            assertRejected(IllegalArgumentException.class, "eps", () -> n.batchNorm(x, L, c4, c4, null, null, -1, Y), all);
            assertRejected(IllegalArgumentException.class, "momentum", () -> n.batchNormTraining(x, L, RM, RV, null, null, Double.NaN, 1e-5, Y, M, R), all);
            assertRejected(IllegalArgumentException.class, "momentum", () -> n.batchNormTraining(x, L, RM, RV, null, null, -0.1, 1e-5, Y, M, R), all);
            assertRejected(IllegalArgumentException.class, "momentum", () -> n.batchNormTraining(x, L, RM, RV, null, null, 1.5, 1e-5, Y, M, R), all);
            assertRejected(IllegalArgumentException.class, "runningMean and runningVar", () -> n.batchNormTraining(x, L, RM, null, null, null, 0.1, 1e-5, Y, M, R), all);
            assertRejected(IllegalArgumentException.class, "mean has 5", () -> n.batchNormTraining(x, L, null, null, null, null, 0.1, 1e-5, Y, c5, R), all);
            assertRejected(IllegalArgumentException.class, "more than 1 value per channel",
                    () -> n.batchNormTraining(one, L, RM, RV, null, null, 0.1, 1e-5, oneY, M, R), all);
            assertRejected(IllegalArgumentException.class, "y has shape", () -> n.batchNorm(x, L, c4, c4, null, null, 1e-5, oneY), all);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void groupAndInstanceNorm(Backend backend) {
        Norms n = Norms.on(backend);
        Layout L = Layout.NHWC;
        Sentinels y = new Sentinels(2, 3, 3, 6), mean = new Sentinels(2, 3), rstd = new Sentinels(2, 3);
        try (Tensor x = Tensor.allocate(2, 3, 3, 6).fill(2f);
                Tensor c6 = Tensor.allocate(6).fill(1f);
                Tensor c4 = Tensor.allocate(4);
                Tensor nc = Tensor.allocate(2, 6);
                Tensor ncY = Tensor.allocate(2, 6);
                Tensor single = Tensor.allocate(2, 1, 6);
                Tensor singleY = Tensor.allocate(2, 1, 6)) {
            Tensor Y = y.tensor, M = mean.tensor, R = rstd.tensor;
            Sentinels[] all = {y, mean, rstd};
            assertRejected(IllegalArgumentException.class, "groups must be positive", () -> n.groupNorm(x, L, 0, null, null, 1e-5, Y), all);
            assertRejected(IllegalArgumentException.class, "groups must be positive", () -> n.groupNorm(x, L, -3, null, null, 1e-5, Y), all);
            assertRejected(IllegalArgumentException.class, "must divide the channels", () -> n.groupNorm(x, L, 4, null, null, 1e-5, Y), all);
            assertRejected(IllegalArgumentException.class, "weight has shape", () -> n.groupNorm(x, L, 3, c4, null, 1e-5, Y), all);
            assertRejected(IllegalArgumentException.class, "mean has 12", () -> n.groupNormTraining(x, L, 2, null, null, 1e-5, Y, nc, R), all);
            assertRejected(IllegalArgumentException.class, "rank", () -> n.instanceNorm(nc, L, null, null, 1e-5, ncY), all);
            assertRejected(IllegalArgumentException.class, "more than 1 spatial element", () -> n.instanceNorm(single, L, null, null, 1e-5, singleY), all);
            assertRejected(IllegalArgumentException.class, "runningMean has shape",
                    () -> n.instanceNormTraining(x, L, c4, c4, null, null, 0.1, 1e-5, Y, nc, ncY), all);
            assertRejected(IllegalArgumentException.class, "bias has shape", () -> n.instanceNorm(x, L, c6, c4, 1e-5, Y), all);
            assertDoesNotThrow(() -> n.groupNormTraining(x, L, 3, c6, c6, 1e-5, Y, M, R));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void rmsNorm(Backend backend) {
        Norms n = Norms.on(backend);
        Sentinels y = new Sentinels(3, 8), rstd = new Sentinels(3);
        try (Tensor x = Tensor.allocate(3, 8).fill(1f); Tensor w7 = Tensor.allocate(7); Tensor r2 = Tensor.allocate(2)) {
            assertRejected(IllegalArgumentException.class, "weight has shape", () -> n.rmsNorm(x, new long[] {8}, w7, 1e-6, y.tensor), y, rstd);
            assertRejected(IllegalArgumentException.class, "normalizedShape", () -> n.rmsNorm(x, new long[] {3}, null, 1e-6, y.tensor), y, rstd);
            assertRejected(IllegalArgumentException.class, "rstd has 2", () -> n.rmsNormTraining(x, new long[] {8}, null, 1e-6, y.tensor, r2), y, rstd);
            assertRejected(IllegalArgumentException.class, "eps", () -> n.rmsNorm(x, new long[] {8}, null, Double.NaN, y.tensor), y, rstd);
            assertRejected(NullPointerException.class, "rstd", () -> n.rmsNormTraining(x, new long[] {8}, null, 1e-6, y.tensor, null), y, rstd);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE"})
    void minMax(Backend backend) {
        Norms n = Norms.on(backend);
        Sentinels y = new Sentinels(4, 3), mn = new Sentinels(3), mx = new Sentinels(3);
        try (Tensor x = Tensor.allocate(4, 3); Tensor v = Tensor.allocate(12); Tensor f2 = Tensor.allocate(2);
                Tensor f3 = Tensor.allocate(3).fill(1f)) {
            Sentinels[] all = {y, mn, mx};
            assertRejected(IllegalArgumentException.class, "[samples, features]", () -> n.minMaxFit(v, mn.tensor, mx.tensor), all);
            assertRejected(IllegalArgumentException.class, "dataMin has shape", () -> n.minMaxFit(x, f2, mx.tensor), all);
            assertRejected(IllegalArgumentException.class, "rangeMin < rangeMax", () -> n.minMaxTransform(x, f3, f3, 1, 1, y.tensor), all);
            assertRejected(IllegalArgumentException.class, "rangeMin < rangeMax", () -> n.minMaxTransform(x, f3, f3, 0, Double.NaN, y.tensor), all);
            assertRejected(IllegalArgumentException.class, "dataMax has shape", () -> n.minMaxTransform(x, f3, f2, 0, 1, y.tensor), all);
        }
    }

    @org.junit.jupiter.api.Test
    void oneDnnSaysItCannotScaleAndAutoUsesNative() {
        Sentinels y = new Sentinels(4, 3), mn = new Sentinels(3), mx = new Sentinels(3);
        try (Tensor x = Tensor.allocate(4, 3)) {
            assertRejected(UnsupportedOperationException.class, "min_max", () -> Norms.on(Backend.ONEDNN).minMaxFit(x, mn.tensor, mx.tensor), y, mn, mx);
        }
        assertTrue(Norms.auto().resolvedBackend(io.norm4j.Op.MIN_MAX).startsWith("NATIVE"));
        String old = System.getProperty("norm4j.backend");
        try {
            System.setProperty("norm4j.backend", "onednn");
            assertTrue(Norms.auto().resolvedBackend(io.norm4j.Op.MIN_MAX).startsWith("NATIVE"), "AUTO falls back for min_max");
            assertTrue(Norms.auto().resolvedBackend(io.norm4j.Op.BATCH_NORM).startsWith("ONEDNN"));
        } finally {
            if (old == null) System.clearProperty("norm4j.backend");
            else System.setProperty("norm4j.backend", old);
        }
    }
}
