package io.norm4j.spark;

import io.norm4j.ChannelGradientSums;
import io.norm4j.ChannelMoments;
import io.norm4j.Layout;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;

/**
 * Batch norm training over one batch whose shards are the records of an RDD's partitions, as
 * PyTorch's SyncBatchNorm runs it across processes: in a barrier stage, every partition takes its
 * shards' moments ({@link Norms#batchNormMoments}), the partitions exchange them ({@code
 * BarrierTaskContext.allGather}), and each merges all of them in partition order and normalizes its
 * shards with the result. The backward exchanges the local {@code sum(dy)} and {@code sum(dy *
 * xhat)} the same way and forms each shard's dx from the totals. The results equal single-process
 * batch norm on the whole batch within the bound {@link ChannelMoments} states, forward and
 * backward.
 *
 * <p>A barrier stage needs a slot for every partition at once (at most 2 partitions under
 * {@code local[2]}). A partition may hold no shard, or several (merged in record order). A shard
 * whose channels differ from this module's, or whose layout cannot be read, fails every task of the
 * stage with the same message naming the partition; a NaN in one shard makes its channel NaN in
 * every shard, as in a single call.
 */
public final class SyncBatchNorm implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int channels;
    private final Layout layout;
    private final double eps;
    private final float[] weight, bias;

    /** Without an affine step (PyTorch's affine=False). */
    public SyncBatchNorm(int channels, Layout layout, double eps) {
        this(channels, layout, eps, null, null);
    }

    private SyncBatchNorm(int channels, Layout layout, double eps, float[] weight, float[] bias) {
        if (channels <= 0) throw new IllegalArgumentException("channels must be positive, got " + channels);
        this.channels = channels;
        this.layout = Objects.requireNonNull(layout, "layout");
        if (!(eps >= 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("eps must be finite and >= 0, got " + eps);
        this.eps = eps;
        this.weight = weight;
        this.bias = bias;
    }

    /** The same module with a per-channel weight and bias ([channels] each). */
    public SyncBatchNorm withAffine(float[] weight, float[] bias) {
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(bias, "bias");
        if (weight.length != channels || bias.length != channels) {
            throw new IllegalArgumentException("weight and bias must have " + channels + " values, got " + weight.length
                    + " and " + bias.length);
        }
        return new SyncBatchNorm(channels, layout, eps, weight.clone(), bias.clone());
    }

    /** A shard's output and the batch's merged moments (the same in every record). */
    public record Normalized(BatchShard y, ChannelMoments moments) implements Serializable {}

    /** What a shard's backward takes: its forward input, the gradient of its output, and the merged moments. */
    public record BackwardShard(BatchShard x, BatchShard dy, ChannelMoments moments) implements Serializable {}

    /** A shard's dx and the batch's totals (the same in every record): dweight and dbias. */
    public record Gradients(BatchShard dx, ChannelGradientSums sums) implements Serializable {}

    /**
     * The forward in a barrier stage: each shard's y and the merged moments. The driver updates
     * running statistics from any record's moments ({@link ChannelMoments#updateRunningStatistics}).
     */
    public JavaRDD<Normalized> forward(JavaRDD<BatchShard> x) {
        SyncBatchNorm module = this;
        return PartitionFunction.inBarrierStage(x, records -> module.forwardPartition(records), Normalized.class);
    }

    /** The backward in a barrier stage: each shard's dx and the totals of the sums. */
    public JavaRDD<Gradients> backward(JavaRDD<BackwardShard> shards) {
        SyncBatchNorm module = this;
        return PartitionFunction.inBarrierStage(shards, records -> module.backwardPartition(records), Gradients.class);
    }

    private Iterator<Normalized> forwardPartition(Iterator<BatchShard> records) {
        List<BatchShard> shards = new ArrayList<>();
        records.forEachRemaining(shards::add);
        Norms norms = Norms.auto();
        ChannelMoments local = ChannelMoments.empty(channels);
        RuntimeException failure = null;
        try {
            for (int i = 0; i < shards.size(); i++) {
                try (Tensor x = checked(shards.get(i), "shard " + i)) {
                    local = local.merge(norms.batchNormMoments(x, layout));
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        ChannelMoments merged = ChannelMoments.mergeAll(Messages.allGather(local, failure, ChannelMoments.class));
        List<Normalized> out = new ArrayList<>(shards.size());
        try (Tensor w = affine(weight); Tensor b = affine(bias)) {
            for (BatchShard shard : shards) {
                try (Tensor x = shard.toTensor(); Tensor y = Tensor.allocate(shard.dims())) {
                    norms.batchNormWithMoments(x, layout, merged, null, null, 0, w, b, eps, y);
                    out.add(new Normalized(BatchShard.of(y), merged));
                }
            }
        }
        return out.iterator();
    }

    /** What each backward task offers: the moments its records carry (null without records) and its sums. */
    private record BackwardOffer(ChannelMoments moments, ChannelGradientSums sums) implements Serializable {}

    private Iterator<Gradients> backwardPartition(Iterator<BackwardShard> records) {
        List<BackwardShard> shards = new ArrayList<>();
        records.forEachRemaining(shards::add);
        Norms norms = Norms.auto();
        ChannelMoments moments = shards.isEmpty() ? null : shards.get(0).moments();
        ChannelGradientSums local = ChannelGradientSums.of(new double[channels], new double[channels]);
        RuntimeException failure = null;
        try {
            for (int i = 0; i < shards.size(); i++) {
                BackwardShard s = shards.get(i);
                if (!Objects.equals(s.moments(), moments)) {
                    throw new IllegalArgumentException("shard " + i + " carries other moments than shard 0: every shard"
                            + " of a batch takes the moments its forward merged");
                }
                try (Tensor x = checked(s.x(), "shard " + i + " x"); Tensor dy = checked(s.dy(), "shard " + i + " dy")) {
                    local = local.merge(norms.batchNormBackwardSums(x, dy, layout, moments, eps));
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        List<BackwardOffer> offers = Messages.allGather(new BackwardOffer(moments, local), failure, BackwardOffer.class);
        List<ChannelGradientSums> sums = new ArrayList<>();
        for (int p = 0; p < offers.size(); p++) {
            BackwardOffer o = offers.get(p);
            if (o.moments() != null && moments != null && !o.moments().equals(moments)) {
                throw new IllegalArgumentException("partition " + p + " carries other moments than this one: every shard"
                        + " of a batch takes the moments its forward merged");
            }
            sums.add(o.sums());
        }
        ChannelGradientSums total = ChannelGradientSums.mergeAll(sums);
        List<Gradients> out = new ArrayList<>(shards.size());
        try (Tensor w = affine(weight)) {
            for (BackwardShard s : shards) {
                try (Tensor x = s.x().toTensor(); Tensor dy = s.dy().toTensor()) {
                    norms.batchNormBackwardWithSums(x, dy, layout, w, moments, eps, total, dy);
                    out.add(new Gradients(BatchShard.of(dy), total));
                }
            }
        }
        return out.iterator();
    }

    /** The shard as a tensor, once its channels are this module's. */
    private Tensor checked(BatchShard shard, String what) {
        Objects.requireNonNull(shard, what);
        long[] d = shard.dims();
        if (d.length < 2) {
            throw new IllegalArgumentException(what + " has rank " + d.length + ": a batch shard is [N, C, ...]");
        }
        long c = d[layout.channelDim(d.length)];
        if (c != channels) {
            throw new IllegalArgumentException(what + " has " + c + " channels (dims " + java.util.Arrays.toString(d)
                    + ", " + layout + "), SyncBatchNorm has " + channels);
        }
        return shard.toTensor();
    }

    private Tensor affine(float[] values) {
        return values == null ? null : Tensor.of(values, channels);
    }
}
