package io.norm4j;

/**
 * Group norm as {@code torch.nn.GroupNorm}: channels split into groups, each normalized with its
 * own statistics per sample, then a per-channel weight (ones) and bias (zeros).
 */
public final class GroupNorm extends AffineModule<GroupNorm> {
    private final long numGroups, numChannels;
    private final double eps;
    private final Layout layout;
    private Tensor savedMean, savedRstd;
    private boolean silu;

    /** eps 1e-5, affine, NCHW. */
    public GroupNorm(long numGroups, long numChannels) {
        this(numGroups, numChannels, 1e-5, true, Layout.NCHW);
    }

    public GroupNorm(long numGroups, long numChannels, double eps, boolean affine, Layout layout) {
        super(affine, channels(numGroups, numChannels));
        Checks.eps(eps);
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        this.layout = java.util.Objects.requireNonNull(layout, "layout");
    }

    /** numChannels, once numGroups is positive and divides it. */
    private static long channels(long numGroups, long numChannels) {
        if (numGroups <= 0 || numChannels <= 0 || numChannels % numGroups != 0) {
            throw new IllegalArgumentException("numGroups (" + numGroups + ") must be positive and divide numChannels ("
                    + numChannels + ")");
        }
        return numChannels;
    }

    /**
     * From the next forward call on, the output goes through SiLU in the same call
     * ({@link Norms#groupNormSilu}: Stable Diffusion's {@code GroupNorm} then {@code SiLU}), and
     * backward goes back through both.
     *
     * @return this module
     */
    public GroupNorm withSilu() {
        checkOpen();
        silu = true;
        return this;
    }

    /**
     * Normalizes x into y (same shape; may be x). In training mode (the default) it also keeps x
     * (unless y is x) and the mean and rstd of each sample and group for {@link #backward(Tensor)}.
     */
    @Override
    public void forward(Tensor x, Tensor y) {
        Norms norms = norms();
        checkChannels(x, layout, Op.GROUP_NORM, numChannels, "numChannels");
        if (!isTraining()) {
            if (silu) norms.groupNormSilu(x, layout, numGroups, weight, bias, eps, y);
            else norms.groupNorm(x, layout, numGroups, weight, bias, eps, y);
            keepForBackward(null);
            return;
        }
        long n = x.size(0);
        savedMean = reown(savedMean, n, numGroups);
        savedRstd = reown(savedRstd, n, numGroups);
        if (silu) norms.groupNormSiluTraining(x, layout, numGroups, weight, bias, eps, y, savedMean, savedRstd);
        else norms.groupNormTraining(x, layout, numGroups, weight, bias, eps, y, savedMean, savedRstd);
        keepForBackward(x == y ? null : x);
    }

    @Override
    void backwardInto(Tensor x, Tensor dy, Tensor dx) {
        accumulating(weightGrad, biasGrad, (dw, db) -> {
            if (silu) {
                norms().groupNormSiluBackward(x, dy, layout, numGroups, weight, bias, savedMean, savedRstd, dx, dw, db);
            } else {
                norms().groupNormBackward(x, dy, layout, numGroups, weight, savedMean, savedRstd, dx, dw, db);
            }
        });
    }

    /** Training: writes y and the mean and rstd of each sample and group, [N, numGroups]. */
    public void forwardTraining(Tensor x, Tensor y, Tensor mean, Tensor rstd) {
        if (silu) norms().groupNormSiluTraining(x, layout, numGroups, weight, bias, eps, y, mean, rstd);
        else norms().groupNormTraining(x, layout, numGroups, weight, bias, eps, y, mean, rstd);
    }

    @Override
    public String toString() {
        return "GroupNorm(" + numGroups + ", " + numChannels + ", eps=" + eps + ", affine=" + (weight != null) + ", "
                + layout.id() + (silu ? ", silu" : "") + ")";
    }
}
