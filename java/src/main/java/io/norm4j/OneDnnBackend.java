package io.norm4j;

import static io.norm4j.Addresses.of;

import io.norm4j.nativeimpl.Norm4jLibrary;

/**
 * oneDNN's primitives, through norm4j's C++ shim (which caches them per thread): layer, batch and
 * group normalization; instance norm as group norm with one group per channel; RMS norm through
 * layer normalization's rms_norm flag. oneDNN has no min-max scaling: those calls throw.
 */
final class OneDnnBackend extends CheckedBackend {
    OneDnnBackend() {
        super(Backend.ONEDNN);
    }

    @Override
    String describe() {
        return "ONEDNN (" + Norm4jLibrary.norm4j_onednn_version() + ")";
    }

    /** Per storage type: empty where oneDNN takes it on this CPU, else oneDNN's reason. */
    private static final java.util.Map<DType, java.util.Optional<String>> DATA_TYPES =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Per storage type: empty where oneDNN creates its binary add for it here, else its reason. */
    private static final java.util.Map<DType, java.util.Optional<String>> ADD_TYPES =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The standalone activations (oneDNN's eltwise) take f32 data only; the norms see {@link #dataTypeUnsupported}. */
    @Override
    java.util.Optional<String> halfPrecisionUnsupported() {
        return java.util.Optional.of("norm4j passes only f32 data to oneDNN's eltwise primitive (use NATIVE)");
    }

    /** The norms' kernels hand each tensor to oneDNN as it is stored, with its type. */
    @Override
    boolean takesStoredData(Op op, Op.Direction direction) {
        return true;
    }

    /**
     * The norms take the types oneDNN creates all their primitives for on this CPU, and refuse the
     * others before oneDNN is called, as {@code supports} says, even where oneDNN would run the
     * particular call. The add takes the types oneDNN creates its binary add for (f32 included:
     * oneDNN does not create it on every platform).
     */
    @Override
    java.util.Optional<String> dataTypeUnsupported(Op op, Op.Direction direction, DType type) {
        if (op == Op.ADD) return addRefusal(type);
        return type == DType.FLOAT32 ? java.util.Optional.empty() : dataTypeRefusal(type);
    }

    /** Why oneDNN does not take data stored as type on this CPU, or empty where it does (asked once per type). */
    static java.util.Optional<String> dataTypeRefusal(DType type) {
        return refusal(DATA_TYPES, type, Norm4jLibrary::norm4j_onednn_takes_data_type);
    }

    /** Why oneDNN creates no binary add for x, residual and h stored as type here, or empty (asked once per type). */
    static java.util.Optional<String> addRefusal(DType type) {
        return refusal(ADD_TYPES, type, Norm4jLibrary::norm4j_onednn_takes_add);
    }

    /** The probe's answer for type (NORM4J_OK, or unsupported with the reason), asked once. */
    private static java.util.Optional<String> refusal(java.util.Map<DType, java.util.Optional<String>> answers,
            DType type, java.util.function.IntUnaryOperator probe) {
        return answers.computeIfAbsent(type, t -> {
            int status = probe.applyAsInt(t.code());
            if (status == Norm4jLibrary.NORM4J_OK) return java.util.Optional.empty();
            if (status != Norm4jLibrary.NORM4J_ERR_UNSUPPORTED) NativeRuntime.check(status, "ONEDNN " + t);
            return java.util.Optional.of(Norm4jLibrary.norm4j_last_error());
        });
    }

    private static int type(Tensor t) {
        return t.dtype().code();
    }

    /**
     * No min-max scaling primitive; no normalization that adds a residual first (its layer
     * normalization takes one source); norms fused with an activation forward only (group norm
     * with a swish post-op, batch norm with fuse_norm_relu: oneDNN's backward takes no activation
     * of group norm, and its fused batch norm backward reads a workspace from its forward, which
     * norm4j's API does not keep); and no RMS norm backward: oneDNN 3.13's layer normalization
     * backward with the rms_norm flag returns dx off by rstd * mean(dy * w) (the layer norm
     * centring term, which RMS norm does not have), so norm4j does not offer it. The residual add
     * on its own runs through its binary primitive.
     */
    @Override
    boolean supports(Op op, Op.Direction direction) {
        if (op == Op.ADD) return direction == Op.Direction.FORWARD;
        boolean activated = op.activation() != null;
        return op != Op.MIN_MAX && (op.norm() == op || activated)
                && !((op == Op.RMS_NORM || activated) && direction == Op.Direction.BACKWARD);
    }

    @Override
    protected void layerNormForward(LayerNormCall c) {
        NativeRuntime.check(Norm4jLibrary.norm4j_onednn_layer_norm_forward(of(c.x()), type(c.x()), of(c.y()),
                type(c.y()), c.rows(), c.cols(),
                of(c.weight()), of(c.bias()), c.eps(), of(c.mean()), of(c.rstd())), "ONEDNN layer_norm");
    }

    @Override
    protected void rmsNormForward(RmsNormCall c) {
        NativeRuntime.check(Norm4jLibrary.norm4j_onednn_rms_norm_forward(of(c.x()), type(c.x()), of(c.y()),
                type(c.y()), c.rows(), c.cols(),
                of(c.weight()), c.eps(), of(c.rstd())), "ONEDNN rms_norm");
    }

    @Override
    protected void batchNormForward(BatchNormCall c, Tensor var, Activation activation) {
        ChannelShape s = c.shape();
        NativeRuntime.check(Norm4jLibrary.norm4j_onednn_batch_norm_forward(of(c.x()), type(c.x()), of(c.y()),
                type(c.y()), s.n(), s.c(), s.s(),
                c.layout().code(), of(c.weight()), of(c.bias()), c.eps(), of(c.runningMean()), of(c.runningVar()),
                of(c.mean()), of(c.rstd()), of(var), activation == null ? 0 : activation.code()), "ONEDNN batch_norm");
    }

    @Override
    protected void groupNormForward(GroupNormCall c, Tensor var, Activation activation) {
        ChannelShape s = c.shape();
        NativeRuntime.check(Norm4jLibrary.norm4j_onednn_group_norm_forward(of(c.x()), type(c.x()), of(c.y()),
                type(c.y()), s.n(), s.c(), s.s(),
                c.groups(), c.layout().code(), of(c.weight()), of(c.bias()), c.eps(), of(c.mean()), of(c.rstd()),
                of(var), activation == null ? 0 : activation.code()), "ONEDNN group_norm");
    }

    @Override
    protected void rowsBackward(RowsBackwardCall c) {
        if (c.op() == Op.RMS_NORM) throw new UnsupportedOperationException("ONEDNN cannot run rms_norm backward"); // see supports
        NativeRuntime.check(Norm4jLibrary.norm4j_onednn_layer_norm_backward(of(c.x()), type(c.x()), of(c.dy()),
                type(c.dy()), of(c.dx()), type(c.dx()), c.rows(),
                c.cols(), of(c.weight()), of(c.mean()), of(c.rstd()), of(c.dweight()), of(c.dbias())), "ONEDNN backward");
    }

    @Override
    protected void channelBackward(ChannelBackwardCall c) {
        ChannelShape s = c.shape();
        int status = c.op() == Op.BATCH_NORM
                ? Norm4jLibrary.norm4j_onednn_batch_norm_backward(of(c.x()), type(c.x()), of(c.dy()),
                        type(c.dy()), of(c.dx()), type(c.dx()), s.n(), s.c(),
                        s.s(), c.layout().code(), of(c.weight()), of(c.mean()), of(c.rstd()),
                        c.batchStatistics() ? 1 : 0, of(c.dweight()), of(c.dbias()))
                : Norm4jLibrary.norm4j_onednn_group_norm_backward(of(c.x()), type(c.x()), of(c.dy()),
                        type(c.dy()), of(c.dx()), type(c.dx()), s.n(), s.c(),
                        s.s(), c.groups(), c.layout().code(), of(c.weight()), of(c.mean()), of(c.rstd()),
                        of(c.dweight()), of(c.dbias()));
        NativeRuntime.check(status, "ONEDNN backward");
    }

    @Override
    protected void minMaxFitKernel(MinMaxCall c) {
        throw unsupported();
    }

    /** oneDNN's binary primitive (binary_add): the unfused residual sequence's first step. */
    @Override
    protected void addKernel(Tensor x, Tensor residual, Tensor h) {
        NativeRuntime.check(Norm4jLibrary.norm4j_onednn_add(of(x), type(x), of(residual), type(residual), of(h), type(h),
                h.numel()), "ONEDNN add");
    }

    /** oneDNN's eltwise primitive (relu, or swish for SiLU): the unfused sequence's second step. */
    @Override
    protected void activateKernel(Activation activation, Tensor x, Tensor y) {
        NativeRuntime.check(Norm4jLibrary.norm4j_onednn_activate(of(x), of(y), x.numel(), activation.code()),
                "ONEDNN " + activation.id());
    }

    @Override
    protected void minMaxTransformKernel(MinMaxCall c) {
        throw unsupported();
    }

    // Never reached: Norms refuses ONEDNN for calls with double statistics before resolving a backend.

    @Override
    protected ChannelMoments momentsKernel(Tensor x, ChannelShape shape, Layout layout) {
        throw noDoubleStatistics();
    }

    @Override
    protected void normalizeWithMomentsKernel(ShardedBatchNormCall call) {
        throw noDoubleStatistics();
    }

    @Override
    protected ChannelGradientSums backwardSumsKernel(ShardedBatchNormCall call) {
        throw noDoubleStatistics();
    }

    @Override
    protected void backwardWithSumsKernel(ShardedBatchNormCall call, ChannelGradientSums sums) {
        throw noDoubleStatistics();
    }

    @Override
    protected ChannelMoments featureMomentsKernel(Tensor x, long samples, long features) {
        throw noDoubleStatistics();
    }

    @Override
    protected void standardScaleKernel(Tensor x, Tensor y, long samples, long features, double[] mean,
            double[] scale, boolean inverse) {
        throw noDoubleStatistics();
    }

    private static UnsupportedOperationException noDoubleStatistics() {
        return new UnsupportedOperationException(
                "ONEDNN's primitives take and return f32 statistics only; use Backend.NATIVE, Backend.REFERENCE or AUTO");
    }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException(
                "ONEDNN has no min-max scaling primitive; use Backend.NATIVE, Backend.REFERENCE or AUTO");
    }
}
