package io.norm4j;

import java.nio.FloatBuffer;

/**
 * The oracle: plain Java, statistics in double with two passes (mean, then centred squares),
 * each output computed in double and rounded once to f32. Clarity over speed.
 */
final class ReferenceBackend extends CheckedBackend {
    ReferenceBackend() {
        super(Backend.REFERENCE);
    }

    @Override
    protected void layerNormForward(LayerNormCall c) {
        FloatBuffer x = c.x().buffer();
        FloatBuffer y = c.y().buffer();
        FloatBuffer w = c.weight() == null ? null : c.weight().buffer();
        FloatBuffer b = c.bias() == null ? null : c.bias().buffer();
        int cols = (int) c.cols();
        for (int r = 0; r < c.rows(); r++) {
            int base = r * cols;
            double sum = 0;
            for (int i = 0; i < cols; i++) sum += x.get(base + i);
            double mean = sum / cols;
            double squares = 0;
            for (int i = 0; i < cols; i++) {
                double d = x.get(base + i) - mean;
                squares += d * d;
            }
            double rstd = 1.0 / Math.sqrt(squares / cols + c.eps());
            for (int i = 0; i < cols; i++) {
                double v = (x.get(base + i) - mean) * rstd;
                if (w != null) v *= w.get(i);
                if (b != null) v += b.get(i);
                y.put(base + i, (float) v);
            }
            if (c.training()) {
                c.mean().buffer().put(r, (float) mean);
                c.rstd().buffer().put(r, (float) rstd);
            }
        }
    }
}
