package io.norm4j.spark;

import io.norm4j.Norms;
import io.norm4j.Tensor;
import java.io.Serializable;
import java.util.Arrays;

/**
 * A min-max partial fit: per-feature minimum and maximum of the rows seen (NaN skipped; +Inf and
 * -Inf for a feature with no other value), or of none (no features yet).
 */
record Extrema(float[] min, float[] max) implements Serializable {
    static final Extrema NONE = new Extrema(new float[0], new float[0]);

    int features() {
        return min.length;
    }

    /** These extrema extended with a batch's, through the kernels. */
    Extrema fit(Tensor batch) {
        int n = (int) batch.size(1);
        float[] lo = min, hi = max;
        if (features() == 0) {
            lo = new float[n];
            hi = new float[n];
            Arrays.fill(lo, Float.POSITIVE_INFINITY);
            Arrays.fill(hi, Float.NEGATIVE_INFINITY);
        }
        try (Tensor dMin = Tensor.of(lo, n); Tensor dMax = Tensor.of(hi, n)) {
            Norms.auto().minMaxPartialFit(batch, dMin, dMax);
            return new Extrema(dMin.toArray(), dMax.toArray());
        }
    }

    /** Both parts' extrema; no features merges as nothing. */
    Extrema merge(String column, Extrema other) {
        if (features() == 0) return other;
        if (other.features() == 0) return this;
        FeatureColumns.requireLength(column, features(), other.features());
        float[] lo = new float[features()], hi = new float[features()];
        for (int j = 0; j < lo.length; j++) {
            lo[j] = Math.min(min[j], other.min[j]);
            hi[j] = Math.max(max[j], other.max[j]);
        }
        return new Extrema(lo, hi);
    }
}
