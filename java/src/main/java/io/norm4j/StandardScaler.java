package io.norm4j;

import java.util.Objects;

/**
 * Standard (z-score) scaling per feature, in the manner of scikit-learn's StandardScaler: {@link
 * #fit} (or {@link #partialFit}, chunk by chunk or shard by shard) learns each feature's mean and
 * variance over a [samples, features] matrix; {@link #transform} maps {@code x} to
 * {@code (x - mean) / scale}, {@code scale} being the standard deviation (biased, as
 * scikit-learn's); {@link #inverseTransform} maps back. {@link #withMean withMean(false)} leaves
 * values uncentred, {@link #withStd withStd(false)} unscaled. A constant feature's scale is 1, never
 * 0. NaN values are skipped while fitting (each feature counts its own) and stay NaN when
 * transformed; a feature that has seen no value has mean, variance and scale NaN.
 *
 * <p>The fit is held as {@link ChannelMoments} in double, so fits of shards merge exactly as one
 * fit of their union would within ChannelMoments' bound ({@link #partialFit(ChannelMoments)}), the
 * way a distributed fit combines partitions. Transforms run in double and round each output once.
 * oneDNN has no such primitive: AUTO runs it on NATIVE.
 */
public final class StandardScaler extends NormModule<StandardScaler> {
    private final int features;
    private volatile boolean withMean = true, withStd = true;
    private volatile ChannelMoments moments;

    public StandardScaler(long features) {
        if (features <= 0 || features > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("features must be in [1, " + Integer.MAX_VALUE + "], got " + features);
        }
        this.features = (int) features;
        this.moments = ChannelMoments.empty(this.features);
    }

    /** Whether transform centres (scikit-learn's with_mean); true by default. */
    public StandardScaler withMean(boolean centre) {
        this.withMean = centre;
        return this;
    }

    /** Whether transform divides by the standard deviation (scikit-learn's with_std); true by default. */
    public StandardScaler withStd(boolean scale) {
        this.withStd = scale;
        return this;
    }

    public boolean isWithMean() {
        return withMean;
    }

    public boolean isWithStd() {
        return withStd;
    }

    /** Learns the per-feature mean and variance of x, forgetting earlier fits. */
    public StandardScaler fit(Tensor x) {
        moments = norms().featureMoments(requireFeatures(x));
        return this;
    }

    /** Extends the fit with more samples. */
    public StandardScaler partialFit(Tensor x) {
        return partialFit(norms().featureMoments(requireFeatures(x)));
    }

    /**
     * Extends the fit with moments taken elsewhere ({@link Norms#featureMoments} on another shard,
     * or another scaler's {@link #moments()}).
     */
    public StandardScaler partialFit(ChannelMoments more) {
        checkOpen();
        Objects.requireNonNull(more, "more");
        if (more.channels() != features) {
            throw new IllegalArgumentException("moments have " + more.channels() + " features, this scaler has " + features);
        }
        moments = moments.merge(more);
        return this;
    }

    public void transform(Tensor x, Tensor y) {
        requireFitted();
        norms().standardScale(x, offsets(), scales(), y);
    }

    public Tensor transform(Tensor x) {
        return forwardInto(x, this::transform);
    }

    public void inverseTransform(Tensor y, Tensor x) {
        requireFitted();
        norms().standardScaleInverse(y, offsets(), scales(), x);
    }

    public Tensor inverseTransform(Tensor y) {
        return forwardInto(y, this::inverseTransform);
    }

    /** What the fit holds so far: per-feature count, mean and m2. */
    public ChannelMoments moments() {
        return moments;
    }

    /** The per-feature mean (scikit-learn's mean_). */
    public double[] mean() {
        double[] m = new double[features];
        for (int j = 0; j < features; j++) m[j] = moments.count(j) == 0 ? Double.NaN : moments.mean(j);
        return m;
    }

    /** The per-feature biased variance (scikit-learn's var_). */
    public double[] variance() {
        double[] v = new double[features];
        for (int j = 0; j < features; j++) v[j] = moments.variance(j);
        return v;
    }

    /** The per-feature divisor (scikit-learn's scale_): the standard deviation, or 1 where it is 0. */
    public double[] scale() {
        double[] v = variance(), s = new double[features];
        for (int j = 0; j < features; j++) s[j] = v[j] == 0 ? 1.0 : Math.sqrt(v[j]);
        return s;
    }

    /** Values fitted so far in feature j, NaN skipped (scikit-learn's n_samples_seen_). */
    public long samplesSeen(int feature) {
        return moments.count(feature);
    }

    /** Scaling is a preprocessing step: there is nothing to go back through. */
    @Override
    public Tensor backward(Tensor dy) {
        throw new UnsupportedOperationException("StandardScaler has no backward: it scales inputs before a network");
    }

    private double[] offsets() {
        return withMean ? mean() : new double[features];
    }

    private double[] scales() {
        if (withStd) return scale();
        double[] one = new double[features];
        java.util.Arrays.fill(one, 1.0);
        return one;
    }

    private Tensor requireFeatures(Tensor x) {
        Checks.input("x", x);
        long[] d = Checks.matrix("x", x);
        if (d[1] != features) {
            throw new IllegalArgumentException("x has " + d[1] + " features (shape " + Shapes.format(d)
                    + "), this scaler has " + features);
        }
        return x;
    }

    private void requireFitted() {
        checkOpen();
        for (int j = 0; j < features; j++) {
            if (moments.count(j) > 0) return;
        }
        throw new IllegalStateException("StandardScaler is not fitted: call fit or partialFit first");
    }

    @Override
    public String toString() {
        return "StandardScaler(" + features + ", with_mean=" + withMean + ", with_std=" + withStd + ")";
    }
}
