package io.norm4j;

import java.util.Objects;

/**
 * A validated batch, group or instance norm backward call on [n, c, s]: batch norm has statistics
 * per channel, group and instance norm per sample and group (groups: C for instance norm; 1 for
 * batch norm, where it is not used). With batchStatistics false (batch norm with running
 * statistics) mean and rstd are constants.
 */
record ChannelBackwardCall(
        Op op,
        Tensor x,
        Tensor dy,
        Tensor dx,
        ChannelShape shape,
        Layout layout,
        long groups,
        Tensor weight,
        Tensor mean,
        Tensor rstd,
        boolean batchStatistics,
        Tensor dweight,
        Tensor dbias) {

    /** The same call with another output gradient (already checked against x's shape). */
    ChannelBackwardCall withDy(Tensor newDy) {
        return new ChannelBackwardCall(op, x, newDy, dx, shape, layout, groups, weight, mean, rstd, batchStatistics, dweight,
                dbias);
    }

    /** Number of saved statistics: C for batch norm, N * groups otherwise. */
    long statistics() {
        return op == Op.BATCH_NORM ? shape.c() : shape.n() * groups;
    }

    /** @param groups the groups of group norm; ignored for batch norm and instance norm (C groups) */
    static ChannelBackwardCall check(Op op, Tensor x, Tensor dy, Layout layout, long groups, Tensor weight,
            Tensor mean, Tensor rstd, boolean batchStatistics, Tensor dx, Tensor dweight, Tensor dbias) {
        Checks.input("x", x);
        Checks.input("dy", dy);
        Checks.output("dx", dx);
        Objects.requireNonNull(layout, "layout");
        Checks.optionalInput("weight", weight);
        Checks.input("mean", Objects.requireNonNull(mean, "mean (saved by the forward training call)"));
        Checks.input("rstd", Objects.requireNonNull(rstd, "rstd (saved by the forward training call)"));
        if (dweight != null) Checks.output("dweight", dweight);
        if (dbias != null) Checks.output("dbias", dbias);
        ChannelShape s = ChannelShape.of("x", x, layout, op);
        if (op == Op.BATCH_NORM) groups = 1;
        if (op == Op.INSTANCE_NORM) groups = Math.max(s.c(), 1);
        if (groups <= 0 || s.c() % groups != 0) {
            throw new IllegalArgumentException("groups (" + groups + ") must be positive and divide the channels (" + s.c() + ")");
        }
        Checks.sameShape("dy", dy, "x", x);
        Checks.sameShape("dx", dx, "x", x);
        long[] perChannel = {s.c()};
        Checks.shape("weight", weight, perChannel);
        Checks.shape("dweight", dweight, perChannel);
        Checks.shape("dbias", dbias, perChannel);
        long stats = op == Op.BATCH_NORM ? s.c() : Math.multiplyExact(s.n(), groups);
        String why = "saved statistics must come from a forward call on x's shape";
        Checks.numel("mean", mean, stats, why);
        Checks.numel("rstd", rstd, stats, why);
        Checks.savedRstd(rstd);
        Aliasing.check().out("dx", dx).out("dweight", dweight).out("dbias", dbias).in("x", x).in("dy", dy)
                .in("weight", weight).in("mean", mean).in("rstd", rstd).inPlace("dx", "dy").verify();
        return new ChannelBackwardCall(op, x, dy, dx, s, layout, groups, weight, mean, rstd, batchStatistics, dweight, dbias);
    }
}
