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
public final class BatchNorm extends NormModule<BatchNorm> {
    private final long numFeatures;
    private final double eps;
    private final Layout layout;
    private final RunningAverage average;
    private final Tensor weight, bias, runningMean, runningVar, savedMean, savedRstd;

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
        this.savedMean = own(0f, numFeatures);
        this.savedRstd = own(0f, numFeatures);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    /** Running mean [C] (zeros initially), or null without running statistics. */
    public Tensor runningMean() {
        return runningMean;
    }

    /** Running variance [C] (ones initially), or null without running statistics. */
    public Tensor runningVar() {
        return runningVar;
    }

    /** Mean of each channel in the last training-mode batch, for backward. */
    public Tensor savedMean() {
        return savedMean;
    }

    /** rstd of each channel in the last training-mode batch, for backward. */
    public Tensor savedRstd() {
        return savedRstd;
    }

    /** Training-mode batches seen (PyTorch's num_batches_tracked). */
    public long numBatchesTracked() {
        return average.batches();
    }

    public long numFeatures() {
        return numFeatures;
    }

    public void forward(Tensor x, Tensor y) {
        if (runningMean != null && !isTraining()) {
            norms().batchNorm(x, layout, runningMean, runningVar, weight, bias, eps, y);
            return;
        }
        boolean update = runningMean != null; // training mode here
        norms().batchNormTraining(x, layout, update ? runningMean : null, update ? runningVar : null, weight, bias,
                average.next(), eps, y, savedMean, savedRstd);
        if (update) average.commit();
    }

    public Tensor forward(Tensor x) {
        return forwardInto(x, this::forward);
    }

    @Override
    public String toString() {
        return "BatchNorm(" + numFeatures + ", eps=" + eps + ", momentum=" + average.momentum() + ", affine="
                + (weight != null) + ", track_running_stats=" + (runningMean != null) + ", " + layout.id() + ")";
    }
}
