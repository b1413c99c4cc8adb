package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every module trains: a training-mode forward keeps what backward needs, backward(dy) gives the
 * functional backward's dx, and the parameter gradients accumulate until zeroGrad.
 */
class ModuleTrainingTest {
    enum Kind {
        LAYER_NORM, RMS_NORM, BATCH_NORM, GROUP_NORM, INSTANCE_NORM;

        NormModule<?> module() {
            return switch (this) {
                case LAYER_NORM -> new LayerNorm(6);
                case RMS_NORM -> new RMSNorm(6);
                case BATCH_NORM -> new BatchNorm(4);
                case GROUP_NORM -> new GroupNorm(2, 4);
                case INSTANCE_NORM -> new InstanceNorm(4, 1e-5, 0.1, true, false, Layout.NCHW);
            };
        }

        long[] shape() {
            return this == LAYER_NORM || this == RMS_NORM ? new long[] {3, 6} : new long[] {3, 4, 5};
        }

        /** The functional backward with the statistics the module saved: dx, dweight, dbias. */
        float[][] functional(NormModule<?> m, Tensor x, Tensor dy) {
            Norms n = Norms.auto();
            try (Tensor dx = Tensor.allocate(x.shape()); Tensor dw = Tensor.allocate(weight(m).shape());
                    Tensor db = Tensor.allocate(weight(m).shape())) {
                switch (this) {
                    case LAYER_NORM -> {
                        LayerNorm ln = (LayerNorm) m;
                        try (Tensor mean = Tensor.allocate(3); Tensor rstd = Tensor.allocate(3); Tensor y = Tensor.allocate(3, 6)) {
                            n.layerNormTraining(x, new long[] {6}, ln.weight(), ln.bias(), 1e-5, y, mean, rstd);
                            n.layerNormBackward(x, dy, new long[] {6}, ln.weight(), mean, rstd, dx, dw, db);
                        }
                    }
                    case RMS_NORM -> {
                        RMSNorm rms = (RMSNorm) m;
                        try (Tensor rstd = Tensor.allocate(3); Tensor y = Tensor.allocate(3, 6)) {
                            n.rmsNormTraining(x, new long[] {6}, rms.weight(), rms.eps(), y, rstd);
                            n.rmsNormBackward(x, dy, new long[] {6}, rms.weight(), rstd, dx, dw);
                        }
                    }
                    case BATCH_NORM -> {
                        BatchNorm bn = (BatchNorm) m;
                        n.batchNormBackward(x, dy, Layout.NCHW, bn.weight(), bn.savedMean(), bn.savedRstd(), dx, dw, db);
                    }
                    case GROUP_NORM -> {
                        GroupNorm gn = (GroupNorm) m;
                        try (Tensor mean = Tensor.allocate(3, 2); Tensor rstd = Tensor.allocate(3, 2); Tensor y = Tensor.allocate(x.shape())) {
                            n.groupNormTraining(x, Layout.NCHW, 2, gn.weight(), gn.bias(), 1e-5, y, mean, rstd);
                            n.groupNormBackward(x, dy, Layout.NCHW, 2, gn.weight(), mean, rstd, dx, dw, db);
                        }
                    }
                    case INSTANCE_NORM -> {
                        InstanceNorm in = (InstanceNorm) m;
                        n.instanceNormBackward(x, dy, Layout.NCHW, in.weight(), in.savedMean(), in.savedRstd(), dx, dw, db);
                    }
                }
                return new float[][] {dx.toArray(), dw.toArray(), this == RMS_NORM ? null : db.toArray()};
            }
        }
    }

    static Tensor weight(NormModule<?> m) {
        return m instanceof RMSNorm rms ? rms.weight() : ((AffineModule<?>) m).weight();
    }

    static Tensor grad(NormModule<?> m, boolean bias) {
        if (m instanceof RMSNorm rms) return bias ? null : rms.weightGrad();
        AffineModule<?> a = (AffineModule<?>) m;
        return bias ? a.biasGrad() : a.weightGrad();
    }

    private static Tensor random(long[] shape, long seed) {
        Random rnd = new Random(seed);
        Tensor t = Tensor.allocate(shape);
        for (int i = 0; i < t.numel(); i++) t.set(i, (float) rnd.nextGaussian());
        return t;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void backwardGivesTheFunctionalGradientsAndAccumulatesThemUntilZeroGrad(Kind kind) {
        try (NormModule<?> m = kind.module(); Tensor x = random(kind.shape(), 1); Tensor dy = random(kind.shape(), 2)) {
            IllegalStateException before = assertThrows(IllegalStateException.class, () -> m.backward(dy));
            assertTrue(before.getMessage().contains("needs a training-mode forward"), before.getMessage());
            Function<Tensor, Tensor> forward = switch (kind) {
                case LAYER_NORM -> ((LayerNorm) m)::forward;
                case RMS_NORM -> ((RMSNorm) m)::forward;
                case GROUP_NORM -> ((GroupNorm) m)::forward;
                default -> ((RunningStatsModule<?>) m)::forward;
            };
            try (Tensor y = forward.apply(x); Tensor dx = m.backward(dy); Tensor dx2 = m.backward(dy)) {
                float[][] expected = kind.functional(m, x, dy);
                assertArrayEquals(expected[0], dx.toArray(), 0f, "dx");
                assertArrayEquals(expected[0], dx2.toArray(), 0f, "dx again");
                float[] twice = expected[1].clone();
                for (int i = 0; i < twice.length; i++) twice[i] *= 2;
                assertArrayEquals(twice, grad(m, false).toArray(), 0f, "weightGrad after two backward calls");
                if (expected[2] != null) {
                    float[] bias = expected[2].clone();
                    for (int i = 0; i < bias.length; i++) bias[i] *= 2;
                    assertArrayEquals(bias, grad(m, true).toArray(), 0f, "biasGrad after two backward calls");
                }
                m.zeroGrad();
                for (float g : grad(m, false).toArray()) assertTrue(g == 0f, "zeroGrad");
            }
        }
    }
}
