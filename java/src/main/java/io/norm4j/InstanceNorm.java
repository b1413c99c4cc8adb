package io.norm4j;

/**
 * Instance norm as {@code torch.nn.InstanceNorm1d/2d/3d}: each sample's channels normalized over
 * their spatial positions. Optional affine weight and bias; optional running statistics
 * (track_running_stats), updated in training mode and used in evaluation mode.
 */
public final class InstanceNorm extends NormModule<InstanceNorm> {
    private final long numFeatures;
    private final double eps;
    private final Layout layout;
    private final RunningAverage average;
    private final Tensor weight, bias, runningMean, runningVar;
    private Tensor savedMean, savedRstd;

    /** eps 1e-5, momentum 0.1, no affine, no running statistics, NCHW (PyTorch's defaults). */
    public InstanceNorm(long numFeatures) {
        this(numFeatures, 1e-5, 0.1, false, false, Layout.NCHW);
    }

    public InstanceNorm(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats,
            Layout layout) {
        if (numFeatures <= 0) throw new IllegalArgumentException("numFeatures must be positive, got " + numFeatures);
        Checks.eps(eps);
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.layout = java.util.Objects.requireNonNull(layout, "layout");
        this.average = new RunningAverage(momentum);
        this.weight = affine ? own(1f, numFeatures) : null;
        this.bias = affine ? own(0f, numFeatures) : null;
        this.runningMean = trackRunningStats ? own(0f, numFeatures) : null;
        this.runningVar = trackRunningStats ? own(1f, numFeatures) : null;
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public Tensor runningMean() {
        return runningMean;
    }

    public Tensor runningVar() {
        return runningVar;
    }

    /** Mean of each sample and channel ([N, C]) in the last training-mode call, or null before one. */
    public Tensor savedMean() {
        return savedMean;
    }

    public Tensor savedRstd() {
        return savedRstd;
    }

    public void forward(Tensor x, Tensor y) {
        if (!isTraining()) {
            if (runningMean != null) norms().instanceNormWithRunningStats(x, layout, runningMean, runningVar, weight, bias, eps, y);
            else norms().instanceNorm(x, layout, weight, bias, eps, y);
            return;
        }
        Checks.input("x", x);
        long n = x.rank() > 0 ? x.size(0) : 0;
        savedMean = reown(savedMean, n, numFeatures);
        savedRstd = reown(savedRstd, n, numFeatures);
        norms().instanceNormTraining(x, layout, runningMean, runningVar, weight, bias, average.next(), eps, y,
                savedMean, savedRstd);
        if (runningMean != null) average.commit();
    }

    public Tensor forward(Tensor x) {
        return forwardInto(x, this::forward);
    }

    @Override
    public String toString() {
        return "InstanceNorm(" + numFeatures + ", eps=" + eps + ", momentum=" + average.momentum() + ", affine="
                + (weight != null) + ", track_running_stats=" + (runningMean != null) + ", " + layout.id() + ")";
    }
}
