package io.norm4j;

import java.util.Objects;

/**
 * The functional API, in the spirit of {@code torch.nn.functional}: stateless calls that write into
 * tensors the caller owns. Obtain one with {@link #auto()} or {@link #on(Backend)}; instances are
 * immutable and thread-safe.
 *
 * <pre>{@code
 * Norms.auto().layerNorm(x, new long[] {768}, weight, bias, 1e-5, y);
 * }</pre>
 *
 * <p>Every argument is checked before any computation; a bad argument throws (NullPointerException,
 * IllegalArgumentException, IllegalStateException for closed tensors) and leaves every output
 * untouched. Tensors with a zero-size dimension are accepted and nothing is computed.
 */
public final class Norms {
    private static final Norms AUTO = new Norms(Backend.AUTO);

    private final Backend backend;

    private Norms(Backend backend) {
        this.backend = backend;
    }

    /** Calls that run on the fastest available backend (see {@link Backend#AUTO}). */
    public static Norms auto() {
        return AUTO;
    }

    /**
     * Calls that run on {@code backend}.
     *
     * @throws UnsupportedOperationException if that backend cannot run in this process, naming why
     */
    public static Norms on(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        if (!backend.isAvailable()) NativeRuntime.require(backend);
        return backend == Backend.AUTO ? AUTO : new Norms(backend);
    }

    /** The backend requested (AUTO stays AUTO; see {@link #resolvedBackend(String)}). */
    public Backend backend() {
        return backend;
    }

    /** Which backend actually runs {@code op} ("layer_norm"), with its detail, e.g. "NATIVE (avx2)". */
    public String resolvedBackend(String op) {
        return Backends.resolve(backend, op).describe();
    }

    /**
     * Layer norm, inference: {@code y = (x - mean) / sqrt(var + eps) * weight + bias}, with mean and
     * biased variance taken over the trailing dimensions named by {@code normalizedShape}.
     *
     * @param x input; its trailing dimensions must equal {@code normalizedShape}
     * @param normalizedShape the dimensions to normalize over (PyTorch's normalized_shape)
     * @param weight per-element scale of shape {@code normalizedShape}, or null for none
     * @param bias per-element shift of shape {@code normalizedShape}, or null for none
     * @param eps added to the variance; finite and >= 0; used as an f32
     * @param y output, same shape as x; may be x itself (in place)
     */
    public void layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps, Tensor y) {
        Backends.resolve(backend, "layer_norm").layerNorm(x, normalizedShape, weight, bias, eps, y, null, null);
    }

    /**
     * Layer norm, training: as {@link #layerNorm} and also saves, per normalized row, the mean and
     * the rstd ({@code 1 / sqrt(var + eps)}) that a backward pass needs.
     *
     * @param mean receives one value per row (x's size divided by the normalized size)
     * @param rstd receives one value per row
     */
    public void layerNormTraining(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps,
            Tensor y, Tensor mean, Tensor rstd) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(rstd, "rstd");
        Backends.resolve(backend, "layer_norm").layerNorm(x, normalizedShape, weight, bias, eps, y, mean, rstd);
    }
}
