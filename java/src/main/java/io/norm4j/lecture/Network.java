package io.norm4j.lecture;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The experiments' classifier: linear layers with a norm (or none) and ReLU after each hidden one,
 * then softmax cross-entropy. Everything but the norms is plain Java here; the norms are norm4j's.
 */
final class Network {
    private final List<Layer> layers = new ArrayList<>();
    private final int inputs;

    /**
     * @param widths input width, hidden widths..., classes
     * @param runningStats whether batch norm keeps running statistics (see {@link Norm#layer})
     */
    Network(int[] widths, Norm norm, boolean runningStats, Random rnd) {
        inputs = widths[0];
        for (int i = 1; i < widths.length; i++) {
            layers.add(new Linear(widths[i - 1], widths[i], rnd));
            if (i < widths.length - 1) {
                Layer n = norm.layer(widths[i], runningStats, rnd);
                if (n != null) layers.add(n);
                layers.add(Layer.relu());
            }
        }
    }

    /** Logits for a batch of n rows. */
    float[] logits(float[] x, int n, boolean train) {
        float[] h = x;
        for (Layer l : layers) h = l.forward(h, n, train);
        return h;
    }

    /** Mean cross-entropy of the batch, with the gradients of every parameter (from zero). */
    double lossAndGradients(float[] x, int[] labels, int n) {
        for (Layer l : layers) l.zeroGrad();
        float[] z = logits(x, n, true);
        int k = z.length / n;
        float[] dz = new float[z.length];
        double loss = crossEntropy(z, labels, n, dz);
        float[] d = dz;
        for (int i = layers.size() - 1; i >= 0; i--) d = layers.get(i).backward(d, n);
        return loss;
    }

    /** Mean cross-entropy of logits z ([n, k]); writes its gradient into dz when given. */
    static double crossEntropy(float[] z, int[] labels, int n, float[] dz) {
        int k = z.length / n;
        double loss = 0;
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, z[r * k + j]);
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.exp(z[r * k + j] - max);
            loss += Math.log(sum) + max - z[r * k + labels[r]];
            if (dz != null) {
                for (int j = 0; j < k; j++) {
                    double p = Math.exp(z[r * k + j] - max) / sum;
                    dz[r * k + j] = (float) ((p - (j == labels[r] ? 1 : 0)) / n);
                }
            }
        }
        return loss / n;
    }

    /** Fraction of rows misclassified, in evaluation mode (batch norm on its running statistics). */
    double error(float[] x, int[] labels, int n) {
        float[] z = logits(x, n, false);
        int k = z.length / n, wrong = 0;
        for (int r = 0; r < n; r++) {
            int best = 0;
            for (int j = 1; j < k; j++) if (z[r * k + j] > z[r * k + best]) best = j;
            if (best != labels[r]) wrong++;
        }
        return (double) wrong / n;
    }

    List<Param> params() {
        List<Param> all = new ArrayList<>();
        for (Layer l : layers) all.addAll(l.params());
        return all;
    }

    /** A copy of every parameter's values, in params() order. */
    float[][] values() {
        return params().stream().map(p -> p.value.clone()).toArray(float[][]::new);
    }

    /** A copy of every parameter's gradient (current after lossAndGradients), in params() order. */
    float[][] gradients() {
        List<Param> ps = params();
        float[][] g = new float[ps.size()][];
        for (int i = 0; i < g.length; i++) {
            ps.get(i).pull();
            g[i] = ps.get(i).grad.clone();
        }
        return g;
    }

    /** Sets every parameter to base + step * direction. */
    void set(float[][] base, double step, float[][] direction) {
        List<Param> ps = params();
        for (int i = 0; i < ps.size(); i++) {
            Param p = ps.get(i);
            for (int j = 0; j < p.value.length; j++) p.value[j] = (float) (base[i][j] + step * direction[i][j]);
            p.push();
        }
    }

    int inputs() {
        return inputs;
    }
}
