package io.norm4j;

/**
 * The activations a batch or group norm can apply to its output in the same call
 * ({@link Norms#batchNormRelu}, {@link Norms#groupNormSilu}) and on their own ({@link Norms#activate}).
 * REFERENCE computes them in double; NATIVE in f32, with silu's exponential a polynomial within a
 * few units in the last place, the same bits on every kernel set.
 */
public enum Activation {
    /** {@code relu(v) = max(0, v)}, NaN kept; its derivative is 1 where {@code v > 0}, else 0 (as PyTorch's). */
    RELU("relu", 1),
    /** {@code silu(v) = v * sigmoid(v) = v / (1 + e^-v)}, PyTorch's SiLU (swish). */
    SILU("silu", 2);

    private final String id;
    private final int code;

    Activation(String id, int code) {
        this.id = id;
        this.code = code;
    }

    /** "relu" or "silu". */
    public String id() {
        return id;
    }

    /** The native library's code (NORM4J_ACTIVATION_*). */
    int code() {
        return code;
    }

    /** The activation of v in double, as REFERENCE computes it. */
    public double apply(double v) {
        if (this == RELU) return 0 > v ? 0 : v;
        return v / (1 + Math.exp(-v));
    }

    /** Its derivative at v in double, as REFERENCE computes it. */
    public double derivative(double v) {
        if (this == RELU) return v > 0 ? 1 : 0;
        double s = 1 / (1 + Math.exp(-v));
        return s * (1 + v * (1 - s));
    }
}
