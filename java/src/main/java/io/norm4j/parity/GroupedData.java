package io.norm4j.parity;

import io.norm4j.DType;
import java.util.Random;

/**
 * An op's input seen as its statistics groups: G groups of K values each (a layer norm row, a
 * batch norm channel across samples and positions, a group norm sample-group, a min-max feature).
 * The distribution is generated group-major, so "constant groups" and "a NaN in group 0" mean
 * what they say for every op, then scattered to the tensor's memory order through {@link Indexing}.
 */
final class GroupedData {
    /** Where value k of group g lives in the tensor, and which channel's weight applies to it. */
    interface Indexing {
        int groups();

        int groupSize();

        int offset(int g, int k);

        int channel(int g, int k);
    }

    final Indexing index;
    /** Values group-major: values[g * K + k]. */
    final float[] values;
    /** The same values in the tensor's memory order. */
    final float[] tensor;

    GroupedData(Indexing index, InputDistribution input, long seed) {
        this(index, input, seed, DType.FLOAT32);
    }

    /** The values as {@code storage} holds them: each rounded to it (exactly widened back). */
    GroupedData(Indexing index, InputDistribution input, long seed, DType storage) {
        this.index = index;
        int g = index.groups(), k = index.groupSize();
        this.values = stored(input.generate(g, k, seed), storage);
        this.tensor = new float[values.length];
        for (int i = 0; i < g; i++)
            for (int j = 0; j < k; j++) tensor[index.offset(i, j)] = values[i * k + j];
    }

    /** values rounded to {@code storage} and widened back (themselves for FLOAT32). */
    static float[] stored(float[] values, DType storage) {
        if (storage == DType.FLOAT32) return values;
        float[] v = new float[values.length];
        for (int i = 0; i < v.length; i++) v[i] = storage.roundTrip(values[i]);
        return v;
    }

    /** Per-channel weight and bias: N(1, 0.5) and N(0, 0.5), fixed by the seed. */
    static float[][] affine(int channels, long seed) {
        Random rnd = new Random(seed ^ 0x5DEECE66DL);
        float[] w = new float[channels], b = new float[channels];
        for (int i = 0; i < channels; i++) {
            w[i] = (float) (1 + 0.5 * rnd.nextGaussian());
            b[i] = (float) (0.5 * rnd.nextGaussian());
        }
        return new float[][] {w, b};
    }

    /** Mean and biased variance of group g in double (NaN where the group holds NaN or Inf). */
    double[] meanVar(int g) {
        int k = index.groupSize();
        double sum = 0;
        for (int j = 0; j < k; j++) sum += values[g * k + j];
        double mean = sum / k, sq = 0;
        for (int j = 0; j < k; j++) sq += (values[g * k + j] - mean) * (values[g * k + j] - mean);
        return new double[] {mean, sq / k};
    }

    /**
     * The magnitudes the tolerances scale with, from the data itself: the largest output scale
     * |xhat * w| + |b| and condition number |mean| / std over the finite groups, given the mean and
     * variance each group is normalized with.
     */
    Scales scales(double[][] normalizedWith, float[] w, float[] b, float eps) {
        double scale = 0, kappa = 0, maxMean = 0, maxStd = 0, maxRstd = 0;
        int k = index.groupSize();
        for (int g = 0; g < index.groups(); g++) {
            double mean = normalizedWith[g][0], std = Math.sqrt(normalizedWith[g][1] + eps);
            if (!Double.isFinite(mean) || !Double.isFinite(std)) continue; // compared exactly instead
            kappa = Math.max(kappa, Math.abs(mean) / std);
            maxMean = Math.max(maxMean, Math.abs(mean));
            maxStd = Math.max(maxStd, std);
            maxRstd = Math.max(maxRstd, 1 / std);
            for (int j = 0; j < k; j++) {
                int ch = index.channel(g, j);
                double xhat = (values[g * k + j] - mean) / std;
                if (!Double.isFinite(xhat)) continue;
                scale = Math.max(scale, Math.abs(xhat * (w == null ? 1 : w[ch])) + (b == null ? 0 : Math.abs(b[ch])));
            }
        }
        double maxW = 1;
        if (w != null) {
            maxW = 0;
            for (float v : w) maxW = Math.max(maxW, Math.abs(v));
        }
        return new Scales(scale, maxW, kappa, maxMean, maxStd, maxRstd);
    }

    record Scales(double output, double maxAbsWeight, double kappa, double maxAbsMean, double maxStd, double maxRstd) {}
}
