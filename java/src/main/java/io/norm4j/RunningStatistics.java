package io.norm4j;

import java.nio.FloatBuffer;

/**
 * PyTorch's running-statistics update, done here once for every backend from the batch mean and
 * biased variance a kernel saved: running = (1 - momentum) * running + momentum * batch, with the
 * variance made unbiased (times count / (count - 1)).
 */
final class RunningStatistics {
    private RunningStatistics() {}

    /**
     * @param mean saved means, [replicas, channels] (batch norm: 1 replica; instance norm: one per sample,
     *     averaged as PyTorch does)
     * @param var saved biased variances, same layout
     * @param count values each variance was taken over (> 1)
     */
    static void update(Tensor runningMean, Tensor runningVar, Tensor mean, Tensor var, long replicas, long channels,
            long count, double momentum) {
        FloatBuffer rm = runningMean.buffer(), rv = runningVar.buffer(), m = mean.buffer(), v = var.buffer();
        double unbias = (double) count / (count - 1);
        for (int c = 0; c < channels; c++) {
            double meanSum = 0, varSum = 0;
            for (int r = 0; r < replicas; r++) {
                meanSum += m.get((int) (r * channels + c));
                varSum += v.get((int) (r * channels + c));
            }
            rm.put(c, (float) ((1 - momentum) * rm.get(c) + momentum * (meanSum / replicas)));
            rv.put(c, (float) ((1 - momentum) * rv.get(c) + momentum * (varSum / replicas) * unbias));
        }
    }

    /** The same update from merged moments (every channel holding more than one value), in double until stored. */
    static void update(Tensor runningMean, Tensor runningVar, ChannelMoments moments, double momentum) {
        FloatBuffer rm = runningMean.buffer(), rv = runningVar.buffer();
        for (int c = 0; c < moments.channels(); c++) {
            rm.put(c, (float) ((1 - momentum) * rm.get(c) + momentum * moments.mean(c)));
            rv.put(c, (float) ((1 - momentum) * rv.get(c) + momentum * moments.unbiasedVariance(c)));
        }
    }
}
