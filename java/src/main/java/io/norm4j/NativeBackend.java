package io.norm4j;

import static io.norm4j.Addresses.of;

import io.norm4j.nativeimpl.Norm4jLibrary;
import org.bytedeco.javacpp.DoublePointer;

/**
 * norm4j's own kernels through the C ABI; the kernel set (avx2, scalar) is chosen natively. Only
 * reached through {@link Backends#resolve}, which has already refused it where the library did not
 * load.
 */
final class NativeBackend extends CheckedBackend {
    NativeBackend() {
        super(Backend.NATIVE);
    }

    /** Through the native converters (the same bits as Java's, on every kernel set), in parallel for large tensors. */
    @Override
    void convert(Tensor from, Tensor to) {
        from.copyTo(to);
    }

    @Override
    String describe() {
        return "NATIVE (" + NativeRuntime.isaName(Norm4jLibrary.norm4j_isa_active()) + ")";
    }

    /**
     * Layer and RMS norm, plain and fused with a residual add, and channels-last batch norm read and
     * write bf16 and f16 data in their kernels; channels-first batch norm, group and instance norm
     * (both directions) and min-max scaling stage it in f32 blocks natively.
     */
    @Override
    boolean takesStoredData(Op op, Op.Direction direction) {
        Op norm = op.norm();
        return norm == Op.LAYER_NORM || norm == Op.RMS_NORM || norm == Op.BATCH_NORM || norm == Op.GROUP_NORM
                || norm == Op.INSTANCE_NORM || norm == Op.MIN_MAX;
    }

    @Override
    protected void addKernel(Tensor x, Tensor residual, Tensor h) {
        NativeRuntime.check(Norm4jLibrary.norm4j_add(of(x), x.dtype().code(), of(residual), residual.dtype().code(),
                of(h), h.dtype().code(), h.numel()), "NATIVE add");
    }

    @Override
    protected void addNormForward(ResidualNormCall c) {
        int status = c.op() == Op.ADD_RMS_NORM
                ? Norm4jLibrary.norm4j_add_rms_norm_forward(of(c.x()), c.x().dtype().code(), of(c.residual()),
                        c.residual().dtype().code(), of(c.h()), c.h().dtype().code(), of(c.y()), c.y().dtype().code(),
                        c.rows(), c.cols(), of(c.scale()), c.eps(), of(c.rstd()))
                : Norm4jLibrary.norm4j_add_layer_norm_forward(of(c.x()), c.x().dtype().code(), of(c.residual()),
                        c.residual().dtype().code(), of(c.h()), c.h().dtype().code(), of(c.y()), c.y().dtype().code(),
                        c.rows(), c.cols(), of(c.scale()), of(c.bias()), c.eps(), of(c.mean()), of(c.rstd()));
        NativeRuntime.check(status, "NATIVE " + c.op().id());
    }

    @Override
    protected void addNormBackward(ResidualNormBackwardCall call) {
        RowsBackwardCall c = call.norm();
        int h = c.x().dtype().code(), dy = c.dy().dtype().code(), dx = c.dx().dtype().code();
        int dh = call.dh() == null ? DType.FLOAT32.code() : call.dh().dtype().code();
        int status = c.op() == Op.RMS_NORM
                ? Norm4jLibrary.norm4j_add_rms_norm_backward(of(c.x()), h, of(c.dy()), dy, of(call.dh()), dh, of(c.dx()),
                        dx, c.rows(), c.cols(), of(c.weight()), of(c.rstd()), of(c.dweight()))
                : Norm4jLibrary.norm4j_add_layer_norm_backward(of(c.x()), h, of(c.dy()), dy, of(call.dh()), dh,
                        of(c.dx()), dx, c.rows(), c.cols(), of(c.weight()), of(c.mean()), of(c.rstd()),
                        of(c.dweight()), of(c.dbias()));
        NativeRuntime.check(status, "NATIVE " + c.op().id() + " backward");
    }

    @Override
    protected void layerNormForward(LayerNormCall c) {
        NativeRuntime.check(Norm4jLibrary.norm4j_layer_norm_forward_stored(of(c.x()), c.x().dtype().code(), of(c.y()),
                c.y().dtype().code(), c.rows(), c.cols(), of(c.weight()), of(c.bias()), c.eps(), of(c.mean()),
                of(c.rstd())), "NATIVE layer_norm");
    }

    @Override
    protected void rmsNormForward(RmsNormCall c) {
        NativeRuntime.check(Norm4jLibrary.norm4j_rms_norm_forward_stored(of(c.x()), c.x().dtype().code(), of(c.y()),
                c.y().dtype().code(), c.rows(), c.cols(), of(c.weight()), c.eps(), of(c.rstd())), "NATIVE rms_norm");
    }

    @Override
    protected void batchNormForward(BatchNormCall c, Tensor var, Activation activation) {
        ChannelShape s = c.shape();
        NativeRuntime.check(Norm4jLibrary.norm4j_batch_norm_forward_stored(of(c.x()), c.x().dtype().code(), of(c.y()),
                c.y().dtype().code(), s.n(), s.c(), s.s(), c.layout().code(), of(c.weight()), of(c.bias()), c.eps(),
                of(c.runningMean()), of(c.runningVar()), of(c.mean()), of(c.rstd()), of(var), code(activation)),
                "NATIVE batch_norm");
    }

    @Override
    protected void groupNormForward(GroupNormCall c, Tensor var, Activation activation) {
        ChannelShape s = c.shape();
        NativeRuntime.check(Norm4jLibrary.norm4j_group_norm_forward_stored(of(c.x()), c.x().dtype().code(), of(c.y()),
                c.y().dtype().code(), s.n(), s.c(), s.s(), c.groups(), c.layout().code(), of(c.weight()), of(c.bias()),
                c.eps(), of(c.mean()), of(c.rstd()), of(var), code(activation)), "NATIVE group_norm");
    }

    @Override
    protected void activateKernel(Activation activation, Tensor x, Tensor y) {
        NativeRuntime.check(Norm4jLibrary.norm4j_activate(of(x), of(y), x.numel(), activation.code()),
                "NATIVE " + activation.id());
    }

    /**
     * The norms' backward with the activation: group norm forms its gradient group by group in
     * scratch, batch norm channel by channel where its channels fit the caches.
     */
    @Override
    protected void activatedChannelBackward(ChannelBackwardCall c, Tensor bias, Activation activation) {
        channelBackward(c, bias, activation);
    }

    @Override
    protected void activationBackwardKernel(Activation activation, Tensor pre, Tensor dy, Tensor dpre) {
        NativeRuntime.check(Norm4jLibrary.norm4j_activation_backward(of(pre), of(dy), of(dpre), pre.numel(),
                activation.code()), "NATIVE " + activation.id() + " backward");
    }

    private static int code(Activation activation) {
        return activation == null ? 0 : activation.code();
    }

    @Override
    protected void activationGradient(ChannelBackwardCall c, Tensor bias, Activation activation, Tensor dpre) {
        ChannelShape s = c.shape();
        long groups = c.op() == Op.BATCH_NORM ? 0 : c.groups();
        NativeRuntime.check(Norm4jLibrary.norm4j_activation_gradient(of(c.x()), of(c.dy()), of(dpre), s.n(), s.c(),
                s.s(), groups, c.layout().code(), of(c.weight()), of(bias), of(c.mean()), of(c.rstd()),
                activation.code()), "NATIVE " + activation.id() + " gradient");
    }

    @Override
    protected void minMaxFitKernel(MinMaxCall c) {
        NativeRuntime.check(Norm4jLibrary.norm4j_min_max_fit_stored(of(c.x()), c.x().dtype().code(), c.samples(),
                c.features(), of(c.dataMin()), of(c.dataMax()), c.accumulate() ? 1 : 0), "NATIVE min_max fit");
    }

    @Override
    protected void minMaxTransformKernel(MinMaxCall c) {
        NativeRuntime.check(Norm4jLibrary.norm4j_min_max_transform_stored(of(c.x()), c.x().dtype().code(), of(c.y()),
                c.y().dtype().code(), c.samples(), c.features(), of(c.dataMin()), of(c.dataMax()), c.rangeMin(),
                c.rangeMax(), c.inverse() ? 1 : 0), "NATIVE min_max transform");
    }

    @Override
    protected void rowsBackward(RowsBackwardCall c) {
        int x = c.x().dtype().code(), dy = c.dy().dtype().code(), dx = c.dx().dtype().code();
        int status = c.op() == Op.RMS_NORM
                ? Norm4jLibrary.norm4j_rms_norm_backward_stored(of(c.x()), x, of(c.dy()), dy, of(c.dx()), dx, c.rows(),
                        c.cols(), of(c.weight()), of(c.rstd()), of(c.dweight()))
                : Norm4jLibrary.norm4j_layer_norm_backward_stored(of(c.x()), x, of(c.dy()), dy, of(c.dx()), dx, c.rows(),
                        c.cols(), of(c.weight()), of(c.mean()), of(c.rstd()), of(c.dweight()), of(c.dbias()));
        NativeRuntime.check(status, "NATIVE backward");
    }

    @Override
    protected void channelBackward(ChannelBackwardCall c) {
        channelBackward(c, null, null);
    }

    /** Batch or group norm backward, through the activation (with the forward's bias) where one is given. */
    private static void channelBackward(ChannelBackwardCall c, Tensor bias, Activation activation) {
        ChannelShape s = c.shape();
        int code = code(activation);
        int status = c.op() == Op.BATCH_NORM
                ? Norm4jLibrary.norm4j_batch_norm_backward_stored(of(c.x()), c.x().dtype().code(), of(c.dy()),
                        c.dy().dtype().code(), of(c.dx()), c.dx().dtype().code(), s.n(), s.c(), s.s(), c.layout().code(),
                        of(c.weight()), of(bias), of(c.mean()), of(c.rstd()), c.batchStatistics() ? 1 : 0,
                        of(c.dweight()), of(c.dbias()), code)
                : Norm4jLibrary.norm4j_group_norm_backward_stored(of(c.x()), c.x().dtype().code(), of(c.dy()),
                        c.dy().dtype().code(), of(c.dx()), c.dx().dtype().code(), s.n(), s.c(), s.s(), c.groups(),
                        c.layout().code(), of(c.weight()), of(bias), of(c.mean()), of(c.rstd()), of(c.dweight()),
                        of(c.dbias()), code);
        NativeRuntime.check(status, activation == null ? "NATIVE backward" : "NATIVE " + activation.id() + " backward");
    }

    // ---- batch norm in phases, standard scaling: double statistics through off-heap arrays -----

    @Override
    protected ChannelMoments momentsKernel(Tensor x, ChannelShape shape, Layout layout) {
        int channels = Math.toIntExact(shape.c());
        try (DoublePointer mean = new DoublePointer(channels); DoublePointer m2 = new DoublePointer(channels)) {
            NativeRuntime.check(Norm4jLibrary.norm4j_batch_norm_moments(of(x), shape.n(), shape.c(), shape.s(),
                    layout.code(), mean.address(), m2.address()), "NATIVE batch_norm moments");
            return ChannelMoments.ofUniformCount(shape.n() * shape.s(), toArray(mean, channels), toArray(m2, channels));
        }
    }

    @Override
    protected void normalizeWithMomentsKernel(ShardedBatchNormCall c) {
        ChannelShape sh = c.shape();
        try (DoublePointer mean = new DoublePointer(c.moments().means());
                DoublePointer var = new DoublePointer(c.moments().variances())) {
            NativeRuntime.check(Norm4jLibrary.norm4j_batch_norm_normalize(of(c.x()), of(c.out()), sh.n(), sh.c(), sh.s(),
                    c.layout().code(), of(c.weight()), of(c.bias()), c.eps(), mean.address(), var.address()),
                    "NATIVE batch_norm with moments");
        }
    }

    @Override
    protected ChannelGradientSums backwardSumsKernel(ShardedBatchNormCall c) {
        ChannelShape sh = c.shape();
        int channels = Math.toIntExact(sh.c());
        try (DoublePointer mean = new DoublePointer(c.moments().means());
                DoublePointer var = new DoublePointer(c.moments().variances());
                DoublePointer sumDy = new DoublePointer(channels); DoublePointer sumDyXhat = new DoublePointer(channels)) {
            NativeRuntime.check(Norm4jLibrary.norm4j_batch_norm_backward_sums(of(c.x()), of(c.dy()), sh.n(), sh.c(),
                    sh.s(), c.layout().code(), mean.address(), var.address(), c.eps(), sumDy.address(),
                    sumDyXhat.address()), "NATIVE batch_norm backward sums");
            return ChannelGradientSums.of(toArray(sumDy, channels), toArray(sumDyXhat, channels));
        }
    }

    @Override
    protected void backwardWithSumsKernel(ShardedBatchNormCall c, ChannelGradientSums sums) {
        ChannelShape sh = c.shape();
        try (DoublePointer mean = new DoublePointer(c.moments().means());
                DoublePointer var = new DoublePointer(c.moments().variances());
                DoublePointer sumDy = new DoublePointer(sums.sumDys());
                DoublePointer sumDyXhat = new DoublePointer(sums.sumDyXhats())) {
            NativeRuntime.check(Norm4jLibrary.norm4j_batch_norm_backward_dx(of(c.x()), of(c.dy()), of(c.out()), sh.n(),
                    sh.c(), sh.s(), c.layout().code(), of(c.weight()), mean.address(), var.address(), c.eps(),
                    sumDy.address(), sumDyXhat.address(), c.count()), "NATIVE batch_norm backward with sums");
        }
    }

    @Override
    protected ChannelMoments featureMomentsKernel(Tensor x, long samples, long features) {
        int n = Math.toIntExact(features);
        try (DoublePointer count = new DoublePointer(n); DoublePointer mean = new DoublePointer(n);
                DoublePointer m2 = new DoublePointer(n)) {
            NativeRuntime.check(Norm4jLibrary.norm4j_feature_moments(of(x), samples, features, count.address(),
                    mean.address(), m2.address()), "NATIVE feature moments");
            double[] counted = toArray(count, n);
            long[] counts = new long[n];
            for (int j = 0; j < n; j++) counts[j] = (long) counted[j];
            return ChannelMoments.of(counts, toArray(mean, n), toArray(m2, n));
        }
    }

    @Override
    protected void standardScaleKernel(Tensor x, Tensor y, long samples, long features, double[] mean, double[] scale,
            boolean inverse) {
        try (DoublePointer m = new DoublePointer(mean); DoublePointer sc = new DoublePointer(scale)) {
            NativeRuntime.check(Norm4jLibrary.norm4j_standard_scale(of(x), of(y), samples, features, m.address(),
                    sc.address(), inverse ? 1 : 0), "NATIVE standard scaling");
        }
    }

    private static double[] toArray(DoublePointer p, int n) {
        double[] a = new double[n];
        p.get(a);
        return a;
    }
}
