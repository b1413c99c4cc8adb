package io.norm4j.lecture;

import java.util.List;
import java.util.Random;

/** A dense layer y = x W^T + b over a batch of rows, with He initialisation; row-major arrays. */
final class Linear implements Layer {
    final int in, out;
    private final Param w, b;
    private float[] x;

    Linear(int in, int out, Random rnd) {
        this.in = in;
        this.out = out;
        float[] weights = new float[in * out];
        double scale = Math.sqrt(2.0 / in);
        for (int i = 0; i < weights.length; i++) weights[i] = (float) (rnd.nextGaussian() * scale);
        w = new Param(weights, new float[weights.length]);
        b = new Param(new float[out], new float[out]);
    }

    @Override
    public float[] forward(float[] x, int n, boolean train) {
        this.x = x;
        float[] y = new float[n * out];
        for (int r = 0; r < n; r++)
            for (int o = 0; o < out; o++) {
                double s = b.value[o];
                for (int k = 0; k < in; k++) s += x[r * in + k] * w.value[o * in + k];
                y[r * out + o] = (float) s;
            }
        return y;
    }

    @Override
    public float[] backward(float[] dy, int n) {
        float[] dx = new float[n * in];
        for (int r = 0; r < n; r++)
            for (int o = 0; o < out; o++) {
                float g = dy[r * out + o];
                b.grad[o] += g;
                for (int k = 0; k < in; k++) {
                    w.grad[o * in + k] += g * x[r * in + k];
                    dx[r * in + k] += g * w.value[o * in + k];
                }
            }
        return dx;
    }

    @Override
    public List<Param> params() {
        return List.of(w, b);
    }

    @Override
    public void zeroGrad() {
        java.util.Arrays.fill(w.grad, 0f);
        java.util.Arrays.fill(b.grad, 0f);
    }

    @Override
    public int width(int inWidth) {
        return out;
    }
}
