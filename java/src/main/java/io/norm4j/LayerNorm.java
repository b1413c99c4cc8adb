package io.norm4j;

import java.util.Arrays;
import java.util.Objects;

/**
 * A layer norm module in the manner of {@code torch.nn.LayerNorm}: it owns its affine parameters
 * ({@code weight} initialised to 1, {@code bias} to 0, when {@code elementwiseAffine}) and remembers
 * eps and the backend.
 *
 * <pre>{@code
 * try (LayerNorm ln = new LayerNorm(768);
 *      Tensor x = Tensor.of(data, 32, 768);
 *      Tensor y = ln.forward(x)) {
 *     float[] out = y.toArray();
 * }
 * }</pre>
 */
public final class LayerNorm implements AutoCloseable {
    public static final double DEFAULT_EPS = 1e-5;

    private final long[] normalizedShape;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;
    private volatile Norms norms = Norms.auto();

    /** Layer norm over the given trailing dimensions, eps 1e-5, with affine weight and bias. */
    public LayerNorm(long... normalizedShape) {
        this(normalizedShape, DEFAULT_EPS, true);
    }

    /**
     * @param normalizedShape trailing dimensions to normalize over
     * @param eps added to the variance; finite and >= 0
     * @param elementwiseAffine whether the module has a weight (ones) and a bias (zeros)
     */
    public LayerNorm(long[] normalizedShape, double eps, boolean elementwiseAffine) {
        Objects.requireNonNull(normalizedShape, "normalizedShape");
        if (normalizedShape.length == 0) {
            throw new IllegalArgumentException("normalizedShape must have at least one dimension");
        }
        Shapes.numel("normalizedShape", normalizedShape);
        CheckedBackend.checkEps(eps);
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = elementwiseAffine ? Tensor.allocate(normalizedShape).fill(1f) : null;
        this.bias = elementwiseAffine ? Tensor.allocate(normalizedShape) : null;
    }

    /** Runs on {@code backend} from now on; returns this. */
    public LayerNorm backend(Backend backend) {
        this.norms = Norms.on(backend);
        return this;
    }

    public Backend backend() {
        return norms.backend();
    }

    /** The scale (initially ones), or null without elementwise affine. Write into it to train or load. */
    public Tensor weight() {
        return weight;
    }

    /** The shift (initially zeros), or null without elementwise affine. */
    public Tensor bias() {
        return bias;
    }

    public long[] normalizedShape() {
        return normalizedShape.clone();
    }

    public double eps() {
        return eps;
    }

    /** Inference into {@code y} (same shape as x; may be x). */
    public void forward(Tensor x, Tensor y) {
        norms.layerNorm(x, normalizedShape, weight, bias, eps, y);
    }

    /** Inference into a new tensor, which the caller closes. */
    public Tensor forward(Tensor x) {
        Objects.requireNonNull(x, "x");
        x.checkOpen("x");
        Tensor y = Tensor.allocate(x.dims());
        try {
            forward(x, y);
            return y;
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
    }

    /** Training: writes y and the per-row mean and rstd for backward. */
    public void forwardTraining(Tensor x, Tensor y, Tensor mean, Tensor rstd) {
        norms.layerNormTraining(x, normalizedShape, weight, bias, eps, y, mean, rstd);
    }

    /** Closes the weight and bias. */
    @Override
    public void close() {
        if (weight != null) weight.close();
        if (bias != null) bias.close();
    }

    @Override
    public String toString() {
        return "LayerNorm(" + Arrays.toString(normalizedShape) + ", eps=" + eps + ", elementwise_affine="
                + (weight != null) + ", backend=" + norms.backend() + ")";
    }
}
