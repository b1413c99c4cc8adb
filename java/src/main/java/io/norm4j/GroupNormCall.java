package io.norm4j;

/**
 * A validated group norm call on x seen as [n, c, s] with statistics per sample and group;
 * instance norm is the case groups = c. mean and rstd ([n, groups]) are null in inference.
 */
record GroupNormCall(
        Tensor x,
        Tensor y,
        ChannelShape shape,
        long groups,
        Layout layout,
        Tensor weight,
        Tensor bias,
        float eps,
        Tensor mean,
        Tensor rstd) {

    boolean training() {
        return mean != null;
    }

    /** @param op GROUP_NORM ([N, C] allowed), or INSTANCE_NORM (needs spatial dims) */
    static GroupNormCall check(Tensor x, Layout layout, long groups, Tensor weight, Tensor bias, double eps,
            Tensor y, Tensor mean, Tensor rstd, Op op) {
        Checks.normArguments(x, y, weight, bias, mean, rstd);
        java.util.Objects.requireNonNull(layout, "layout");
        float epsF = Checks.eps(eps);
        ChannelShape s = ChannelShape.of("x", x, layout, op);
        if (groups <= 0) throw new IllegalArgumentException("groups must be positive, got " + groups);
        if (s.c() % groups != 0) {
            throw new IllegalArgumentException("groups (" + groups + ") must divide the channels (" + s.c() + ")");
        }
        Checks.sameShape("y", y, "x", x);
        Checks.shape("weight", weight, new long[] {s.c()});
        Checks.shape("bias", bias, new long[] {s.c()});
        long stats = Math.multiplyExact(s.n(), groups);
        Checks.numel("mean", mean, stats, "one per sample and group");
        Checks.numel("rstd", rstd, stats, "one per sample and group");
        Aliasing.check().out("y", y).out("mean", mean).out("rstd", rstd).in("x", x).in("weight", weight).in("bias", bias)
                .inPlace("y", "x").verify();
        return new GroupNormCall(x, y, s, groups, layout, weight, bias, epsF, mean, rstd);
    }
}
