package io.norm4j;

/**
 * Instance norm as {@code torch.nn.InstanceNorm1d/2d/3d}: each sample's channels normalized over
 * their spatial positions. Optional affine weight and bias; optional running statistics
 * (track_running_stats), updated in training mode and used in evaluation mode.
 */
public final class InstanceNorm extends RunningStatsModule<InstanceNorm> {
    private Tensor savedMean, savedRstd;

    /** eps 1e-5, momentum 0.1, no affine, no running statistics, NCHW (PyTorch's defaults). */
    public InstanceNorm(long numFeatures) {
        this(numFeatures, 1e-5, 0.1, false, false, Layout.NCHW);
    }

    public InstanceNorm(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats,
            Layout layout) {
        super(numFeatures, eps, momentum, affine, trackRunningStats, layout);
    }

    /** Mean of each sample and channel ([N, C]) in the last training-mode call, or null before one. */
    public Tensor savedMean() {
        return savedMean;
    }

    /** rstd of each sample and channel ([N, C]) in the last training-mode call, or null before one. */
    public Tensor savedRstd() {
        return savedRstd;
    }

    @Override
    /**
     * Normalizes x into y (same shape; may be x). In training mode (the default) it also keeps x
     * (unless y is x) and the statistics of each sample and channel for {@link #backward(Tensor)}.
     */
    public void forward(Tensor x, Tensor y) {
        checkChannels(x, Op.INSTANCE_NORM);
        if (!isTraining()) {
            if (runningMean != null) norms().instanceNormWithRunningStats(x, layout, runningMean, runningVar, weight, bias, eps, y);
            else norms().instanceNorm(x, layout, weight, bias, eps, y);
            keepForBackward(null);
            return;
        }
        long n = x.size(0);
        savedMean = reown(savedMean, n, numFeatures);
        savedRstd = reown(savedRstd, n, numFeatures);
        norms().instanceNormTraining(x, layout, runningMean, runningVar, weight, bias, average.next(), eps, y,
                savedMean, savedRstd);
        if (runningMean != null) average.commit();
        keepForBackward(x == y ? null : x);
    }

    @Override
    void backwardInto(Tensor x, Tensor dy, Tensor dx) {
        accumulating(weightGrad, biasGrad,
                (dw, db) -> norms().instanceNormBackward(x, dy, layout, weight, savedMean, savedRstd, dx, dw, db));
    }
}
