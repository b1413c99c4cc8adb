package io.norm4j;

/**
 * Batch norm as {@code torch.nn.BatchNorm1d/2d/3d} (one class: the input's rank decides): in
 * training mode it normalizes with the batch statistics of each channel and updates the running
 * mean and variance; in evaluation mode it normalizes with those running statistics.
 *
 * <pre>{@code
 * try (BatchNorm bn = new BatchNorm(64); Tensor y = bn.forward(x)) { ... }  // x: [N, 64, H, W]
 * }</pre>
 */
public final class BatchNorm extends RunningStatsModule<BatchNorm> {
    private final Tensor savedMean, savedRstd;

    /** eps 1e-5, momentum 0.1, affine, tracking running statistics, NCHW. */
    public BatchNorm(long numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true, Layout.NCHW);
    }

    /**
     * @param momentum running-average factor in [0, 1], or null for a cumulative average
     * @param affine whether the module has a per-channel weight (ones) and bias (zeros)
     * @param trackRunningStats whether it keeps running statistics (without, evaluation mode also
     *     uses batch statistics)
     */
    public BatchNorm(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats,
            Layout layout) {
        super(numFeatures, eps, momentum, affine, trackRunningStats, layout);
        this.savedMean = own(0f, numFeatures);
        this.savedRstd = own(0f, numFeatures);
    }

    /** Mean of each channel in the last batch-statistics call, for backward. */
    public Tensor savedMean() {
        return savedMean;
    }

    /** rstd of each channel in the last batch-statistics call, for backward. */
    public Tensor savedRstd() {
        return savedRstd;
    }

    @Override
    public void forward(Tensor x, Tensor y) {
        if (runningMean != null && !isTraining()) {
            norms().batchNorm(x, layout, runningMean, runningVar, weight, bias, eps, y);
            return;
        }
        norms().batchNormTraining(x, layout, runningMean, runningVar, weight, bias, average.next(), eps, y, savedMean,
                savedRstd);
        if (runningMean != null) average.commit();
    }
}
