package io.norm4j;

import static io.norm4j.Sentinels.assertRejected;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Backward calls reject a dy of the wrong shape, missing saved statistics and statistics from
 * another shape, naming the argument, with dx and the parameter gradients untouched.
 */
class BackwardValidationTest {

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void layerAndRmsNorm(Backend backend) {
        Norms n = Norms.on(backend);
        long[] ns = {8};
        Sentinels dx = new Sentinels(4, 8), dw = new Sentinels(8), db = new Sentinels(8);
        Sentinels[] all = {dx, dw, db};
        try (Tensor x = Tensor.allocate(4, 8); Tensor dy = Tensor.allocate(4, 8); Tensor dyBad = Tensor.allocate(4, 7);
                Tensor m = Tensor.allocate(4); Tensor r = Tensor.allocate(4); Tensor r3 = Tensor.allocate(3);
                Tensor w7 = Tensor.allocate(7)) {
            Tensor DX = dx.tensor, DW = dw.tensor, DB = db.tensor;
            assertRejected(IllegalArgumentException.class, "dy has shape", () -> n.layerNormBackward(x, dyBad, ns, null, m, r, DX, DW, DB), all);
            assertRejected(NullPointerException.class, "mean", () -> n.layerNormBackward(x, dy, ns, null, null, r, DX, DW, DB), all);
            assertRejected(NullPointerException.class, "rstd", () -> n.layerNormBackward(x, dy, ns, null, m, null, DX, DW, DB), all);
            assertRejected(IllegalArgumentException.class, "rstd has 3", () -> n.layerNormBackward(x, dy, ns, null, m, r3, DX, DW, DB), all);
            assertRejected(IllegalArgumentException.class, "dweight has shape", () -> n.layerNormBackward(x, dy, ns, null, m, r, DX, w7, DB), all);
            assertRejected(IllegalArgumentException.class, "dx has shape", () -> n.layerNormBackward(x, dy, ns, null, m, r, dyBad, DW, DB), all);
            if (backend != Backend.ONEDNN) {
                assertRejected(IllegalArgumentException.class, "rstd has 3", () -> n.rmsNormBackward(x, dy, ns, null, r3, DX, DW), all);
            } else {
                assertRejected(UnsupportedOperationException.class, "rms_norm backward", () -> n.rmsNormBackward(x, dy, ns, null, r, DX, DW), all);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void channelNorms(Backend backend) {
        Norms n = Norms.on(backend);
        Layout L = Layout.NCHW;
        Sentinels dx = new Sentinels(2, 4, 3), dw = new Sentinels(4), db = new Sentinels(4);
        Sentinels[] all = {dx, dw, db};
        try (Tensor x = Tensor.allocate(2, 4, 3); Tensor dy = Tensor.allocate(2, 4, 3); Tensor dyBad = Tensor.allocate(2, 4, 4);
                Tensor c4 = Tensor.allocate(4).fill(1f); Tensor c3 = Tensor.allocate(3); Tensor ng = Tensor.allocate(2, 2);
                Tensor nc = Tensor.allocate(2, 4)) {
            Tensor DX = dx.tensor, DW = dw.tensor, DB = db.tensor;
            assertRejected(IllegalArgumentException.class, "dy has shape", () -> n.batchNormBackward(x, dyBad, L, null, c4, c4, DX, DW, DB), all);
            assertRejected(NullPointerException.class, "mean", () -> n.batchNormBackward(x, dy, L, null, null, c4, DX, DW, DB), all);
            assertRejected(IllegalArgumentException.class, "mean has 3", () -> n.batchNormBackward(x, dy, L, null, c3, c4, DX, DW, DB), all);
            assertRejected(IllegalArgumentException.class, "runningVar has shape",
                    () -> n.batchNormBackwardWithRunningStats(x, dy, L, c4, c3, null, 1e-5, DX, DW, DB), all);
            assertRejected(IllegalArgumentException.class, "mean has 8", () -> n.groupNormBackward(x, dy, L, 2, null, nc, ng, DX, DW, DB), all);
            assertRejected(IllegalArgumentException.class, "divide the channels", () -> n.groupNormBackward(x, dy, L, 3, null, ng, ng, DX, DW, DB), all);
            assertRejected(IllegalArgumentException.class, "rstd has 4", () -> n.instanceNormBackward(x, dy, L, null, nc, ng, DX, DW, DB), all);
            assertRejected(IllegalArgumentException.class, "weight has shape", () -> n.instanceNormBackward(x, dy, L, c3, nc, nc, DX, DW, DB), all);
        }
    }
}
