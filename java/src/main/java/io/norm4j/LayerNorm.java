package io.norm4j;

import java.util.Arrays;

/**
 * Layer norm as {@code torch.nn.LayerNorm}: normalizes over the trailing {@code normalizedShape}
 * dimensions, with an optional learnable weight (ones) and bias (zeros).
 *
 * <pre>{@code
 * try (LayerNorm ln = new LayerNorm(768);
 *      Tensor x = Tensor.of(data, 32, 768);
 *      Tensor y = ln.forward(x)) {
 *     float[] out = y.toArray();
 * }
 * }</pre>
 */
public final class LayerNorm extends AffineModule<LayerNorm> {
    public static final double DEFAULT_EPS = 1e-5;

    private final long[] normalizedShape;
    private final double eps;
    private Tensor savedMean, savedRstd;

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
        super(elementwiseAffine, Checks.normalizedShape(normalizedShape));
        this.normalizedShape = normalizedShape.clone();
        Checks.eps(eps);
        this.eps = eps;
    }





    public long[] normalizedShape() {
        return normalizedShape.clone();
    }

    public double eps() {
        return eps;
    }

    /**
     * Normalizes x into y (same shape; may be x). In training mode (the default) it also keeps x
     * (unless y is x) and each row's mean and rstd for {@link #backward(Tensor)}.
     */
    @Override
    public void forward(Tensor x, Tensor y) {
        Norms norms = norms();
        if (!isTraining()) {
            norms.layerNorm(x, normalizedShape, weight, bias, eps, y);
            keepForBackward(null);
            return;
        }
        saveStatisticsFor(x);
        norms.layerNormTraining(x, normalizedShape, weight, bias, eps, y, savedMean, savedRstd);
        keepForBackward(x == y ? null : x);
    }

    /**
     * The residual add fused in: {@code h = x + residual} into h (may be x or residual), then layer
     * norm of h into y (see {@link Norms#addLayerNorm}). In training mode it keeps h (by reference:
     * keep it unchanged until backward) and each row's statistics; {@link #backward(Tensor, Tensor)}
     * then gives the gradient of x and residual.
     */
    public void forward(Tensor x, Tensor residual, Tensor h, Tensor y) {
        Norms norms = norms();
        if (!isTraining()) {
            norms.addLayerNorm(x, residual, normalizedShape, weight, 0, bias, eps, h, y);
            keepForBackward(null);
            return;
        }
        saveStatisticsFor(x);
        norms.addLayerNormTraining(x, residual, normalizedShape, weight, 0, bias, eps, h, y, savedMean, savedRstd);
        keepForBackward(h);
    }

    /** Sizes the saved mean and rstd for x's rows. */
    private void saveStatisticsFor(Tensor x) {
        Checks.input("x", x);
        long rows = leadingCount(x, normalizedShape.length);
        savedMean = reown(savedMean, rows);
        savedRstd = reown(savedRstd, rows);
    }

    @Override
    void residualBackwardInto(Tensor h, Tensor dy, Tensor dh, Tensor dx) {
        accumulating(weightGrad, biasGrad, (dw, db) -> norms().addLayerNormBackward(h, dy, dh, normalizedShape, weight,
                0, savedMean, savedRstd, dx, dw, db));
    }

    @Override
    void backwardInto(Tensor x, Tensor dy, Tensor dx) {
        accumulating(weightGrad, biasGrad,
                (dw, db) -> norms().layerNormBackward(x, dy, normalizedShape, weight, savedMean, savedRstd, dx, dw, db));
    }

    /** Training: writes y and the per-row mean and rstd for backward. */
    public void forwardTraining(Tensor x, Tensor y, Tensor mean, Tensor rstd) {
        norms().layerNormTraining(x, normalizedShape, weight, bias, eps, y, mean, rstd);
    }

    @Override
    public String toString() {
        return "LayerNorm(" + Arrays.toString(normalizedShape) + ", eps=" + eps + ", elementwise_affine="
                + (weight != null) + ", backend=" + backend() + ")";
    }
}
