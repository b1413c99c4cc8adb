package io.norm4j;

import java.util.Arrays;

/**
 * RMS norm as {@code torch.nn.RMSNorm}: {@code y = x / sqrt(mean(x^2) + eps) * weight} over the
 * trailing {@code normalizedShape} dimensions.
 */
public final class RMSNorm extends NormModule<RMSNorm> {
    /** PyTorch's default when eps is None: the f32 machine epsilon. */
    public static final double DEFAULT_EPS = Math.ulp(1.0f);

    private final long[] normalizedShape;
    private final double eps;
    private final Tensor weight, weightGrad;
    private Tensor savedRstd;

    /** RMS norm over the given trailing dimensions, eps = f32 machine epsilon, with a weight. */
    public RMSNorm(long... normalizedShape) {
        this(normalizedShape, DEFAULT_EPS, true);
    }

    public RMSNorm(long[] normalizedShape, double eps, boolean elementwiseAffine) {
        this.normalizedShape = Checks.normalizedShape(normalizedShape);
        Checks.eps(eps);
        this.eps = eps;
        this.weight = elementwiseAffine ? own(1f, normalizedShape) : null;
        this.weightGrad = gradOf(weight);
    }

    /** Gradient of the loss with respect to the weight, accumulated by backward; null without affine. */
    public Tensor weightGrad() {
        return weightGrad;
    }

    public Tensor weight() {
        return weight;
    }

    public double eps() {
        return eps;
    }

    /**
     * Normalizes x into y (same shape; may be x). In training mode (the default) it also keeps x
     * (unless y is x) and each row's rstd for {@link #backward(Tensor)}.
     */
    public void forward(Tensor x, Tensor y) {
        Norms norms = norms();
        if (!isTraining()) {
            norms.rmsNorm(x, normalizedShape, weight, eps, y);
            keepForBackward(null);
            return;
        }
        Checks.input("x", x);
        savedRstd = reown(savedRstd, leadingCount(x, normalizedShape.length));
        norms.rmsNormTraining(x, normalizedShape, weight, eps, y, savedRstd);
        keepForBackward(x == y ? null : x);
    }

    /**
     * The residual add fused in: {@code h = x + residual} into h (may be x or residual), then RMS
     * norm of h into y (see {@link Norms#addRmsNorm}). In training mode it keeps h (by reference:
     * keep it unchanged until backward) and each row's rstd; {@link #backward(Tensor, Tensor)} then
     * gives the gradient of x and residual.
     */
    public void forward(Tensor x, Tensor residual, Tensor h, Tensor y) {
        Norms norms = norms();
        if (!isTraining()) {
            norms.addRmsNorm(x, residual, normalizedShape, weight, 0, eps, h, y);
            keepForBackward(null);
            return;
        }
        Checks.input("x", x);
        savedRstd = reown(savedRstd, leadingCount(x, normalizedShape.length));
        norms.addRmsNormTraining(x, residual, normalizedShape, weight, 0, eps, h, y, savedRstd);
        keepForBackward(h);
    }

    @Override
    void residualBackwardInto(Tensor h, Tensor dy, Tensor dh, Tensor dx) {
        accumulating(weightGrad, null,
                (dw, db) -> norms().addRmsNormBackward(h, dy, dh, normalizedShape, weight, 0, savedRstd, dx, dw));
    }

    @Override
    void backwardInto(Tensor x, Tensor dy, Tensor dx) {
        accumulating(weightGrad, null,
                (dw, db) -> norms().rmsNormBackward(x, dy, normalizedShape, weight, savedRstd, dx, dw));
    }

    public Tensor forward(Tensor x) {
        return forwardInto(x, this::forward);
    }

    /** Training: writes y and each row's rstd for backward. */
    public void forwardTraining(Tensor x, Tensor y, Tensor rstd) {
        norms().rmsNormTraining(x, normalizedShape, weight, eps, y, rstd);
    }

    @Override
    public String toString() {
        return "RMSNorm(" + Arrays.toString(normalizedShape) + ", eps=" + eps + ", elementwise_affine="
                + (weight != null) + ", backend=" + backend() + ")";
    }
}
