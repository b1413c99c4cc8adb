package io.norm4j;

/**
 * Min-max scaling per feature, in the manner of scikit-learn's MinMaxScaler: {@link #fit} (or
 * {@link #partialFit}, chunk by chunk) learns each feature's minimum and maximum over a
 * [samples, features] matrix; {@link #transform} maps values into [rangeMin, rangeMax] with
 * {@code (x - min) / (max - min) * (rangeMax - rangeMin) + rangeMin}; {@link #inverseTransform}
 * maps them back. A constant feature maps to rangeMin, never NaN. NaN values are ignored while
 * fitting and stay NaN when transformed. oneDNN has no such primitive: AUTO runs it on NATIVE.
 */
public final class MinMaxScaler extends NormModule<MinMaxScaler> {
    private final long features;
    private final double rangeMin, rangeMax;
    private final Tensor dataMin, dataMax;
    private long samplesSeen;

    /** Scales into [0, 1]. */
    public MinMaxScaler(long features) {
        this(features, 0, 1);
    }

    /** Scales into [rangeMin, rangeMax] (scikit-learn's feature_range); needs {@code rangeMin < rangeMax}. */
    public MinMaxScaler(long features, double rangeMin, double rangeMax) {
        if (features <= 0) throw new IllegalArgumentException("features must be positive, got " + features);
        Checks.featureRange(rangeMin, rangeMax);
        this.features = features;
        this.rangeMin = rangeMin;
        this.rangeMax = rangeMax;
        this.dataMin = own(Float.POSITIVE_INFINITY, features);
        this.dataMax = own(Float.NEGATIVE_INFINITY, features);
    }

    /** Learns the per-feature extrema of x, forgetting earlier fits. */
    public MinMaxScaler fit(Tensor x) {
        norms().minMaxFit(x, dataMin, dataMax);
        samplesSeen = x.size(0);
        return this;
    }

    /** Extends the fit with more samples. */
    public MinMaxScaler partialFit(Tensor x) {
        norms().minMaxPartialFit(x, dataMin, dataMax);
        samplesSeen += x.size(0);
        return this;
    }

    public void transform(Tensor x, Tensor y) {
        requireFitted();
        norms().minMaxTransform(x, dataMin, dataMax, rangeMin, rangeMax, y);
    }

    public Tensor transform(Tensor x) {
        return forwardInto(x, this::transform);
    }

    public void inverseTransform(Tensor y, Tensor x) {
        requireFitted();
        norms().minMaxInverseTransform(y, dataMin, dataMax, rangeMin, rangeMax, x);
    }

    public Tensor inverseTransform(Tensor y) {
        return forwardInto(y, this::inverseTransform);
    }

    /** The per-feature minimum seen so far (scikit-learn's data_min_). */
    public float[] dataMin() {
        return dataMin.toArray();
    }

    /** The per-feature maximum seen so far (scikit-learn's data_max_). */
    public float[] dataMax() {
        return dataMax.toArray();
    }

    /** Samples fitted so far (scikit-learn's n_samples_seen_). */
    public long samplesSeen() {
        return samplesSeen;
    }

    /** Scaling is a preprocessing step: there is nothing to go back through. */
    @Override
    public Tensor backward(Tensor dy) {
        throw new UnsupportedOperationException("MinMaxScaler has no backward: it scales inputs before a network");
    }

    private void requireFitted() {
        if (samplesSeen == 0) throw new IllegalStateException("MinMaxScaler is not fitted: call fit or partialFit first");
    }

    @Override
    public String toString() {
        return "MinMaxScaler(" + features + ", feature_range=(" + rangeMin + ", " + rangeMax + "))";
    }
}
