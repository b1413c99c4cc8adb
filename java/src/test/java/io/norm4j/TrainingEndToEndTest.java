package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Trains a small classifier with the library alone: two-class data in 2-d, a 2-16-1 MLP with batch
 * norm between the layers (hand-written matmuls, ReLU, logistic loss), plain SGD. The loss must fall,
 * and every backend must trace the same loss curve.
 */
class TrainingEndToEndTest {
    static final int N = 128, IN = 2, HIDDEN = 16, STEPS = 60;
    static final float LR = 0.3f;

    /** Loss after each SGD step. */
    static List<Double> train(Backend backend) {
        Random rnd = new Random(7);
        float[] x = new float[N * IN], label = new float[N];
        for (int i = 0; i < N; i++) { // two overlapping Gaussian blobs
            label[i] = i % 2;
            double centre = label[i] == 1 ? 1.0 : -1.0;
            x[i * IN] = (float) (centre + 1.2 * rnd.nextGaussian());
            x[i * IN + 1] = (float) (-centre + 1.2 * rnd.nextGaussian());
        }
        float[] w1 = gaussian(rnd, IN * HIDDEN, 0.7), b1 = new float[HIDDEN], w2 = gaussian(rnd, HIDDEN, 0.5);
        float[] b2 = {0};
        List<Double> losses = new ArrayList<>();
        try (BatchNorm bn = new BatchNorm(HIDDEN, 1e-5, 0.1, true, true, Layout.NHWC).backend(backend);
                Tensor z = Tensor.allocate(N, HIDDEN);
                Tensor a = Tensor.allocate(N, HIDDEN);
                Tensor da = Tensor.allocate(N, HIDDEN);
                Tensor dz = Tensor.allocate(N, HIDDEN)) {
            for (int step = 0; step < STEPS; step++) {
                z.copyFrom(affine(x, w1, b1, N, IN, HIDDEN));
                bn.forward(z, a);
                float[] h = a.toArray();
                for (int i = 0; i < h.length; i++) h[i] = Math.max(h[i], 0); // ReLU
                float[] logit = affine(h, w2, b2, N, HIDDEN, 1);

                double loss = 0;
                float[] dlogit = new float[N];
                for (int i = 0; i < N; i++) {
                    double p = 1 / (1 + Math.exp(-logit[i]));
                    loss += -(label[i] * Math.log(p + 1e-12) + (1 - label[i]) * Math.log(1 - p + 1e-12));
                    dlogit[i] = (float) ((p - label[i]) / N);
                }
                losses.add(loss / N);

                float[] dw2 = new float[HIDDEN], dh = new float[N * HIDDEN];
                float db2 = 0;
                for (int i = 0; i < N; i++) {
                    db2 += dlogit[i];
                    for (int j = 0; j < HIDDEN; j++) {
                        dw2[j] += h[i * HIDDEN + j] * dlogit[i];
                        dh[i * HIDDEN + j] = h[i * HIDDEN + j] > 0 ? w2[j] * dlogit[i] : 0; // through ReLU
                    }
                }
                da.copyFrom(dh);
                bn.backward(z, da, dz);
                float[] dzs = dz.toArray(), dw1 = new float[IN * HIDDEN], db1 = new float[HIDDEN];
                for (int i = 0; i < N; i++)
                    for (int j = 0; j < HIDDEN; j++) {
                        db1[j] += dzs[i * HIDDEN + j];
                        for (int k = 0; k < IN; k++) dw1[k * HIDDEN + j] += x[i * IN + k] * dzs[i * HIDDEN + j];
                    }
                sgd(w1, dw1);
                sgd(b1, db1);
                sgd(w2, dw2);
                b2[0] -= LR * db2;
                float[] gamma = bn.weight().toArray(), beta = bn.bias().toArray();
                sgd(gamma, bn.weightGrad().toArray());
                sgd(beta, bn.biasGrad().toArray());
                bn.weight().copyFrom(gamma);
                bn.bias().copyFrom(beta);
            }
        }
        return losses;
    }

    private static float[] affine(float[] in, float[] w, float[] b, int n, int k, int m) {
        float[] out = new float[n * m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) {
                double s = b[j];
                for (int t = 0; t < k; t++) s += in[i * k + t] * w[t * m + j];
                out[i * m + j] = (float) s;
            }
        return out;
    }

    private static float[] gaussian(Random rnd, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (scale * rnd.nextGaussian());
        return v;
    }

    private static void sgd(float[] p, float[] g) {
        for (int i = 0; i < p.length; i++) p[i] -= LR * g[i];
    }

    @Test
    void lossFallsAndEveryBackendTracesTheSameCurve() {
        List<Double> reference = train(Backend.REFERENCE);
        assertTrue(reference.get(STEPS - 1) < 0.6 * reference.get(0),
                () -> "loss should fall: first " + reference.get(0) + ", last " + reference.get(STEPS - 1));
        for (Backend b : new Backend[] {Backend.NATIVE, Backend.ONEDNN}) {
            List<Double> curve = train(b);
            for (int s = 0; s < STEPS; s++) {
                // f32 rounding differences compound through 60 SGD steps; the curves stay within 1e-4.
                assertEquals(reference.get(s), curve.get(s), 1e-4, b + " at step " + s);
            }
        }
    }
}
