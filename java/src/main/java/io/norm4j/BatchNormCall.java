package io.norm4j;

/**
 * A validated batch norm call on x seen as [n, c, s]. Training (mean and rstd given) normalizes
 * with the batch statistics and, when running statistics are given, updates them with momentum;
 * inference normalizes with the running statistics.
 */
record BatchNormCall(
        Tensor x,
        Tensor y,
        ChannelShape shape,
        Layout layout,
        Tensor weight,
        Tensor bias,
        float eps,
        Tensor runningMean,
        Tensor runningVar,
        Tensor mean,
        Tensor rstd,
        double momentum) {

    boolean training() {
        return mean != null;
    }

    /** @param op BATCH_NORM ([N, C] allowed), or INSTANCE_NORM with running statistics (needs spatial dims) */
    static BatchNormCall check(Tensor x, Layout layout, Tensor runningMean, Tensor runningVar, Tensor weight,
            Tensor bias, double eps, Tensor y, Tensor mean, Tensor rstd, double momentum, Op op) {
        Checks.normArguments(x, y, weight, bias, mean, rstd);
        java.util.Objects.requireNonNull(layout, "layout");
        Checks.pair("runningMean", runningMean, "runningVar", runningVar, "running statistics");
        boolean training = mean != null;
        if (training) {
            if (runningMean != null) {
                Checks.output("runningMean", runningMean);
                Checks.output("runningVar", runningVar);
            }
            Checks.momentum(momentum);
        } else {
            java.util.Objects.requireNonNull(runningMean, "runningMean (inference normalizes with running statistics)");
            java.util.Objects.requireNonNull(runningVar, "runningVar (inference normalizes with running statistics)");
            Checks.input("runningMean", runningMean);
            Checks.input("runningVar", runningVar);
        }
        float epsF = Checks.eps(eps);
        ChannelShape s = ChannelShape.of("x", x, layout, op);
        Checks.sameShape("y", y, "x", x);
        long[] perChannel = {s.c()};
        Checks.shape("weight", weight, perChannel);
        Checks.shape("bias", bias, perChannel);
        Checks.shape("runningMean", runningMean, perChannel);
        Checks.shape("runningVar", runningVar, perChannel);
        Checks.numel("mean", mean, s.c(), "one per channel");
        Checks.numel("rstd", rstd, s.c(), "one per channel");
        if (training && !s.empty() && s.n() * s.s() <= 1) {
            throw new IllegalArgumentException("batch norm training needs more than 1 value per channel, x has shape "
                    + Shapes.format(x.dims()));
        }
        Aliasing alias = Aliasing.check().out("y", y).out("mean", mean).out("rstd", rstd).in("x", x).in("weight", weight)
                .in("bias", bias).inPlace("y", "x");
        if (training) alias.out("runningMean", runningMean).out("runningVar", runningVar);
        else alias.in("runningMean", runningMean).in("runningVar", runningVar);
        alias.verify();
        return new BatchNormCall(x, y, s, layout, weight, bias, epsF, runningMean, runningVar, mean, rstd, momentum);
    }
}
