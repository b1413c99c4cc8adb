package io.norm4j;

/**
 * What batch norm and instance norm modules share: C channels, eps, a layout, an optional
 * per-channel weight (ones) and bias (zeros), and optional running statistics (mean zeros,
 * variance ones) updated with PyTorch's momentum rule.
 */
public abstract class RunningStatsModule<M extends RunningStatsModule<M>> extends AffineModule<M> {
    final long numFeatures;
    final double eps;
    final Layout layout;
    final RunningAverage average;
    final Tensor runningMean, runningVar;

    RunningStatsModule(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats,
            Layout layout) {
        super(affine, positive(numFeatures));
        Checks.eps(eps);
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.layout = java.util.Objects.requireNonNull(layout, "layout");
        this.average = new RunningAverage(momentum);
        this.runningMean = trackRunningStats ? own(0f, numFeatures) : null;
        this.runningVar = trackRunningStats ? own(1f, numFeatures) : null;
    }

    private static long positive(long numFeatures) {
        if (numFeatures <= 0) throw new IllegalArgumentException("numFeatures must be positive, got " + numFeatures);
        return numFeatures;
    }





    /** Running mean [C] (zeros initially), or null without running statistics. */
    public Tensor runningMean() {
        return runningMean;
    }

    /** Running variance [C] (ones initially), or null without running statistics. */
    public Tensor runningVar() {
        return runningVar;
    }

    /** Training-mode batches that updated the running statistics (PyTorch's num_batches_tracked). */
    public long numBatchesTracked() {
        return average.batches();
    }

    public long numFeatures() {
        return numFeatures;
    }

    /** x's channels against numFeatures. */
    final void checkChannels(Tensor x, Op op) {
        checkChannels(x, layout, op, numFeatures, "numFeatures");
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + numFeatures + ", eps=" + eps + ", momentum=" + average.momentum()
                + ", affine=" + (weight != null) + ", track_running_stats=" + (runningMean != null) + ", "
                + layout.id() + ")";
    }
}
