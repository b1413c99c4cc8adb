package io.norm4j.parity;

import java.util.Random;

/**
 * The inputs the parity suite feeds every backend, each chosen to break a different shortcut.
 * Values are a pure function of (rows, cols, seed), so every backend sees the same numbers.
 */
public enum InputDistribution {
    /** N(0, 1): the ordinary case. */
    NORMAL("normal"),
    /**
     * Mean 1e4, standard deviation 1e-2: breaks E[x^2] - E[x]^2 and any f32 mean subtracted in f32
     * (the normalized output of such code is off by ~5e-2).
     */
    LARGE_MEAN("large_mean"),
    /**
     * LARGE_MEAN with the first value of every group raised by 1 (100 standard deviations of the
     * rest): in groups of up to a few thousand values that is close to sqrt(K - 1) standard
     * deviations of the group, the farthest any of K values can be from their mean (Samuelson's
     * inequality). Breaks statistics taken in one pass about the first value (a pivot p) unless the
     * cancellation in sum (x - p)^2 - (sum (x - p))^2 / K is checked and affordable.
     */
    OUTLIER_FIRST("outlier_first"),
    /** Every row constant (a different constant per row): variance 0, output must be exactly bias. */
    CONSTANT("constant"),
    /**
     * N(0, 1) with a NaN in row 0, +Inf in row 1 and -Inf in row 2: those rows' outputs must be all
     * NaN, the other rows unaffected.
     */
    NAN_INF("nan_inf"),
    /**
     * benchdnn-style: values m +/- d with d a power of two and m a multiple of 1/4, paired so that
     * every partial sum is exact in f32; the mean is exact in any summation order, so any backend
     * can be held to the output rounding alone.
     */
    EXACT("exact");

    private final String id;

    InputDistribution(String id) {
        this.id = id;
    }

    /** Name used in reports and JSON. */
    public String id() {
        return id;
    }

    /**
     * Whether the statistics of this input are ill-conditioned: |mean| much larger than the spread
     * (LARGE_MEAN, OUTLIER_FIRST), or no spread at all (CONSTANT). See {@link TolerancePolicy}.
     */
    public boolean isIllConditioned() {
        return this == LARGE_MEAN || this == OUTLIER_FIRST || this == CONSTANT;
    }

    /** rows x cols values, row-major. */
    public float[] generate(int rows, int cols, long seed) {
        float[] v = new float[Math.multiplyExact(rows, cols)];
        Random rnd = new Random(seed);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            switch (this) {
                case NORMAL, NAN_INF -> {
                    for (int i = 0; i < cols; i++) v[base + i] = (float) rnd.nextGaussian();
                }
                case LARGE_MEAN, OUTLIER_FIRST -> {
                    for (int i = 0; i < cols; i++) v[base + i] = (float) (1e4 + 1e-2 * rnd.nextGaussian());
                    if (this == OUTLIER_FIRST && cols > 0) v[base] += 1f;
                }
                case CONSTANT -> {
                    float c = (float) (3.7 + r * 0.3 - (r % 4) * 2.1);
                    for (int i = 0; i < cols; i++) v[base + i] = c;
                }
                case EXACT -> fillExactRow(v, base, cols, r, rnd);
            }
        }
        if (this == NAN_INF) {
            int col = cols / 2;
            if (rows > 0) v[col] = Float.NaN;
            if (rows > 1) v[cols + col] = Float.POSITIVE_INFINITY;
            if (rows > 2) v[2 * cols + col] = Float.NEGATIVE_INFINITY;
        }
        return v;
    }

    private static void fillExactRow(float[] v, int base, int cols, int row, Random rnd) {
        float m = ((row % 9) - 4) * 0.25f;
        int i = 0;
        for (; i + 1 < cols; i += 2) {
            float d = (float) Math.scalb(1.0, rnd.nextInt(4) - 2); // 1/4, 1/2, 1 or 2
            boolean plusFirst = rnd.nextBoolean();
            v[base + i] = plusFirst ? m + d : m - d;
            v[base + i + 1] = plusFirst ? m - d : m + d;
        }
        if (i < cols) v[base + i] = m; // odd length: the mean itself keeps the sum exact
        // Shuffle within the row so pairs are not adjacent: summation order must not matter.
        for (int k = cols - 1; k > 0; k--) {
            int j = rnd.nextInt(k + 1);
            float t = v[base + k];
            v[base + k] = v[base + j];
            v[base + j] = t;
        }
    }
}
