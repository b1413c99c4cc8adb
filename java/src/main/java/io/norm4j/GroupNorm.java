package io.norm4j;

/**
 * Group norm as {@code torch.nn.GroupNorm}: channels split into groups, each normalized with its
 * own statistics per sample, then a per-channel weight (ones) and bias (zeros).
 */
public final class GroupNorm extends NormModule<GroupNorm> {
    private final long numGroups, numChannels;
    private final double eps;
    private final Layout layout;
    private final Tensor weight, bias;

    /** eps 1e-5, affine, NCHW. */
    public GroupNorm(long numGroups, long numChannels) {
        this(numGroups, numChannels, 1e-5, true, Layout.NCHW);
    }

    public GroupNorm(long numGroups, long numChannels, double eps, boolean affine, Layout layout) {
        if (numGroups <= 0 || numChannels <= 0 || numChannels % numGroups != 0) {
            throw new IllegalArgumentException("numGroups (" + numGroups + ") must be positive and divide numChannels ("
                    + numChannels + ")");
        }
        Checks.eps(eps);
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        this.layout = java.util.Objects.requireNonNull(layout, "layout");
        this.weight = affine ? own(1f, numChannels) : null;
        this.bias = affine ? own(0f, numChannels) : null;
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public void forward(Tensor x, Tensor y) {
        norms().groupNorm(x, layout, numGroups, weight, bias, eps, y);
    }

    public Tensor forward(Tensor x) {
        return forwardInto(x, this::forward);
    }

    /** Training: writes y and the mean and rstd of each sample and group, [N, numGroups]. */
    public void forwardTraining(Tensor x, Tensor y, Tensor mean, Tensor rstd) {
        norms().groupNormTraining(x, layout, numGroups, weight, bias, eps, y, mean, rstd);
    }

    @Override
    public String toString() {
        return "GroupNorm(" + numGroups + ", " + numChannels + ", eps=" + eps + ", affine=" + (weight != null) + ", "
                + layout.id() + ")";
    }
}
