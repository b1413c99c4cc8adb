package io.norm4j.lecture;

import io.norm4j.BatchNorm;
import io.norm4j.GroupNorm;
import io.norm4j.Layout;
import io.norm4j.LayerNorm;
import io.norm4j.AffineModule;
import io.norm4j.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The normalization placed after each hidden linear layer: norm4j's modules, forward and backward. */
enum Norm {
    NONE("none"),
    BATCH("batch norm"),
    GROUP("group norm"),
    LAYER("layer norm"),
    /** Batch norm, then a random per-channel scale and shift drawn anew at every training step. */
    NOISY_BATCH("noisy batch norm");

    /** Channels per group of group norm (Wu and He's default is 32 groups; 4 channels keep small layers grouped). */
    static final int GROUP_SIZE = 4;

    final String label;

    Norm(String label) {
        this.label = label;
    }

    /**
     * A layer of {@code channels} for this norm, or null for NONE. With runningStats false, batch
     * norm has no running statistics: every forward normalizes with the batch's (as in
     * Santurkar et al.'s measurements along the trajectory).
     */
    Layer layer(int channels, boolean runningStats, Random rnd) {
        return switch (this) {
            case NONE -> null;
            case BATCH -> new ModuleLayer(new BatchNorm(channels, 1e-5, 0.1, true, runningStats, Layout.NCHW), channels);
            case GROUP -> new ModuleLayer(new GroupNorm(channels / GROUP_SIZE, channels), channels);
            case LAYER -> new ModuleLayer(new LayerNorm(channels), channels);
            case NOISY_BATCH -> new NoisyLayer(
                    new ModuleLayer(new BatchNorm(channels, 1e-5, 0.1, true, runningStats, Layout.NCHW), channels),
                    channels, new Random(rnd.nextLong()));
        };
    }

    /** A norm module over [n, channels] rows, its input kept for backward until the next forward. */
    static final class ModuleLayer implements Layer {
        private final AffineModule<?> module;
        private final int channels;
        private final List<Param> params = new ArrayList<>();
        private Tensor input;

        ModuleLayer(AffineModule<?> module, int channels) {
            this.module = module;
            this.channels = channels;
            params.add(Param.of(module.weight(), module.weightGrad()));
            params.add(Param.of(module.bias(), module.biasGrad()));
        }

        @Override
        public float[] forward(float[] x, int n, boolean train) {
            if (input != null) input.close();
            input = Tensor.of(x, n, channels);
            if (train) module.train();
            else module.eval();
            try (Tensor y = module.forward(input)) {
                return y.toArray();
            }
        }

        @Override
        public float[] backward(float[] dy, int n) {
            try (Tensor d = Tensor.of(dy, n, channels); Tensor dx = module.backward(d)) {
                return dx.toArray();
            }
        }

        @Override
        public List<Param> params() {
            return params;
        }

        @Override
        public void zeroGrad() {
            module.zeroGrad();
        }
    }

    /** y = norm(x) * (1 + a_c) + s_c with a_c, s_c ~ N(0, 0.25) per channel, new at every training forward. */
    static final class NoisyLayer implements Layer {
        static final double NOISE = 0.5;
        private final Layer inner;
        private final int channels;
        private final Random rnd;
        private final float[] scale;

        NoisyLayer(Layer inner, int channels, Random rnd) {
            this.inner = inner;
            this.channels = channels;
            this.rnd = rnd;
            this.scale = new float[channels];
        }

        @Override
        public float[] forward(float[] x, int n, boolean train) {
            float[] y = inner.forward(x, n, train);
            if (!train) return y;
            float[] shift = new float[channels];
            for (int c = 0; c < channels; c++) {
                scale[c] = (float) (1 + NOISE * rnd.nextGaussian());
                shift[c] = (float) (NOISE * rnd.nextGaussian());
            }
            for (int i = 0; i < y.length; i++) y[i] = y[i] * scale[i % channels] + shift[i % channels];
            return y;
        }

        @Override
        public float[] backward(float[] dy, int n) {
            float[] d = new float[dy.length];
            for (int i = 0; i < dy.length; i++) d[i] = dy[i] * scale[i % channels];
            return inner.backward(d, n);
        }

        @Override
        public List<Param> params() {
            return inner.params();
        }

        @Override
        public void zeroGrad() {
            inner.zeroGrad();
        }
    }
}
