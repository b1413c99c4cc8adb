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
    /** The statistics the last forward call normalized with: what backward goes back through. */
    private enum LastForward { NONE, BATCH_STATISTICS, RUNNING_STATISTICS }

    private LastForward lastForward = LastForward.NONE;
    private boolean relu;

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

    /**
     * From the next forward call on, the output goes through ReLU in the same call
     * ({@link Norms#batchNormRelu}: a ResNet's {@code BatchNorm2d} then {@code ReLU}), and backward
     * goes back through both.
     *
     * @return this module
     */
    public BatchNorm withRelu() {
        checkOpen();
        relu = true;
        return this;
    }

    /**
     * Backward of the last {@link #forward} call, on its input x: writes dx and adds to
     * {@link #weightGrad} and {@link #biasGrad} (with affine). Through the batch statistics that
     * forward saved, or, if it used the running statistics (evaluation mode), with them as
     * constants. {@link #backward(Tensor)} does the same with the input the forward kept.
     */
    public void backward(Tensor x, Tensor dy, Tensor dx) {
        checkOpen();
        if (lastForward == LastForward.NONE) {
            throw new IllegalStateException("BatchNorm.backward needs a forward call first: nothing to go back through");
        }
        accumulating(weightGrad, biasGrad, (dw, db) -> {
            if (relu && lastForward == LastForward.BATCH_STATISTICS) {
                norms().batchNormReluBackward(x, dy, layout, weight, bias, savedMean, savedRstd, dx, dw, db);
            } else if (relu) {
                norms().batchNormReluBackwardWithRunningStats(x, dy, layout, runningMean, runningVar, weight, bias, eps,
                        dx, dw, db);
            } else if (lastForward == LastForward.BATCH_STATISTICS) {
                norms().batchNormBackward(x, dy, layout, weight, savedMean, savedRstd, dx, dw, db);
            } else {
                norms().batchNormBackwardWithRunningStats(x, dy, layout, runningMean, runningVar, weight, eps, dx, dw,
                        db);
            }
        });
    }

    @Override
    void backwardInto(Tensor x, Tensor dy, Tensor dx) {
        backward(x, dy, dx);
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
        checkChannels(x, Op.BATCH_NORM);
        if (runningMean != null && !isTraining()) {
            if (relu) norms().batchNormRelu(x, layout, runningMean, runningVar, weight, bias, eps, y);
            else norms().batchNorm(x, layout, runningMean, runningVar, weight, bias, eps, y);
            lastForward = LastForward.RUNNING_STATISTICS;
            keepForBackward(x == y ? null : x);
            return;
        }
        if (relu) {
            norms().batchNormReluTraining(x, layout, runningMean, runningVar, weight, bias, average.next(), eps, y,
                    savedMean, savedRstd);
        } else {
            norms().batchNormTraining(x, layout, runningMean, runningVar, weight, bias, average.next(), eps, y,
                    savedMean, savedRstd);
        }
        lastForward = LastForward.BATCH_STATISTICS;
        keepForBackward(x == y ? null : x);
        if (runningMean != null) average.commit();
    }
}
