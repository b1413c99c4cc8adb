package io.norm4j;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Per-channel moments of part of a batch (or of a feature matrix): how many values each channel
 * holds, their mean and their m2 (the sum of squared deviations from that mean), all in double.
 * Moments of disjoint parts {@link #merge merge} into the moments of the whole, so one batch
 * spread over processes can be normalized as one (PyTorch's SyncBatchNorm; {@link
 * Norms#batchNormMoments}) and a scaler can be fitted shard by shard ({@link StandardScaler}).
 *
 * <p>Merging uses Chan, Golub and LeVeque's pairwise update:
 * {@code n = na + nb, d = mean_b - mean_a, mean = mean_a + d * nb / n, m2 = m2_a + m2_b + d^2 * na * nb / n}.
 * In double it loses nothing the f32 statistics of a single call keep. Moments of K parts of n
 * values in all, taken by REFERENCE or NATIVE and merged in any order, give the whole's mean
 * within {@link #meanBound} and its m2 within {@link #m2Bound} of their exact values: a few units
 * of double rounding (u = 2^-53) per part, of the largest |value| for the mean, of m2 and of the
 * parts' spread for m2; some 2^-29 below an f32 rounding of either. A part with no values merges
 * as nothing; NaN in any part makes that channel's mean and m2 NaN, as NaN in a single call makes
 * its statistics NaN. Immutable.
 */
public final class ChannelMoments implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long[] count;
    private final double[] mean;
    private final double[] m2;

    private ChannelMoments(long[] count, double[] mean, double[] m2) {
        this.count = count;
        this.mean = mean;
        this.m2 = m2;
    }

    /**
     * Moments from their parts (copied), one entry per channel: counts at least 0, m2 at least 0 or
     * NaN, a channel with no values having mean and m2 0.
     */
    public static ChannelMoments of(long[] count, double[] mean, double[] m2) {
        Objects.requireNonNull(count, "count");
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(m2, "m2");
        if (mean.length != count.length || m2.length != count.length) {
            throw new IllegalArgumentException("count, mean and m2 must have one entry per channel, got lengths "
                    + count.length + ", " + mean.length + " and " + m2.length);
        }
        for (int c = 0; c < count.length; c++) {
            if (count[c] < 0) throw new IllegalArgumentException("count[" + c + "] must be >= 0, got " + count[c]);
            if (m2[c] < 0) throw new IllegalArgumentException("m2[" + c + "] must be >= 0 or NaN, got " + m2[c]);
            if (count[c] == 0 && (mean[c] != 0 || m2[c] != 0)) {
                throw new IllegalArgumentException("channel " + c + " holds no values but has mean " + mean[c]
                        + " and m2 " + m2[c]);
            }
        }
        return new ChannelMoments(count.clone(), mean.clone(), m2.clone());
    }

    /** Moments of {@code channels} channels holding no values: the identity of {@link #merge}. */
    public static ChannelMoments empty(int channels) {
        if (channels < 0) throw new IllegalArgumentException("channels must be >= 0, got " + channels);
        return new ChannelMoments(new long[channels], new double[channels], new double[channels]);
    }

    /** Moments with every channel holding {@code count} values (a batch norm shard). */
    static ChannelMoments ofUniformCount(long count, double[] mean, double[] m2) {
        long[] counts = new long[mean.length];
        Arrays.fill(counts, count);
        if (count == 0) return empty(mean.length);
        return new ChannelMoments(counts, mean, m2);
    }

    /** The moments of these parts and {@code other}'s together. */
    public ChannelMoments merge(ChannelMoments other) {
        Objects.requireNonNull(other, "other");
        if (other.channels() != channels()) {
            throw new IllegalArgumentException("cannot merge moments of " + channels() + " channels with moments of "
                    + other.channels() + " channels");
        }
        long[] n = new long[channels()];
        double[] mu = new double[channels()], s = new double[channels()];
        for (int c = 0; c < n.length; c++) {
            long na = count[c], nb = other.count[c];
            if (nb == 0 || na == 0) {
                ChannelMoments from = nb == 0 ? this : other;
                n[c] = from.count[c];
                mu[c] = from.mean[c];
                s[c] = from.m2[c];
                continue;
            }
            n[c] = Math.addExact(na, nb);
            double total = (double) n[c], d = other.mean[c] - mean[c];
            mu[c] = mean[c] + d * (nb / total);
            s[c] = m2[c] + other.m2[c] + d * d * ((double) na * nb / total);
        }
        return new ChannelMoments(n, mu, s);
    }

    /** The moments of all the parts together, merged in list order. */
    public static ChannelMoments mergeAll(List<ChannelMoments> parts) {
        Objects.requireNonNull(parts, "parts");
        if (parts.isEmpty()) throw new IllegalArgumentException("parts is empty: there is nothing to merge");
        ChannelMoments total = Objects.requireNonNull(parts.get(0), "parts[0]");
        for (int i = 1; i < parts.size(); i++) total = total.merge(Objects.requireNonNull(parts.get(i), "parts[" + i + "]"));
        return total;
    }

    /**
     * Bound on a merged mean's distance from the exact mean of all the values: u ((2K + 2) max|x| +
     * n R), with R the largest |x - mean|. Each merge step rounds the mean at most twice at its
     * magnitude; each part's own double sums add at most n u R.
     */
    public static double meanBound(int parts, long count, double maxAbs, double spread) {
        return 0x1p-53 * ((2.0 * parts + 2) * maxAbs + (double) count * spread);
    }

    /**
     * Bound on a merged m2's distance from the exact m2: u (4K m2 + n^2 R^2) + 2 n R meanBound.
     * Each merge step rounds the sum of the parts' m2 a few times at its magnitude; each part's
     * sums of squares add at most n u R^2 each; and the term d^2 na nb / n, at most n R^2 over
     * all steps, moves by 2 R n times the means' error.
     */
    public static double m2Bound(int parts, long count, double m2, double maxAbs, double spread) {
        double n = count;
        return 0x1p-53 * (4.0 * parts * m2 + n * n * spread * spread)
                + 2 * n * spread * meanBound(parts, count, maxAbs, spread);
    }

    /**
     * Updates running statistics ([C] each) from these moments as {@link Norms#batchNormWithMoments}
     * does: {@code running = (1 - momentum) * running + momentum * batch}, with the mean and the
     * unbiased variance; for a process that normalizes no shard itself (a driver) but keeps the
     * module's running statistics. Every channel must hold the same count, at least 2.
     */
    public void updateRunningStatistics(Tensor runningMean, Tensor runningVar, double momentum) {
        Checks.output("runningMean", Objects.requireNonNull(runningMean, "runningMean"));
        Checks.output("runningVar", Objects.requireNonNull(runningVar, "runningVar"));
        Checks.momentum(momentum);
        Checks.shape("runningMean", runningMean, new long[] {channels()});
        Checks.shape("runningVar", runningVar, new long[] {channels()});
        Aliasing.check().out("runningMean", runningMean).out("runningVar", runningVar).verify();
        requireUniformCount("moments", 2);
        RunningStatistics.update(runningMean, runningVar, this, momentum);
    }

    public int channels() {
        return count.length;
    }

    /** Values channel c holds. */
    public long count(int channel) {
        return count[channel];
    }

    public double mean(int channel) {
        return mean[channel];
    }

    /** Sum of squared deviations from the mean. */
    public double m2(int channel) {
        return m2[channel];
    }

    /** m2 / count: the variance batch norm normalizes with (NaN for a channel holding no values). */
    public double variance(int channel) {
        return m2[channel] / count[channel];
    }

    /** m2 / (count - 1): the variance running statistics take (NaN for fewer than 2 values). */
    public double unbiasedVariance(int channel) {
        return count[channel] < 2 ? Double.NaN : m2[channel] / (count[channel] - 1);
    }

    /** Copies of the per-channel arrays. */
    public long[] counts() {
        return count.clone();
    }

    public double[] means() {
        return mean.clone();
    }

    public double[] m2s() {
        return m2.clone();
    }

    /** Biased variances, one per channel. */
    double[] variances() {
        double[] v = new double[count.length];
        for (int c = 0; c < v.length; c++) v[c] = variance(c);
        return v;
    }

    /**
     * Whether every channel holds the same count, at least {@code minimum}: what normalizing a
     * batch with these moments needs. Throws naming {@code name} and the first channel that does not.
     */
    long requireUniformCount(String name, long minimum) {
        long n = count.length == 0 ? 0 : count[0];
        for (int c = 0; c < count.length; c++) {
            if (count[c] != n) {
                throw new IllegalArgumentException(name + " must hold the same count in every channel, channel 0 holds "
                        + n + " and channel " + c + " holds " + count[c]);
            }
        }
        if (count.length > 0 && n < minimum) {
            throw new IllegalArgumentException(name + " must hold at least " + minimum + " values per channel, holds " + n);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelMoments m && Arrays.equals(count, m.count) && Arrays.equals(mean, m.mean)
                && Arrays.equals(m2, m.m2);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(count), Arrays.hashCode(mean), Arrays.hashCode(m2));
    }

    @Override
    public String toString() {
        return "ChannelMoments(count=" + Arrays.toString(count) + ", mean=" + Arrays.toString(mean) + ", m2="
                + Arrays.toString(m2) + ")";
    }
}
