package io.norm4j.lecture;

import java.util.Random;

/**
 * A synthetic classification task generated in code: inputs ~ N(0, 1) in {@code dims}
 * dimensions, labelled by a random two-layer teacher network (argmax of its outputs), so the
 * classes are separated by curved boundaries a small network can learn but not trivially.
 */
record Data(float[] x, int[] labels, int n, int dims, int classes) {
    static Data teacher(int n, int dims, int classes, long seed) {
        Random task = new Random(20181220L); // the same teacher for every split
        int hidden = 32;
        double[] w1 = new double[hidden * dims], w2 = new double[classes * hidden];
        for (int i = 0; i < w1.length; i++) w1[i] = task.nextGaussian();
        for (int i = 0; i < w2.length; i++) w2[i] = task.nextGaussian();
        Random rnd = new Random(seed);
        float[] x = new float[n * dims];
        int[] labels = new int[n];
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < dims; k++) x[r * dims + k] = (float) rnd.nextGaussian();
            double[] h = new double[hidden];
            for (int j = 0; j < hidden; j++) {
                double s = 0;
                for (int k = 0; k < dims; k++) s += w1[j * dims + k] * x[r * dims + k];
                h[j] = Math.tanh(s / Math.sqrt(dims));
            }
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double s = 0;
                for (int j = 0; j < hidden; j++) s += w2[c * hidden + j] * h[j];
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
            }
            labels[r] = best;
        }
        return new Data(x, labels, n, dims, classes);
    }

    /** Rows [from, from + count) of a permutation, as a batch. */
    Data batch(int[] order, int from, int count) {
        float[] bx = new float[count * dims];
        int[] by = new int[count];
        for (int i = 0; i < count; i++) {
            int r = order[from + i];
            System.arraycopy(x, r * dims, bx, i * dims, dims);
            by[i] = labels[r];
        }
        return new Data(bx, by, count, dims, classes);
    }

    /** A seeded permutation of the rows (Fisher-Yates). */
    int[] shuffled(Random rnd) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
