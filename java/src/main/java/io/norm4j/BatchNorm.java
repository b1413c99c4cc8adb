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
    private final Tensor savedMean, savedRstd, weightGrad, biasGrad;
    /** The statistics the last forward call normalized with: what backward goes back through. */
    private enum LastForward { NONE, BATCH_STATISTICS, RUNNING_STATISTICS }

    private LastForward lastForward = LastForward.NONE;

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
        this.weightGrad = affine ? own(0f, numFeatures) : null;
        this.biasGrad = affine ? own(0f, numFeatures) : null;
    }

    /** Gradient of the loss with respect to the weight, written by {@link #backward}; null without affine. */
    public Tensor weightGrad() {
        return weightGrad;
    }

    /** Gradient of the loss with respect to the bias, written by {@link #backward}; null without affine. */
    public Tensor biasGrad() {
        return biasGrad;
    }

    /**
     * Backward of the last {@link #forward} call on x: writes dx and, with affine, {@link #weightGrad}
     * and {@link #biasGrad}. Through the batch statistics that forward saved, or, if it used the
     * running statistics (evaluation mode), with them as constants.
     */
    public void backward(Tensor x, Tensor dy, Tensor dx) {
        checkOpen();
        if (lastForward == LastForward.NONE) {
            throw new IllegalStateException("BatchNorm.backward needs a forward call first: nothing to go back through");
        }
        if (lastForward == LastForward.BATCH_STATISTICS) {
            norms().batchNormBackward(x, dy, layout, weight, savedMean, savedRstd, dx, weightGrad, biasGrad);
        } else {
            norms().batchNormBackwardWithRunningStats(x, dy, layout, runningMean, runningVar, weight, eps, dx,
                    weightGrad, biasGrad);
        }
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
        checkChannels(x, 2);
        if (runningMean != null && !isTraining()) {
            norms().batchNorm(x, layout, runningMean, runningVar, weight, bias, eps, y);
            lastForward = LastForward.RUNNING_STATISTICS;
            return;
        }
        norms().batchNormTraining(x, layout, runningMean, runningVar, weight, bias, average.next(), eps, y, savedMean,
                savedRstd);
        lastForward = LastForward.BATCH_STATISTICS;
        if (runningMean != null) average.commit();
    }
}
