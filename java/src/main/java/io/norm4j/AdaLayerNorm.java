package io.norm4j;

/**
 * Adaptive layer norm as diffusion transformers (DiT, Flux) modulate: {@code y = layerNorm(x) * (1
 * + scale[n]) + shift[n]} for x [N, T, D], with the per-sample scale and shift [N, D] that a
 * conditioning network computes each step; the module has no parameters of its own. After {@link
 * #backward(Tensor)}, {@link #scaleGrad()} and {@link #shiftGrad()} hold the gradients of the last
 * forward's scale and shift, to go back into that network.
 */
public final class AdaLayerNorm extends NormModule<AdaLayerNorm> {
    public static final double DEFAULT_EPS = 1e-6;

    private final long features;
    private final double eps;
    private Tensor savedScale, savedMean, savedRstd, scaleGrad, shiftGrad;

    /** Over the last dimension of D features, eps 1e-6 (DiT's). */
    public AdaLayerNorm(long features) {
        this(features, DEFAULT_EPS);
    }

    public AdaLayerNorm(long features, double eps) {
        if (features <= 0) throw new IllegalArgumentException("features must be positive, got " + features);
        Checks.eps(eps);
        this.features = features;
        this.eps = eps;
    }

    /**
     * Modulates x [N, T, D] into y (may be x). In training mode it keeps x and scale (by reference:
     * keep them unchanged until backward) and each row's statistics.
     */
    public void forward(Tensor x, Tensor scale, Tensor shift, Tensor y) {
        Norms norms = norms();
        if (!isTraining()) {
            norms.adaLayerNorm(x, scale, shift, eps, y);
            keepForBackward(null);
            return;
        }
        Checks.input("x", x);
        long[] d = x.dims();
        if (d.length != 3 || d[2] != features) {
            throw new IllegalArgumentException("x must be [N, T, " + features + "], it has shape " + Shapes.format(d));
        }
        savedMean = reown(savedMean, d[0], d[1]);
        savedRstd = reown(savedRstd, d[0], d[1]);
        norms.adaLayerNormTraining(x, scale, shift, eps, y, savedMean, savedRstd);
        savedScale = scale;
        scaleGrad = reown(scaleGrad, d[0], d[2]);
        shiftGrad = reown(shiftGrad, d[0], d[2]);
        keepForBackward(x == y ? null : x);
    }

    /** Allocates y like x and modulates into it. */
    public Tensor forward(Tensor x, Tensor scale, Tensor shift) {
        return forwardInto(x, (in, out) -> forward(in, scale, shift, out));
    }

    @Override
    void backwardInto(Tensor x, Tensor dy, Tensor dx) {
        savedScale.checkOpen("the scale of the last training-mode forward");
        norms().adaLayerNormBackward(x, dy, savedScale, savedMean, savedRstd, dx, scaleGrad, shiftGrad);
    }

    /** The gradient of the last training-mode forward's scale, [N, D], as of the last backward. */
    public Tensor scaleGrad() {
        return scaleGrad;
    }

    /** The gradient of the last training-mode forward's shift, [N, D], as of the last backward. */
    public Tensor shiftGrad() {
        return shiftGrad;
    }

    public double eps() {
        return eps;
    }

    @Override
    public String toString() {
        return "AdaLayerNorm(" + features + ", eps=" + eps + ", backend=" + backend() + ")";
    }
}
