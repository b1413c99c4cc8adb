package io.norm4j;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The sums batch norm's backward needs from every value of a channel: {@code sum(dy)} and
 * {@code sum(dy * xhat)}, in double, for the part of a batch one process holds ({@link
 * Norms#batchNormBackwardSums}). Parts {@link #merge} by addition (PyTorch's SyncBatchNorm
 * all-reduces the same two sums); the totals are the gradients of bias and weight, and {@link
 * Norms#batchNormBackwardWithSums} forms each part's dx from them. Immutable.
 */
public final class ChannelGradientSums implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[] sumDy;
    private final double[] sumDyXhat;

    private ChannelGradientSums(double[] sumDy, double[] sumDyXhat) {
        this.sumDy = sumDy;
        this.sumDyXhat = sumDyXhat;
    }

    /** Sums from their parts (copied), one entry per channel. */
    public static ChannelGradientSums of(double[] sumDy, double[] sumDyXhat) {
        Objects.requireNonNull(sumDy, "sumDy");
        Objects.requireNonNull(sumDyXhat, "sumDyXhat");
        if (sumDy.length != sumDyXhat.length) {
            throw new IllegalArgumentException("sumDy and sumDyXhat must have one entry per channel, got lengths "
                    + sumDy.length + " and " + sumDyXhat.length);
        }
        return new ChannelGradientSums(sumDy.clone(), sumDyXhat.clone());
    }

    /** The sums of these parts and {@code other}'s together. */
    public ChannelGradientSums merge(ChannelGradientSums other) {
        Objects.requireNonNull(other, "other");
        if (other.channels() != channels()) {
            throw new IllegalArgumentException("cannot merge sums of " + channels() + " channels with sums of "
                    + other.channels() + " channels");
        }
        double[] a = new double[channels()], b = new double[channels()];
        for (int c = 0; c < a.length; c++) {
            a[c] = sumDy[c] + other.sumDy[c];
            b[c] = sumDyXhat[c] + other.sumDyXhat[c];
        }
        return new ChannelGradientSums(a, b);
    }

    /** The sums of all the parts together, added in list order. */
    public static ChannelGradientSums mergeAll(List<ChannelGradientSums> parts) {
        Objects.requireNonNull(parts, "parts");
        if (parts.isEmpty()) throw new IllegalArgumentException("parts is empty: there is nothing to merge");
        ChannelGradientSums total = Objects.requireNonNull(parts.get(0), "parts[0]");
        for (int i = 1; i < parts.size(); i++) total = total.merge(Objects.requireNonNull(parts.get(i), "parts[" + i + "]"));
        return total;
    }

    public int channels() {
        return sumDy.length;
    }

    public double sumDy(int channel) {
        return sumDy[channel];
    }

    public double sumDyXhat(int channel) {
        return sumDyXhat[channel];
    }

    /** The bias gradient of the whole batch once every part is merged: sum(dy), rounded to f32. */
    public float[] dbias() {
        return toFloats(sumDy);
    }

    /** The weight gradient of the whole batch once every part is merged: sum(dy * xhat), rounded to f32. */
    public float[] dweight() {
        return toFloats(sumDyXhat);
    }

    double[] sumDys() {
        return sumDy.clone();
    }

    double[] sumDyXhats() {
        return sumDyXhat.clone();
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelGradientSums s && Arrays.equals(sumDy, s.sumDy) && Arrays.equals(sumDyXhat, s.sumDyXhat);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(sumDy) + Arrays.hashCode(sumDyXhat);
    }

    @Override
    public String toString() {
        return "ChannelGradientSums(sumDy=" + Arrays.toString(sumDy) + ", sumDyXhat=" + Arrays.toString(sumDyXhat) + ")";
    }
}
