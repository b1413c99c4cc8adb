package io.norm4j;

import java.util.Objects;

/**
 * A validated call of batch norm in phases on one shard x (seen as [n, c, s]) of a batch whose
 * merged moments are given: the normalization ({@code out} = y), the backward's local sums, or
 * its dx ({@code out} = dx). The moments must cover this shard: one count for every channel, at
 * least 2 and at least the shard's own values per channel.
 */
record ShardedBatchNormCall(
        Tensor x,
        Tensor dy,
        Tensor out,
        ChannelShape shape,
        Layout layout,
        Tensor weight,
        Tensor bias,
        float eps,
        ChannelMoments moments,
        long count) {

    /** Channel ch's merged mean. */
    double mean(long ch) {
        return moments.mean((int) ch);
    }

    /** Channel ch's 1 / sqrt(variance + eps) from the merged moments, in double. */
    double rstd(long ch) {
        return 1.0 / Math.sqrt(moments.variance((int) ch) + eps);
    }

    /** The same call on other tensors of the same shapes (f32 stand-ins for half-precision data). */
    ShardedBatchNormCall withData(Tensor newX, Tensor newDy, Tensor newOut) {
        return new ShardedBatchNormCall(newX, newDy, newOut, shape, layout, weight, bias, eps, moments, count);
    }

    static ShardedBatchNormCall forward(Tensor x, Layout layout, ChannelMoments moments, Tensor runningMean,
            Tensor runningVar, double momentum, Tensor weight, Tensor bias, double eps, Tensor y) {
        Checks.normArguments(x, y, weight, bias, null, null);
        Checks.pair("runningMean", runningMean, "runningVar", runningVar, "running statistics");
        if (runningMean != null) {
            Checks.output("runningMean", runningMean);
            Checks.output("runningVar", runningVar);
            Checks.momentum(momentum);
        }
        ShardedBatchNormCall c = common(x, null, layout, moments, weight, bias, eps, y, "y");
        long[] perChannel = {c.shape.c()};
        Checks.shape("runningMean", runningMean, perChannel);
        Checks.shape("runningVar", runningVar, perChannel);
        Aliasing.check().out("y", y).out("runningMean", runningMean).out("runningVar", runningVar).in("x", x)
                .in("weight", weight).in("bias", bias).inPlace("y", "x").verify();
        return c;
    }

    static ShardedBatchNormCall sums(Tensor x, Tensor dy, Layout layout, ChannelMoments moments, double eps) {
        Checks.input("x", x);
        Checks.input("dy", dy);
        return common(x, dy, layout, moments, null, null, eps, null, null);
    }

    static ShardedBatchNormCall backward(Tensor x, Tensor dy, Layout layout, Tensor weight, ChannelMoments moments,
            double eps, ChannelGradientSums sums, Tensor dx) {
        Checks.input("x", x);
        Checks.input("dy", dy);
        Checks.output("dx", dx);
        Checks.optionalInput("weight", weight);
        ShardedBatchNormCall c = common(x, dy, layout, moments, weight, null, eps, dx, "dx");
        Objects.requireNonNull(sums, "sums (merged over every shard by ChannelGradientSums.merge)");
        if (sums.channels() != c.shape.c()) {
            throw new IllegalArgumentException("sums has " + sums.channels() + " channels, x has " + c.shape.c()
                    + " (shape " + Shapes.format(x.dims()) + ")");
        }
        Aliasing.check().out("dx", dx).in("x", x).in("dy", dy).in("weight", weight).inPlace("dx", "dy").verify();
        return c;
    }

    private static ShardedBatchNormCall common(Tensor x, Tensor dy, Layout layout, ChannelMoments moments,
            Tensor weight, Tensor bias, double eps, Tensor out, String outName) {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(moments, "moments (merged over every shard by ChannelMoments.merge)");
        float epsF = Checks.eps(eps);
        ChannelShape s = ChannelShape.of("x", x, layout, Op.BATCH_NORM);
        if (dy != null) Checks.sameShape("dy", dy, "x", x);
        if (out != null) Checks.sameShape(outName, out, "x", x);
        long[] perChannel = {s.c()};
        Checks.shape("weight", weight, perChannel);
        Checks.shape("bias", bias, perChannel);
        if (moments.channels() != s.c()) {
            throw new IllegalArgumentException("moments has " + moments.channels() + " channels, x has " + s.c()
                    + " (shape " + Shapes.format(x.dims()) + ")");
        }
        long count = moments.requireUniformCount("moments", 2);
        long here = s.n() * s.s();
        if (here > count) {
            throw new IllegalArgumentException("moments hold " + count + " values per channel but x alone holds " + here
                    + ": merge the moments of every shard, this one included");
        }
        return new ShardedBatchNormCall(x, dy, out, s, layout, weight, bias, epsF, moments, count);
    }
}
