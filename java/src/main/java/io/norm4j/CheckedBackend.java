package io.norm4j;

import java.lang.ref.Reference;

/**
 * Every backend's entry points: all argument checks happen here, once, before a backend kernel
 * runs, so every backend rejects bad input identically and with nothing written. Subclasses
 * implement only the protected kernels, which may assume valid, non-empty arguments.
 */
abstract class CheckedBackend {
    private final Backend kind;

    CheckedBackend(Backend kind) {
        this.kind = kind;
    }

    /** Short description for logs and reports, e.g. "NATIVE (avx2)". */
    String describe() {
        return kind.name();
    }

    /**
     * Whether this backend can run {@code op} in {@code direction}; REFERENCE and NATIVE run
     * everything (the add on its own forward only: it has no backward call).
     */
    boolean supports(Op op, Op.Direction direction) {
        return op != Op.ADD || direction == Op.Direction.FORWARD;
    }

    /**
     * Why this backend cannot take bf16 or f16 data, or empty where it can. REFERENCE and NATIVE
     * run such calls on f32 stand-ins ({@link HalfStaging}).
     */
    java.util.Optional<String> halfPrecisionUnsupported() {
        return java.util.Optional.empty();
    }

    /**
     * Why this backend does not run {@code op} in {@code direction} (which it supports) on data
     * stored as {@code type}, or empty where it does: where its kernels take that type or it runs the
     * call on f32 stand-ins.
     */
    java.util.Optional<String> dataTypeUnsupported(Op op, Op.Direction direction, DType type) {
        return type == DType.FLOAT32 ? java.util.Optional.empty() : halfPrecisionUnsupported();
    }

    final boolean takesDataType(Op op, Op.Direction direction, DType type) {
        return dataTypeUnsupported(op, direction, type).isEmpty();
    }

    /**
     * Whether this backend's kernels for {@code op} in {@code direction} read and write bf16 and f16
     * data themselves (the protected kernel then receives the tensors as they are stored); where
     * not, a call with such data runs on f32 stand-ins.
     */
    boolean takesStoredData(Op op, Op.Direction direction) {
        return false;
    }

    /** Copies from's values into to, converting storage exactly as {@link DType} defines; in Java here. */
    void convert(Tensor from, Tensor to) {
        to.copyFrom(from.toArray());
    }

    /**
     * Runs a call whose data (a, b, c; some bf16 or f16) this backend's kernels for op do not take on
     * f32 stand-ins: {@code call} makes the f32 call through the staging's input and output
     * stand-ins, whose outputs are then rounded back. False where the kernels take the data as they
     * are (the caller goes on); refused where this backend takes no half-precision data.
     */
    private boolean ranOnStandIns(Op op, Op.Direction direction, Tensor a, Tensor b, Tensor c,
            java.util.function.Consumer<HalfStaging> call) {
        if (!takesStoredData(op, direction)) return ranInF32(a, b, c, call);
        refuseUntakenTypes(op, direction, a, b, c);
        return false;
    }

    /** Refuses the call where this backend does not take a (non-null) tensor's storage type for op. */
    private void refuseUntakenTypes(Op op, Op.Direction direction, Tensor... tensors) {
        for (Tensor t : tensors)
            if (t != null) dataTypeUnsupported(op, direction, t.dtype()).ifPresent(why -> refuse(t.dtype(), why));
    }

    private void refuse(DType type, String why) {
        throw new UnsupportedOperationException(describe() + " cannot take " + type + " data: " + why);
    }

    /**
     * Runs a call whose data (a, b, c; some bf16 or f16) go through f32 stand-ins whatever the op
     * (calls whose kernels take f32 only); refused where this backend takes no half-precision data.
     */
    private boolean ranInF32(Tensor a, Tensor b, Tensor c, java.util.function.Consumer<HalfStaging> call) {
        halfPrecisionUnsupported().ifPresent(why -> refuse(java.util.stream.Stream.of(a, b, c)
                .filter(t -> t != null && t.dtype() != DType.FLOAT32).findFirst().orElseThrow().dtype(), why));
        try (HalfStaging s = new HalfStaging(this)) {
            call.accept(s);
            s.commit();
        }
        return true;
    }

    // ---- entry points ------------------------------------------------------------------------

    final void layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps, Tensor y,
            Tensor mean, Tensor rstd) {
        LayerNormCall c = LayerNormCall.check(x, normalizedShape, weight, bias, eps, y, mean, rstd);
        if (c.rows() == 0 || c.cols() == 0) return;
        if (HalfStaging.anyHalf(x, y, null)
                && ranOnStandIns(Op.LAYER_NORM, Op.Direction.FORWARD, x, y, null,
                        s -> layerNorm(s.input(x), normalizedShape, weight, bias, eps, s.output(y), mean, rstd))) {
            return;
        }
        try {
            layerNormForward(c);
        } finally {
            fence(x, y, weight, bias, mean, rstd);
        }
    }

    final void rmsNorm(Tensor x, long[] normalizedShape, Tensor weight, double eps, Tensor y, Tensor rstd) {
        RmsNormCall c = RmsNormCall.check(x, normalizedShape, weight, eps, y, rstd);
        if (c.rows() == 0 || c.cols() == 0) return;
        if (HalfStaging.anyHalf(x, y, null)
                && ranOnStandIns(Op.RMS_NORM, Op.Direction.FORWARD, x, y, null,
                        s -> rmsNorm(s.input(x), normalizedShape, weight, eps, s.output(y), rstd))) {
            return;
        }
        try {
            rmsNormForward(c);
        } finally {
            fence(x, y, weight, rstd, null, null);
        }
    }

    /**
     * Batch norm; training when mean and rstd are given, updating running statistics if given; the
     * output through activation when it is not null (batch_norm_relu).
     */
    final void batchNorm(Tensor x, Layout layout, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
            double eps, Tensor y, Tensor mean, Tensor rstd, double momentum, Activation activation) {
        BatchNormCall c = BatchNormCall.check(x, layout, runningMean, runningVar, weight, bias, eps, y, mean, rstd,
                momentum, Op.BATCH_NORM);
        if (c.shape().empty()) return;
        if (HalfStaging.anyHalf(x, y, null)
                && ranOnStandIns(Op.BATCH_NORM, Op.Direction.FORWARD, x, y, null,
                        s -> batchNorm(s.input(x), layout, runningMean, runningVar, weight, bias, eps, s.output(y),
                        mean, rstd, momentum, activation))) {
            return;
        }
        boolean update = c.training() && runningMean != null;
        try {
            Tensor var = update ? ThreadScratch.floats(c.shape().c()) : null;
            batchNormForward(c, var, activation);
            if (update) {
                RunningStatistics.update(runningMean, runningVar, mean, var, 1, c.shape().c(),
                        c.shape().n() * c.shape().s(), momentum);
            }
        } finally {
            fence(x, y, weight, bias, mean, rstd);
            fence(runningMean, runningVar, null, null, null, null);
        }
    }

    /**
     * Group norm; training when mean and rstd ([N, groups]) are given; the output through activation
     * when it is not null (group_norm_silu).
     */
    final void groupNorm(Tensor x, Layout layout, long groups, Tensor weight, Tensor bias, double eps, Tensor y,
            Tensor mean, Tensor rstd, Activation activation) {
        GroupNormCall c = GroupNormCall.check(x, layout, groups, weight, bias, eps, y, mean, rstd, Op.GROUP_NORM);
        if (c.shape().empty()) return;
        if (HalfStaging.anyHalf(x, y, null)
                && ranOnStandIns(Op.GROUP_NORM, Op.Direction.FORWARD, x, y, null,
                        s -> groupNorm(s.input(x), layout, groups, weight, bias, eps, s.output(y), mean, rstd,
                        activation))) {
            return;
        }
        try {
            groupNormForward(c, null, activation);
        } finally {
            fence(x, y, weight, bias, mean, rstd);
        }
    }

    /**
     * Instance norm with the statistics of each sample and channel; saves them ([N, C]) when mean and
     * rstd are given, and updates running statistics ([C]) when those are given.
     */
    final void instanceNorm(Tensor x, Layout layout, Tensor weight, Tensor bias, double eps, Tensor y, Tensor mean,
            Tensor rstd, Tensor runningMean, Tensor runningVar, double momentum) {
        Checks.input("x", x);
        java.util.Objects.requireNonNull(layout, "layout");
        ChannelShape shape = ChannelShape.of("x", x, layout, Op.INSTANCE_NORM);
        GroupNormCall c = GroupNormCall.check(x, layout, Math.max(1, shape.c()), weight, bias, eps, y, mean, rstd,
                Op.INSTANCE_NORM);
        Checks.pair("runningMean", runningMean, "runningVar", runningVar, "running statistics");
        boolean update = runningMean != null;
        if (update) {
            Checks.output("runningMean", runningMean);
            Checks.output("runningVar", runningVar);
            Checks.shape("runningMean", runningMean, new long[] {shape.c()});
            Checks.shape("runningVar", runningVar, new long[] {shape.c()});
            Checks.momentum(momentum);
            if (mean == null) throw new IllegalArgumentException("updating running statistics needs mean and rstd");
            Aliasing.check().out("runningMean", runningMean).out("runningVar", runningVar).out("y", y).out("mean", mean)
                    .out("rstd", rstd).in("x", x).in("weight", weight).in("bias", bias).inPlace("y", "x").verify();
        }
        if (shape.empty()) return;
        if (shape.s() <= 1) {
            throw new IllegalArgumentException("instance norm with input statistics needs more than 1 spatial element, x has shape "
                    + Shapes.format(x.dims()));
        }
        if (HalfStaging.anyHalf(x, y, null)
                && ranOnStandIns(Op.INSTANCE_NORM, Op.Direction.FORWARD, x, y, null,
                        s -> instanceNorm(s.input(x), layout, weight, bias, eps, s.output(y), mean, rstd, runningMean,
                        runningVar, momentum))) {
            return;
        }
        try {
            Tensor var = update ? ThreadScratch.floats(shape.n() * shape.c()) : null;
            groupNormForward(c, var, null);
            if (update) {
                RunningStatistics.update(runningMean, runningVar, mean, var, shape.n(), shape.c(), shape.s(), momentum);
            }
        } finally {
            fence(x, y, weight, bias, mean, rstd);
            fence(runningMean, runningVar, null, null, null, null);
        }
    }

    /** Instance norm normalizing with running statistics (PyTorch's track_running_stats in eval mode). */
    final void instanceNormWithRunningStats(Tensor x, Layout layout, Tensor runningMean, Tensor runningVar,
            Tensor weight, Tensor bias, double eps, Tensor y) {
        BatchNormCall c = BatchNormCall.check(x, layout, runningMean, runningVar, weight, bias, eps, y, null, null, 0,
                Op.INSTANCE_NORM);
        if (c.shape().empty()) return;
        if (HalfStaging.anyHalf(x, y, null)
                && ranOnStandIns(Op.INSTANCE_NORM, Op.Direction.FORWARD, x, y, null,
                        s -> instanceNormWithRunningStats(s.input(x), layout, runningMean, runningVar, weight, bias,
                        eps, s.output(y)))) {
            return;
        }
        try {
            batchNormForward(c, null, null);
        } finally {
            fence(x, y, weight, bias, runningMean, runningVar);
        }
    }

    final void minMaxFit(Tensor x, Tensor dataMin, Tensor dataMax, boolean accumulate) {
        MinMaxCall c = MinMaxCall.checkFit(x, dataMin, dataMax, accumulate);
        if (c.features() == 0) return;
        if (HalfStaging.anyHalf(x, null, null)
                && ranOnStandIns(Op.MIN_MAX, Op.Direction.FORWARD, x, null, null,
                        s -> minMaxFit(s.input(x), dataMin, dataMax, accumulate))) {
            return;
        }
        try {
            minMaxFitKernel(c);
        } finally {
            fence(x, dataMin, dataMax, null, null, null);
        }
    }

    final void minMaxTransform(Tensor x, Tensor dataMin, Tensor dataMax, double rangeMin, double rangeMax, Tensor y,
            boolean inverse) {
        MinMaxCall c = MinMaxCall.checkTransform(x, dataMin, dataMax, rangeMin, rangeMax, y, inverse);
        if (c.samples() == 0 || c.features() == 0) return;
        if (HalfStaging.anyHalf(x, y, null)
                && ranOnStandIns(Op.MIN_MAX, Op.Direction.FORWARD, x, y, null,
                        s -> minMaxTransform(s.input(x), dataMin, dataMax, rangeMin, rangeMax, s.output(y), inverse))) {
            return;
        }
        try {
            minMaxTransformKernel(c);
        } finally {
            fence(x, y, dataMin, dataMax, null, null);
        }
    }

    // ---- backward ----------------------------------------------------------------------------

    final void layerNormBackward(Tensor x, Tensor dy, long[] normalizedShape, Tensor weight, Tensor mean, Tensor rstd,
            Tensor dx, Tensor dweight, Tensor dbias, Op op) {
        RowsBackwardCall c = RowsBackwardCall.check(x, dy, normalizedShape, weight, mean, rstd, dx, dweight, dbias, op);
        if (c.rows() == 0 || c.cols() == 0) return;
        if (HalfStaging.anyHalf(x, dy, dx)
                && ranOnStandIns(op, Op.Direction.BACKWARD, x, dy, dx,
                        s -> layerNormBackward(s.input(x), s.input(dy), normalizedShape, weight, mean, rstd,
                        s.output(dx), dweight, dbias, op))) {
            return;
        }
        try {
            rowsBackward(c);
        } finally {
            fence(x, dy, dx, weight, mean, rstd);
            fence(dweight, dbias, null, null, null, null);
        }
    }

    /**
     * @param groups the number of groups of group norm (batch and instance norm take theirs from op)
     */
    final void channelBackward(Tensor x, Tensor dy, Layout layout, long groups, Tensor weight, Tensor mean,
            Tensor rstd, boolean batchStatistics, Tensor dx, Tensor dweight, Tensor dbias, Op op) {
        ChannelBackwardCall c = ChannelBackwardCall.check(op, x, dy, layout, groups, weight, mean, rstd, batchStatistics,
                dx, dweight, dbias);
        if (c.shape().empty()) return;
        if (HalfStaging.anyHalf(x, dy, dx)
                && ranOnStandIns(op, Op.Direction.BACKWARD, x, dy, dx,
                        s -> channelBackward(s.input(x), s.input(dy), layout, groups, weight, mean, rstd,
                        batchStatistics, s.output(dx), dweight, dbias, op))) {
            return;
        }
        try {
            channelBackward(c);
        } finally {
            fence(x, dy, dx, weight, mean, rstd);
            fence(dweight, dbias, null, null, null, null);
        }
    }

    /**
     * The backward of a norm fused with an activation (op BATCH_NORM_RELU or GROUP_NORM_SILU): the
     * gradient at the activation's input, recomputed from x and the saved statistics, then the
     * norm's backward with it as dy. bias is the forward's (it moves the pre-activation).
     */
    final void activatedBackward(Op op, Tensor x, Tensor dy, Layout layout, long groups, Tensor weight, Tensor bias,
            Tensor mean, Tensor rstd, boolean batchStatistics, Tensor dx, Tensor dweight, Tensor dbias) {
        ChannelBackwardCall c = ChannelBackwardCall.check(op.norm(), x, dy, layout, groups, weight, mean, rstd,
                batchStatistics, dx, dweight, dbias);
        Checks.optionalInput("bias", bias);
        Checks.shape("bias", bias, new long[] {c.shape().c()});
        Aliasing.check().out("dx", dx).out("dweight", dweight).out("dbias", dbias).in("bias", bias).verify();
        if (c.shape().empty()) return;
        if (HalfStaging.anyHalf(x, dy, dx)
                && ranOnStandIns(op, Op.Direction.BACKWARD, x, dy, dx,
                        s -> activatedBackward(op, s.input(x), s.input(dy), layout, groups, weight, bias, mean, rstd,
                        batchStatistics, s.output(dx), dweight, dbias))) {
            return;
        }
        try {
            activatedChannelBackward(c, bias, op.activation());
        } finally {
            fence(x, dy, dx, weight, bias, mean);
            fence(rstd, dweight, dbias, null, null, null);
        }
    }

    /**
     * {@code y = activation(x)} on its own, on the backends that run the fused op of that
     * activation (op).
     */
    final void activate(Op op, Tensor x, Tensor y) {
        Activation activation = op.activation();
        Checks.input("x", x);
        Checks.output("y", y);
        Checks.sameShape("y", y, "x", x);
        Aliasing.check().out("y", y).in("x", x).inPlace("y", "x").verify();
        if (x.numel() == 0) return;
        if (HalfStaging.anyHalf(x, y, null)
                && ranInF32(x, y, null, s -> activate(op, s.input(x), s.output(y)))) {
            return;
        }
        try {
            activateKernel(activation, x, y);
        } finally {
            fence(x, y, null, null, null, null);
        }
    }

    /** {@code dpre = dy * activation'(pre)} on its own, pre the activation's input (op as for activate). */
    final void activationBackward(Op op, Tensor pre, Tensor dy, Tensor dpre) {
        Checks.input("pre", pre);
        Checks.input("dy", dy);
        Checks.output("dpre", dpre);
        Checks.sameShape("dy", dy, "pre", pre);
        Checks.sameShape("dpre", dpre, "pre", pre);
        Aliasing.check().out("dpre", dpre).in("pre", pre).in("dy", dy).inPlace("dpre", "dy").verify();
        if (pre.numel() == 0) return;
        if (HalfStaging.anyHalf(pre, dy, dpre)
                && ranInF32(pre, dy, dpre,
                        s -> activationBackward(op, s.input(pre), s.input(dy), s.output(dpre)))) {
            return;
        }
        try {
            activationBackwardKernel(op.activation(), pre, dy, dpre);
        } finally {
            fence(pre, dy, dpre, null, null, null);
        }
    }

    // ---- residual add fused with a norm ------------------------------------------------------

    /** {@code h = x + residual} on its own: the widened values added in f32, rounded once to h's type. */
    final void add(Tensor x, Tensor residual, Tensor h) {
        Checks.input("x", x);
        Checks.input("residual", residual);
        Checks.output("h", h);
        Checks.sameShape("residual", residual, "x", x);
        Checks.sameShape("h", h, "x", x);
        Aliasing.check().out("h", h).in("x", x).in("residual", residual).inPlace("h", "x").inPlace("h", "residual")
                .verify();
        if (h.numel() == 0) return;
        refuseUntakenTypes(Op.ADD, Op.Direction.FORWARD, x, residual, h);
        try {
            addKernel(x, residual, h);
        } finally {
            fence(x, residual, h, null, null, null);
        }
    }

    /**
     * {@code h = x + residual}, then layer norm or RMS norm of h (op ADD_LAYER_NORM or ADD_RMS_NORM)
     * into y, scaled by weight plus weightOffset; mean (layer norm) and rstd saved where given.
     */
    final void addNorm(Op op, Tensor x, Tensor residual, long[] normalizedShape, Tensor weight, double weightOffset,
            Tensor bias, double eps, Tensor h, Tensor y, Tensor mean, Tensor rstd) {
        ResidualNormCall c = ResidualNormCall.check(op, x, residual, normalizedShape, weight, weightOffset, bias, eps, h,
                y, mean, rstd);
        if (c.rows() == 0 || c.cols() == 0) return;
        try {
            if (takesStoredData(op, Op.Direction.FORWARD)) {
                addNormForward(c);
                return;
            }
            // The add as its own pass, then the plain call on h as stored: what the fused kernels equal.
            ResidualAdd.add(x, residual, h);
            if (op == Op.ADD_LAYER_NORM) layerNorm(h, normalizedShape, c.scale(), bias, eps, y, mean, rstd);
            else rmsNorm(h, normalizedShape, c.scale(), eps, y, rstd);
        } finally {
            fence(x, residual, h, y, weight, bias);
            fence(mean, rstd, null, null, null, null);
        }
    }

    /**
     * The backward of {@link #addNorm}: the norm's backward on h, plus dh (may be null), the gradient
     * arriving on h from later; dx is the gradient of x and of residual alike.
     */
    final void addNormBackward(Op op, Tensor h, Tensor dy, Tensor dh, long[] normalizedShape, Tensor weight,
            double weightOffset, Tensor mean, Tensor rstd, Tensor dx, Tensor dweight, Tensor dbias) {
        ResidualNormBackwardCall c = ResidualNormBackwardCall.check(op, h, dy, dh, normalizedShape, weight,
                weightOffset, mean, rstd, dx, dweight, dbias);
        RowsBackwardCall n = c.norm();
        if (n.rows() == 0 || n.cols() == 0) return;
        try {
            if (takesStoredData(op, Op.Direction.BACKWARD)) {
                addNormBackward(c);
            } else if (dh == null) {
                layerNormBackward(h, dy, normalizedShape, n.weight(), mean, rstd, dx, dweight, dbias, op.norm());
            } else {
                // The norm's dx in f32, then dh added and the sum rounded once to dx's type.
                try (Tensor g = Tensor.allocate(h.dims())) {
                    layerNormBackward(h, dy, normalizedShape, n.weight(), mean, rstd, g, dweight, dbias, op.norm());
                    ResidualAdd.add(g, dh, dx);
                }
            }
        } finally {
            fence(h, dy, dh, dx, weight, mean);
            fence(rstd, dweight, dbias, null, null, null);
        }
    }

    // ---- adaptive layer norm ----------------------------------------------------------------

    /**
     * Adaptive layer norm: each sample's [T, D] rows normalized with {@code 1 + scale[n]} as their
     * weight and {@code shift[n]} as their bias, in one call of this backend's layer norm per
     * sample, so the modulation costs no pass of its own. Training where mean and rstd are given.
     */
    final void adaLayerNorm(Tensor x, Tensor scale, Tensor shift, double eps, Tensor y, Tensor mean, Tensor rstd) {
        AdaLayerNormCall c = AdaLayerNormCall.checkForward(x, scale, shift, eps, y, mean, rstd);
        if (c.n() == 0 || c.t() == 0 || c.d() == 0) return;
        Tensor weights = c.onePlus(scale);
        long[] features = {c.d()};
        for (long i = 0; i < c.n(); i++) {
            layerNorm(c.tokens(x, i), features, c.features(weights, i), c.features(shift, i), eps, c.tokens(y, i),
                    c.rows(mean, i), c.rows(rstd, i));
        }
    }

    /** Its backward: per sample, layer norm's backward with weight 1 + scale[n]; dscale[n] and dshift[n] are its dweight and dbias. */
    final void adaLayerNormBackward(Tensor x, Tensor dy, Tensor scale, Tensor mean, Tensor rstd, Tensor dx,
            Tensor dscale, Tensor dshift) {
        AdaLayerNormCall c = AdaLayerNormCall.checkBackward(x, dy, scale, mean, rstd, dx, dscale, dshift);
        if (c.n() == 0 || c.t() == 0 || c.d() == 0) {
            if (dscale != null) dscale.fill(0f);
            if (dshift != null) dshift.fill(0f);
            return;
        }
        Tensor weights = c.onePlus(scale);
        long[] features = {c.d()};
        for (long i = 0; i < c.n(); i++) {
            layerNormBackward(c.tokens(x, i), c.tokens(dy, i), features, c.features(weights, i), c.rows(mean, i),
                    c.rows(rstd, i), c.tokens(dx, i), c.features(dscale, i), c.features(dshift, i), Op.LAYER_NORM);
        }
    }

    /** Batch norm backward with running statistics as constants: rstd = 1 / sqrt(runningVar + eps). */
    final void batchNormBackwardWithRunningStats(Tensor x, Tensor dy, Layout layout, Tensor runningMean,
            Tensor runningVar, Tensor weight, double eps, Tensor dx, Tensor dweight, Tensor dbias) {
        Tensor rstd = runningRstd(x, layout, runningMean, runningVar, eps);
        channelBackward(x, dy, layout, 1, weight, runningMean, rstd, false, dx, dweight, dbias, Op.BATCH_NORM);
    }

    /** {@link #batchNormBackwardWithRunningStats} through ReLU at the pre-activation those statistics give. */
    final void batchNormReluBackwardWithRunningStats(Tensor x, Tensor dy, Layout layout, Tensor runningMean,
            Tensor runningVar, Tensor weight, Tensor bias, double eps, Tensor dx, Tensor dweight, Tensor dbias) {
        Tensor rstd = runningRstd(x, layout, runningMean, runningVar, eps);
        activatedBackward(Op.BATCH_NORM_RELU, x, dy, layout, 1, weight, bias, runningMean, rstd, false, dx, dweight,
                dbias);
    }

    /** 1 / sqrt(runningVar + eps) per channel, in this thread's scratch, after checking the running statistics. */
    private static Tensor runningRstd(Tensor x, Layout layout, Tensor runningMean, Tensor runningVar, double eps) {
        Checks.input("x", x);
        java.util.Objects.requireNonNull(layout, "layout");
        long[] perChannel = {ChannelShape.of("x", x, layout, Op.BATCH_NORM).c()};
        Checks.input("runningMean", java.util.Objects.requireNonNull(runningMean, "runningMean"));
        Checks.input("runningVar", java.util.Objects.requireNonNull(runningVar, "runningVar"));
        Checks.shape("runningMean", runningMean, perChannel);
        Checks.shape("runningVar", runningVar, perChannel);
        float epsF = Checks.eps(eps);
        Tensor rstd = ThreadScratch.floats(runningVar.numel());
        for (int i = 0; i < runningVar.numel(); i++) {
            rstd.buffer().put(i, (float) (1.0 / Math.sqrt(runningVar.buffer().get(i) + (double) epsF)));
        }
        return rstd;
    }

    /**
     * Keeps the tensors (and so their memory) reachable until a kernel has returned. Fencing the
     * tensors rather than the call record lets the JIT drop the record: no allocation per call.
     */
    static void fence(Tensor a, Tensor b, Tensor c, Tensor d, Tensor e, Tensor f) {
        Reference.reachabilityFence(a);
        Reference.reachabilityFence(b);
        Reference.reachabilityFence(c);
        Reference.reachabilityFence(d);
        Reference.reachabilityFence(e);
        Reference.reachabilityFence(f);
    }

    // ---- batch norm in phases, standard scaling ---------------------------------------------

    /** This shard's moments per channel, in double. */
    final ChannelMoments batchNormMoments(Tensor x, Layout layout) {
        Checks.input("x", x);
        ChannelShape shape = ChannelShape.of("x", x, java.util.Objects.requireNonNull(layout, "layout"), Op.BATCH_NORM);
        if (shape.empty()) return ChannelMoments.empty(Math.toIntExact(shape.c()));
        ChannelMoments[] result = new ChannelMoments[1];
        if (HalfStaging.anyHalf(x, null, null)
                && ranInF32(x, null, null,
                        s -> result[0] = batchNormMoments(s.input(x), layout))) {
            return result[0];
        }
        try {
            return momentsKernel(x, shape, layout);
        } finally {
            fence(x, null, null, null, null, null);
        }
    }

    /** Normalizes this shard with the merged moments and updates running statistics from them. */
    final void batchNormWithMoments(Tensor x, Layout layout, ChannelMoments moments, Tensor runningMean,
            Tensor runningVar, double momentum, Tensor weight, Tensor bias, double eps, Tensor y) {
        ShardedBatchNormCall c = ShardedBatchNormCall.forward(x, layout, moments, runningMean, runningVar, momentum,
                weight, bias, eps, y);
        if (!c.shape().empty()
                && !(HalfStaging.anyHalf(x, y, null)
                        && ranInF32(x, y, null,
                                s -> normalizeWithMomentsKernel(c.withData(s.input(x), null, s.output(y)))))) {
            try {
                normalizeWithMomentsKernel(c);
            } finally {
                fence(x, y, weight, bias, null, null);
            }
        }
        if (runningMean != null) moments.updateRunningStatistics(runningMean, runningVar, momentum);
    }

    /** This shard's sum dy and sum dy * xhat per channel, xhat from the merged moments. */
    final ChannelGradientSums batchNormBackwardSums(Tensor x, Tensor dy, Layout layout, ChannelMoments moments,
            double eps) {
        ShardedBatchNormCall c = ShardedBatchNormCall.sums(x, dy, layout, moments, eps);
        int channels = Math.toIntExact(c.shape().c());
        if (c.shape().empty()) return ChannelGradientSums.of(new double[channels], new double[channels]);
        ChannelGradientSums[] result = new ChannelGradientSums[1];
        if (HalfStaging.anyHalf(x, dy, null)
                && ranInF32(x, dy, null,
                        s -> result[0] = backwardSumsKernel(c.withData(s.input(x), s.input(dy), null)))) {
            return result[0];
        }
        try {
            return backwardSumsKernel(c);
        } finally {
            fence(x, dy, null, null, null, null);
        }
    }

    /** This shard's dx from the merged moments and the merged sums. */
    final void batchNormBackwardWithSums(Tensor x, Tensor dy, Layout layout, Tensor weight, ChannelMoments moments,
            double eps, ChannelGradientSums sums, Tensor dx) {
        ShardedBatchNormCall c = ShardedBatchNormCall.backward(x, dy, layout, weight, moments, eps, sums, dx);
        if (c.shape().empty()) return;
        if (HalfStaging.anyHalf(x, dy, dx)
                && ranInF32(x, dy, dx,
                        s -> backwardWithSumsKernel(c.withData(s.input(x), s.input(dy), s.output(dx)), sums))) {
            return;
        }
        try {
            backwardWithSumsKernel(c, sums);
        } finally {
            fence(x, dy, dx, weight, null, null);
        }
    }

    /** Per-feature moments of a [samples, features] matrix, NaN values skipped. */
    final ChannelMoments featureMoments(Tensor x) {
        Checks.input("x", x);
        Checks.matrix("x", x);
        long features = x.size(1);
        if (x.size(0) == 0 || features == 0) return ChannelMoments.empty(Math.toIntExact(features));
        ChannelMoments[] result = new ChannelMoments[1];
        if (HalfStaging.anyHalf(x, null, null)
                && ranInF32(x, null, null,
                        s -> result[0] = featureMoments(s.input(x)))) {
            return result[0];
        }
        try {
            return featureMomentsKernel(x, x.size(0), features);
        } finally {
            fence(x, null, null, null, null, null);
        }
    }

    /** y = (x - mean) / scale per feature (inverse: y = x * scale + mean), in double, rounded once. */
    final void standardScale(Tensor x, double[] mean, double[] scale, Tensor y, boolean inverse) {
        Checks.input("x", x);
        Checks.output("y", y);
        Checks.matrix("x", x);
        Checks.sameShape("y", y, "x", x);
        Checks.perFeature("mean", mean, x.size(1));
        Checks.perFeature("scale", scale, x.size(1));
        Checks.scales("scale", scale);
        Aliasing.check().out("y", y).in("x", x).inPlace("y", "x").verify();
        if (x.size(0) == 0 || x.size(1) == 0) return;
        if (HalfStaging.anyHalf(x, y, null)
                && ranInF32(x, y, null,
                        s -> standardScale(s.input(x), mean, scale, s.output(y), inverse))) {
            return;
        }
        try {
            standardScaleKernel(x, y, x.size(0), x.size(1), mean, scale, inverse);
        } finally {
            fence(x, y, null, null, null, null);
        }
    }

    // ---- kernels -----------------------------------------------------------------------------

    /** Layer norm backward, or RMS norm backward when {@code call.mean()} is null. */
    protected abstract void rowsBackward(RowsBackwardCall call);

    protected abstract void channelBackward(ChannelBackwardCall call);

    protected abstract void layerNormForward(LayerNormCall call);

    protected abstract void rmsNormForward(RmsNormCall call);

    /**
     * @param var receives the biased batch variance per channel when not null (training only)
     * @param activation applied to the output before it is stored, or null
     */
    protected abstract void batchNormForward(BatchNormCall call, Tensor var, Activation activation);

    /**
     * @param var receives the biased variance per sample and group when not null (training only)
     * @param activation applied to the output before it is stored, or null
     */
    protected abstract void groupNormForward(GroupNormCall call, Tensor var, Activation activation);

    /**
     * A fused norm's backward on its checked norm backward call: by default the activation's
     * gradient into dx, then the norm's backward in place, with dx as its dy.
     */
    protected void activatedChannelBackward(ChannelBackwardCall call, Tensor bias, Activation activation) {
        activationGradient(call, bias, activation, call.dx());
        channelBackward(call.withDy(call.dx()));
    }

    /**
     * A fused norm's backward, first step: {@code dpre = dy * activation'(pre)} at the
     * pre-activation recomputed from x and the saved statistics (see {@link ActivationGradient});
     * dpre may be dy. f32 tensors, checked.
     */
    protected void activationGradient(ChannelBackwardCall call, Tensor bias, Activation activation, Tensor dpre) {
        ActivationGradient.compute(call, bias, activation, dpre);
    }

    protected abstract void minMaxFitKernel(MinMaxCall call);

    protected abstract void minMaxTransformKernel(MinMaxCall call);

    /** The activation's backward on its own, on checked f32 arguments; in Java (double, rounded once) here. */
    protected void activationBackwardKernel(Activation activation, Tensor pre, Tensor dy, Tensor dpre) {
        for (int i = 0; i < pre.numel(); i++) {
            dpre.buffer().put(i, (float) (dy.buffer().get(i) * activation.derivative(pre.buffer().get(i))));
        }
    }

    /** The activation on its own, on checked f32 arguments; in Java (double, rounded once) here. */
    protected void activateKernel(Activation activation, Tensor x, Tensor y) {
        for (int i = 0; i < x.numel(); i++) y.buffer().put(i, (float) activation.apply(x.buffer().get(i)));
    }

    /** The residual add on its own, on checked arguments; in Java here. */
    protected void addKernel(Tensor x, Tensor residual, Tensor h) {
        ResidualAdd.add(x, residual, h);
    }

    /** The fused residual add and norm, where this backend's kernels take it (see takesStoredData). */
    protected void addNormForward(ResidualNormCall call) {
        throw new UnsupportedOperationException(describe() + " has no fused " + call.op().id());
    }

    /** The fused residual add and norm's backward, where this backend's kernels take it. */
    protected void addNormBackward(ResidualNormBackwardCall call) {
        throw new UnsupportedOperationException(describe() + " has no fused " + call.norm().op().id() + " backward");
    }

    // Batch norm in phases and standard scaling: REFERENCE and NATIVE only (Norms.doubleStatistics).

    protected abstract ChannelMoments momentsKernel(Tensor x, ChannelShape shape, Layout layout);

    protected abstract void normalizeWithMomentsKernel(ShardedBatchNormCall call);

    protected abstract ChannelGradientSums backwardSumsKernel(ShardedBatchNormCall call);

    protected abstract void backwardWithSumsKernel(ShardedBatchNormCall call, ChannelGradientSums sums);

    protected abstract ChannelMoments featureMomentsKernel(Tensor x, long samples, long features);

    protected abstract void standardScaleKernel(Tensor x, Tensor y, long samples, long features, double[] mean,
            double[] scale, boolean inverse);
}
