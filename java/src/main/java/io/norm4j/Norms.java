package io.norm4j;

import java.util.Objects;

/**
 * The functional API, in the spirit of {@code torch.nn.functional}: stateless calls that write into
 * tensors the caller owns. Obtain one with {@link #auto()} or {@link #on(Backend)}; instances are
 * immutable and thread-safe.
 *
 * <pre>{@code
 * Norms.auto().layerNorm(x, new long[] {768}, weight, bias, 1e-5, y);
 * }</pre>
 *
 * <p>Every argument is checked before any computation; a bad argument throws (NullPointerException,
 * IllegalArgumentException, IllegalStateException for closed tensors) and leaves every output
 * untouched. Tensors with a zero-size dimension are accepted and nothing is computed.
 */
public final class Norms {
    private static final Norms AUTO = new Norms(Backend.AUTO);

    private final Backend backend;

    private Norms(Backend backend) {
        this.backend = backend;
    }

    /** Calls that run on the fastest available backend (see {@link Backend#AUTO}). */
    public static Norms auto() {
        return AUTO;
    }

    /**
     * Calls that run on {@code backend}.
     *
     * @throws UnsupportedOperationException if that backend cannot run in this process, naming why
     */
    public static Norms on(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        if (!backend.isAvailable()) NativeRuntime.require(backend);
        return backend == Backend.AUTO ? AUTO : new Norms(backend);
    }

    /** The backend requested (AUTO stays AUTO; see {@link #resolvedBackend(Op)}). */
    public Backend backend() {
        return backend;
    }

    /** Which backend actually runs {@code op} forward, with its detail, e.g. "NATIVE (avx2)". */
    public String resolvedBackend(Op op) {
        return Backends.resolve(backend, op).describe();
    }

    /**
     * Whether this backend can run {@code op} in {@code direction} on this machine: false where it
     * did not load, or where it has no such operation (ONEDNN has no min-max scaling and no RMS
     * norm backward). AUTO can run everything.
     */
    public boolean supports(Op op, Op.Direction direction) {
        java.util.Objects.requireNonNull(op, "op");
        java.util.Objects.requireNonNull(direction, "direction");
        try {
            Backends.resolve(backend, op, direction);
            return true;
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Whether this backend can run {@code op} in {@code direction} on data (x, y, dy, dx) stored as
     * {@code dtype}: REFERENCE and NATIVE take every storage type; ONEDNN takes those oneDNN creates
     * its normalization primitives for on this CPU (FLOAT32 always; BFLOAT16 on x86-64 with AVX-512;
     * FLOAT16 only where the CPU has oneDNN's f16 instructions, such as AVX512_FP16). On ONEDNN this
     * answers for data all of one type; a call mixing types oneDNN has no primitive for is refused
     * when made.
     */
    public boolean supports(Op op, Op.Direction direction, DType dtype) {
        java.util.Objects.requireNonNull(dtype, "dtype");
        if (!supports(op, direction)) return false;
        return Backends.resolve(backend, op, direction).takesDataType(op, direction, dtype);
    }

    /**
     * Layer norm, inference: {@code y = (x - mean) / sqrt(var + eps) * weight + bias}, with mean and
     * biased variance taken over the trailing dimensions named by {@code normalizedShape}.
     *
     * @param x input; its trailing dimensions must equal {@code normalizedShape}
     * @param normalizedShape the dimensions to normalize over (PyTorch's normalized_shape)
     * @param weight per-element scale of shape {@code normalizedShape}, or null for none
     * @param bias per-element shift of shape {@code normalizedShape}, or null for none
     * @param eps added to the variance; finite and >= 0; used as an f32
     * @param y output, same shape as x; may be x itself (in place)
     */
    public void layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps, Tensor y) {
        Backends.resolve(backend, Op.LAYER_NORM).layerNorm(x, normalizedShape, weight, bias, eps, y, null, null);
    }

    /**
     * Layer norm, training: as {@link #layerNorm} and also saves, per normalized row, the mean and
     * the rstd ({@code 1 / sqrt(var + eps)}) that a backward pass needs.
     *
     * @param mean receives one value per row (x's size divided by the normalized size)
     * @param rstd receives one value per row
     */
    public void layerNormTraining(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps,
            Tensor y, Tensor mean, Tensor rstd) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(rstd, "rstd");
        Backends.resolve(backend, Op.LAYER_NORM).layerNorm(x, normalizedShape, weight, bias, eps, y, mean, rstd);
    }

    // ---- RMS norm ----------------------------------------------------------------------------

    /**
     * RMS norm, inference: {@code y = x / sqrt(mean(x^2) + eps) * weight}, the mean of squares
     * taken over the trailing dimensions named by {@code normalizedShape} (PyTorch's rms_norm).
     *
     * @param weight per-element scale of shape {@code normalizedShape}, or null
     */
    public void rmsNorm(Tensor x, long[] normalizedShape, Tensor weight, double eps, Tensor y) {
        Backends.resolve(backend, Op.RMS_NORM).rmsNorm(x, normalizedShape, weight, eps, y, null);
    }

    /** RMS norm, training: as {@link #rmsNorm} and saves each row's rstd for backward. */
    public void rmsNormTraining(Tensor x, long[] normalizedShape, Tensor weight, double eps, Tensor y, Tensor rstd) {
        Objects.requireNonNull(rstd, "rstd");
        Backends.resolve(backend, Op.RMS_NORM).rmsNorm(x, normalizedShape, weight, eps, y, rstd);
    }

    // ---- residual add fused with a norm --------------------------------------------------------

    /**
     * The residual add on its own: {@code h = x + residual}, element-wise, the widened values added in
     * f32 and rounded once to h's type; h may be x or residual. The fused calls below form h exactly
     * so. ONEDNN runs it through oneDNN's binary primitive, with oneDNN's own rounding.
     */
    public void add(Tensor x, Tensor residual, Tensor h) {
        Backends.resolve(backend, Op.ADD).add(x, residual, h);
    }

    /**
     * Residual add and RMS norm in one pass, as a transformer block computes them: {@code h = x +
     * residual} (the next residual stream), then {@code y = h / sqrt(mean(h^2) + eps) * (weightOffset
     * + weight)}. The same values as {@link #rmsNorm} on h after the add, each sum added in f32 and
     * rounded once to h's type; y is computed from h as stored.
     *
     * @param residual same shape as x
     * @param weightOffset added to the weight in f32: 0 (Llama) or 1 (Gemma, which scales by 1 + w);
     *     must be 0 when weight is null
     * @param h receives x + residual; may be x or residual (in place)
     * @param y output; may be x or residual, must not overlap h
     */
    public void addRmsNorm(Tensor x, Tensor residual, long[] normalizedShape, Tensor weight, double weightOffset,
            double eps, Tensor h, Tensor y) {
        Backends.resolve(backend, Op.ADD_RMS_NORM)
                .addNorm(Op.ADD_RMS_NORM, x, residual, normalizedShape, weight, weightOffset, null, eps, h, y, null, null);
    }

    /** As {@link #addRmsNorm}, training: also saves each row's rstd for {@link #addRmsNormBackward}. */
    public void addRmsNormTraining(Tensor x, Tensor residual, long[] normalizedShape, Tensor weight,
            double weightOffset, double eps, Tensor h, Tensor y, Tensor rstd) {
        Objects.requireNonNull(rstd, "rstd");
        Backends.resolve(backend, Op.ADD_RMS_NORM)
                .addNorm(Op.ADD_RMS_NORM, x, residual, normalizedShape, weight, weightOffset, null, eps, h, y, null, rstd);
    }

    /**
     * Residual add and layer norm in one pass: {@code h = x + residual}, then {@code y =
     * layerNorm(h) * (weightOffset + weight) + bias}; as {@link #addRmsNorm} otherwise.
     */
    public void addLayerNorm(Tensor x, Tensor residual, long[] normalizedShape, Tensor weight, double weightOffset,
            Tensor bias, double eps, Tensor h, Tensor y) {
        Backends.resolve(backend, Op.ADD_LAYER_NORM).addNorm(Op.ADD_LAYER_NORM, x, residual, normalizedShape, weight,
                weightOffset, bias, eps, h, y, null, null);
    }

    /** As {@link #addLayerNorm}, training: also saves each row's mean and rstd for {@link #addLayerNormBackward}. */
    public void addLayerNormTraining(Tensor x, Tensor residual, long[] normalizedShape, Tensor weight,
            double weightOffset, Tensor bias, double eps, Tensor h, Tensor y, Tensor mean, Tensor rstd) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(rstd, "rstd");
        Backends.resolve(backend, Op.ADD_LAYER_NORM).addNorm(Op.ADD_LAYER_NORM, x, residual, normalizedShape, weight,
                weightOffset, bias, eps, h, y, mean, rstd);
    }

    /**
     * Backward of {@link #addRmsNormTraining}: {@code dx} = RMS norm's input gradient on h (with the
     * scale weightOffset + weight) plus {@code dh}, the gradient arriving on h from later in the
     * network (null for none), added in f32 and rounded once to dx's type. dx is the gradient of
     * both x and residual.
     *
     * @param h the h the forward wrote
     * @param dx may be dy or dh (in place)
     * @param dweight receives the weight gradient (the same with or without an offset), or null
     */
    public void addRmsNormBackward(Tensor h, Tensor dy, Tensor dh, long[] normalizedShape, Tensor weight,
            double weightOffset, Tensor rstd, Tensor dx, Tensor dweight) {
        Backends.resolve(backend, Op.ADD_RMS_NORM, Op.Direction.BACKWARD).addNormBackward(Op.ADD_RMS_NORM, h, dy, dh,
                normalizedShape, weight, weightOffset, null, rstd, dx, dweight, null);
    }

    /** Backward of {@link #addLayerNormTraining}; as {@link #addRmsNormBackward}, with the bias gradient. */
    public void addLayerNormBackward(Tensor h, Tensor dy, Tensor dh, long[] normalizedShape, Tensor weight,
            double weightOffset, Tensor mean, Tensor rstd, Tensor dx, Tensor dweight, Tensor dbias) {
        Backends.resolve(backend, Op.ADD_LAYER_NORM, Op.Direction.BACKWARD).addNormBackward(Op.ADD_LAYER_NORM, h, dy,
                dh, normalizedShape, weight, weightOffset, mean, rstd, dx, dweight, dbias);
    }

    // ---- adaptive layer norm (DiT's modulate) ------------------------------------------------

    /**
     * Adaptive layer norm, as diffusion transformers modulate: {@code y = layerNorm(x) * (1 +
     * scale[n]) + shift[n]} for x [N, T, D], normalized over D, with per-sample scale and shift [N,
     * D] and no affine of its own. {@code 1 + scale} is formed in f32; the modulation is the
     * layer norm's weight and bias for sample n, so it costs no pass over memory of its own.
     *
     * @param y output, same shape as x; may be x itself
     */
    public void adaLayerNorm(Tensor x, Tensor scale, Tensor shift, double eps, Tensor y) {
        Backends.resolve(backend, Op.ADA_LAYER_NORM).adaLayerNorm(x, scale, shift, eps, y, null, null);
    }

    /** As {@link #adaLayerNorm}, training: also saves each row's mean and rstd ([N, T]) for backward. */
    public void adaLayerNormTraining(Tensor x, Tensor scale, Tensor shift, double eps, Tensor y, Tensor mean,
            Tensor rstd) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(rstd, "rstd");
        Backends.resolve(backend, Op.ADA_LAYER_NORM).adaLayerNorm(x, scale, shift, eps, y, mean, rstd);
    }

    /**
     * Backward of {@link #adaLayerNormTraining}: dx, and the gradients of the conditioning, {@code
     * dscale[n] = sum over t of dy * xhat} and {@code dshift[n] = sum over t of dy} ([N, D]; each may
     * be null).
     *
     * @param dx may be dy (in place)
     */
    public void adaLayerNormBackward(Tensor x, Tensor dy, Tensor scale, Tensor mean, Tensor rstd, Tensor dx,
            Tensor dscale, Tensor dshift) {
        Backends.resolve(backend, Op.ADA_LAYER_NORM, Op.Direction.BACKWARD)
                .adaLayerNormBackward(x, dy, scale, mean, rstd, dx, dscale, dshift);
    }

    // ---- batch norm --------------------------------------------------------------------------

    /**
     * Batch norm, inference: {@code y = (x - runningMean) / sqrt(runningVar + eps) * weight + bias}
     * per channel. x is [N, C, spatial...] (NCHW) or [N, spatial..., C] (NHWC); [N, C] in either.
     *
     * @param runningMean per-channel mean, [C]
     * @param runningVar per-channel variance, [C]
     * @param weight per-channel scale [C], or null
     * @param bias per-channel shift [C], or null
     */
    public void batchNorm(Tensor x, Layout layout, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
            double eps, Tensor y) {
        Backends.resolve(backend, Op.BATCH_NORM)
                .batchNorm(x, layout, runningMean, runningVar, weight, bias, eps, y, null, null, 0, null);
    }

    /**
     * Batch norm, training: normalizes with the batch mean and biased variance of each channel,
     * saves the mean and rstd ([C]) for backward, and, when running statistics are given, updates
     * them as PyTorch does: {@code running = (1 - momentum) * running + momentum * batch}, with the
     * unbiased batch variance. Needs more than one value per channel.
     *
     * @param runningMean updated in place, or null (with runningVar) to leave no running statistics
     * @param momentum in [0, 1]; PyTorch's default is 0.1
     */
    public void batchNormTraining(Tensor x, Layout layout, Tensor runningMean, Tensor runningVar, Tensor weight,
            Tensor bias, double momentum, double eps, Tensor y, Tensor mean, Tensor rstd) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(rstd, "rstd");
        Backends.resolve(backend, Op.BATCH_NORM)
                .batchNorm(x, layout, runningMean, runningVar, weight, bias, eps, y, mean, rstd, momentum, null);
    }

    // ---- group norm --------------------------------------------------------------------------

    /**
     * Group norm: the C channels are split into {@code numGroups} groups, each normalized with the
     * mean and biased variance of its channels and positions in one sample, then scaled and shifted
     * per channel (PyTorch's group_norm).
     *
     * @param numGroups must divide C
     */
    public void groupNorm(Tensor x, Layout layout, long numGroups, Tensor weight, Tensor bias, double eps, Tensor y) {
        Backends.resolve(backend, Op.GROUP_NORM).groupNorm(x, layout, numGroups, weight, bias, eps, y, null, null, null);
    }

    /** Group norm, training: as {@link #groupNorm} and saves mean and rstd, [N, numGroups]. */
    public void groupNormTraining(Tensor x, Layout layout, long numGroups, Tensor weight, Tensor bias, double eps,
            Tensor y, Tensor mean, Tensor rstd) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(rstd, "rstd");
        Backends.resolve(backend, Op.GROUP_NORM).groupNorm(x, layout, numGroups, weight, bias, eps, y, mean, rstd, null);
    }

    // ---- norms fused with an activation ------------------------------------------------------

    /**
     * Group norm whose output goes through SiLU in the same call: {@code y = silu(groupNorm(x))}
     * (Stable Diffusion's UNet and VAE blocks), arguments as {@link #groupNorm}. y is written once;
     * NATIVE applies SiLU to each block of output while it is in cache.
     */
    public void groupNormSilu(Tensor x, Layout layout, long numGroups, Tensor weight, Tensor bias, double eps,
            Tensor y) {
        Backends.resolve(backend, Op.GROUP_NORM_SILU)
                .groupNorm(x, layout, numGroups, weight, bias, eps, y, null, null, Activation.SILU);
    }

    /**
     * {@link #groupNormSilu}, training: saves the group statistics ([N, numGroups]) as
     * {@link #groupNormTraining} does; nothing else is kept for the backward.
     */
    public void groupNormSiluTraining(Tensor x, Layout layout, long numGroups, Tensor weight, Tensor bias, double eps,
            Tensor y, Tensor mean, Tensor rstd) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(rstd, "rstd");
        Backends.resolve(backend, Op.GROUP_NORM_SILU)
                .groupNorm(x, layout, numGroups, weight, bias, eps, y, mean, rstd, Activation.SILU);
    }

    /**
     * The backward of {@link #groupNormSiluTraining}: the pre-activation is recomputed from x, the
     * saved mean and rstd, weight and bias (so the forward stores nothing extra), dy is multiplied
     * by SiLU's derivative there, and group norm's backward takes the result. dx may be dy.
     *
     * @param bias the forward's bias, or null if it had none
     */
    public void groupNormSiluBackward(Tensor x, Tensor dy, Layout layout, long numGroups, Tensor weight, Tensor bias,
            Tensor mean, Tensor rstd, Tensor dx, Tensor dweight, Tensor dbias) {
        if (numGroups <= 0) throw new IllegalArgumentException("groups must be positive, got " + numGroups);
        Backends.resolve(backend, Op.GROUP_NORM_SILU, Op.Direction.BACKWARD).activatedBackward(Op.GROUP_NORM_SILU, x,
                dy, layout, numGroups, weight, bias, mean, rstd, true, dx, dweight, dbias);
    }

    /**
     * Batch norm with running statistics whose output goes through ReLU in the same call:
     * {@code y = relu(batchNorm(x))} (ResNet blocks), arguments as {@link #batchNorm}.
     */
    public void batchNormRelu(Tensor x, Layout layout, Tensor runningMean, Tensor runningVar, Tensor weight,
            Tensor bias, double eps, Tensor y) {
        Backends.resolve(backend, Op.BATCH_NORM_RELU)
                .batchNorm(x, layout, runningMean, runningVar, weight, bias, eps, y, null, null, 0, Activation.RELU);
    }

    /** {@link #batchNormRelu}, training: batch statistics, saved and folded into the running ones as {@link #batchNormTraining} does. */
    public void batchNormReluTraining(Tensor x, Layout layout, Tensor runningMean, Tensor runningVar, Tensor weight,
            Tensor bias, double momentum, double eps, Tensor y, Tensor mean, Tensor rstd) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(rstd, "rstd");
        Backends.resolve(backend, Op.BATCH_NORM_RELU).batchNorm(x, layout, runningMean, runningVar, weight, bias, eps, y,
                mean, rstd, momentum, Activation.RELU);
    }

    /**
     * The backward of {@link #batchNormReluTraining} through the batch statistics: dy is kept where
     * the recomputed pre-activation is positive, zeroed elsewhere, and batch norm's backward takes
     * the result. dx may be dy.
     *
     * @param bias the forward's bias, or null if it had none
     */
    public void batchNormReluBackward(Tensor x, Tensor dy, Layout layout, Tensor weight, Tensor bias, Tensor mean,
            Tensor rstd, Tensor dx, Tensor dweight, Tensor dbias) {
        Backends.resolve(backend, Op.BATCH_NORM_RELU, Op.Direction.BACKWARD).activatedBackward(Op.BATCH_NORM_RELU, x, dy,
                layout, 1, weight, bias, mean, rstd, true, dx, dweight, dbias);
    }

    /**
     * The backward of {@link #batchNormRelu} (running statistics as constants): dy is kept where the
     * pre-activation those statistics give is positive, then {@link #batchNormBackwardWithRunningStats}.
     */
    public void batchNormReluBackwardWithRunningStats(Tensor x, Tensor dy, Layout layout, Tensor runningMean,
            Tensor runningVar, Tensor weight, Tensor bias, double eps, Tensor dx, Tensor dweight, Tensor dbias) {
        Backends.resolve(backend, Op.BATCH_NORM_RELU, Op.Direction.BACKWARD).batchNormReluBackwardWithRunningStats(x, dy,
                layout, runningMean, runningVar, weight, bias, eps, dx, dweight, dbias);
    }

    /**
     * {@code y = activation(x)} on its own (y may be x): the unfused step, on the backends that run
     * the activation's fused op ({@link Op#BATCH_NORM_RELU} for RELU, {@link Op#GROUP_NORM_SILU} for
     * SILU).
     */
    public void activate(Activation activation, Tensor x, Tensor y) {
        Op op = fusedOpOf(activation);
        Backends.resolve(backend, op).activate(op, x, y);
    }

    /**
     * {@code dpre = dy * activation'(pre)} on its own, pre being the activation's input as the
     * unfused forward kept it (dpre may be dy): the unfused backward's first step, on the backends
     * {@link #activate} runs on.
     */
    public void activationBackward(Activation activation, Tensor pre, Tensor dy, Tensor dpre) {
        Op op = fusedOpOf(activation);
        Backends.resolve(backend, op, Op.Direction.BACKWARD).activationBackward(op, pre, dy, dpre);
    }

    private static Op fusedOpOf(Activation activation) {
        return Objects.requireNonNull(activation, "activation") == Activation.RELU ? Op.BATCH_NORM_RELU : Op.GROUP_NORM_SILU;
    }

    // ---- instance norm -----------------------------------------------------------------------

    /**
     * Instance norm with each sample's own statistics: every (sample, channel) is normalized over
     * its spatial positions. x needs a spatial dimension with more than one position.
     */
    public void instanceNorm(Tensor x, Layout layout, Tensor weight, Tensor bias, double eps, Tensor y) {
        Backends.resolve(backend, Op.INSTANCE_NORM)
                .instanceNorm(x, layout, weight, bias, eps, y, null, null, null, null, 0);
    }

    /**
     * Instance norm, training: as {@link #instanceNorm}, saves mean and rstd ([N, C]) and, when
     * given, updates the running statistics ([C]) with the batch average of the per-instance
     * statistics (PyTorch's track_running_stats).
     */
    public void instanceNormTraining(Tensor x, Layout layout, Tensor runningMean, Tensor runningVar, Tensor weight,
            Tensor bias, double momentum, double eps, Tensor y, Tensor mean, Tensor rstd) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(rstd, "rstd");
        Backends.resolve(backend, Op.INSTANCE_NORM)
                .instanceNorm(x, layout, weight, bias, eps, y, mean, rstd, runningMean, runningVar, momentum);
    }

    /** Instance norm normalizing with running statistics, as PyTorch's eval mode with track_running_stats. */
    public void instanceNormWithRunningStats(Tensor x, Layout layout, Tensor runningMean, Tensor runningVar,
            Tensor weight, Tensor bias, double eps, Tensor y) {
        Backends.resolve(backend, Op.INSTANCE_NORM)
                .instanceNormWithRunningStats(x, layout, runningMean, runningVar, weight, bias, eps, y);
    }

    // ---- min-max scaling ---------------------------------------------------------------------

    /**
     * Fits min-max scaling: the per-feature minimum and maximum of a [samples, features] matrix,
     * NaN values ignored (a feature with no other values gets +Inf and -Inf).
     */
    public void minMaxFit(Tensor x, Tensor dataMin, Tensor dataMax) {
        Backends.resolve(backend, Op.MIN_MAX).minMaxFit(x, dataMin, dataMax, false);
    }

    /** Extends a fit with more samples: dataMin and dataMax become the extrema of all data seen. */
    public void minMaxPartialFit(Tensor x, Tensor dataMin, Tensor dataMax) {
        Backends.resolve(backend, Op.MIN_MAX).minMaxFit(x, dataMin, dataMax, true);
    }

    /**
     * {@code y = (x - dataMin) / (dataMax - dataMin) * (rangeMax - rangeMin) + rangeMin} per feature;
     * a constant feature (max = min) maps to rangeMin.
     */
    public void minMaxTransform(Tensor x, Tensor dataMin, Tensor dataMax, double rangeMin, double rangeMax, Tensor y) {
        Backends.resolve(backend, Op.MIN_MAX).minMaxTransform(x, dataMin, dataMax, rangeMin, rangeMax, y, false);
    }

    /** The inverse of {@link #minMaxTransform}: maps scaled values back to the data's units. */
    public void minMaxInverseTransform(Tensor y, Tensor dataMin, Tensor dataMax, double rangeMin, double rangeMax,
            Tensor x) {
        Backends.resolve(backend, Op.MIN_MAX).minMaxTransform(y, dataMin, dataMax, rangeMin, rangeMax, x, true);
    }

    // ---- batch norm in phases: one batch spread over processes ---------------------------------
    //
    // PyTorch's SyncBatchNorm, one phase per call, the exchange between processes left to the
    // caller: each process takes its shard's moments, all of them merge (ChannelMoments.merge, any
    // order), each normalizes its shard with the merged ones; backward, each takes its shard's sums,
    // all of them merge (ChannelGradientSums.merge), each forms its shard's dx. The result is the
    // single-process call's on the whole batch (statistics cross in double; see ChannelMoments for
    // the bound). REFERENCE and NATIVE run them; oneDNN's primitives take f32 statistics only.

    /** This shard's per-channel count, mean and m2 (x laid out as for {@link #batchNorm}). */
    public ChannelMoments batchNormMoments(Tensor x, Layout layout) {
        return doubleStatistics("batch norm moments").batchNormMoments(x, layout);
    }

    /**
     * Batch norm training on one shard with the moments merged over every shard of the batch:
     * {@code y = (x - mean) / sqrt(variance + eps) * weight + bias}, variance biased; when running
     * statistics are given, they are updated as {@link #batchNormTraining} does, with the merged
     * moments' mean and unbiased variance (every process updates its copy alike). The moments must
     * hold at least 2 values per channel, and at least this shard's own.
     */
    public void batchNormWithMoments(Tensor x, Layout layout, ChannelMoments moments, Tensor runningMean,
            Tensor runningVar, double momentum, Tensor weight, Tensor bias, double eps, Tensor y) {
        doubleStatistics("batch norm with moments")
                .batchNormWithMoments(x, layout, moments, runningMean, runningVar, momentum, weight, bias, eps, y);
    }

    /**
     * The backward's first phase on one shard: {@code sum(dy)} and {@code sum(dy * xhat)} per
     * channel, xhat from the merged moments and eps of the forward. Their totals over every shard
     * are dbias and dweight ({@link ChannelGradientSums#dbias}, {@link ChannelGradientSums#dweight}).
     */
    public ChannelGradientSums batchNormBackwardSums(Tensor x, Tensor dy, Layout layout, ChannelMoments moments,
            double eps) {
        return doubleStatistics("batch norm backward sums").batchNormBackwardSums(x, dy, layout, moments, eps);
    }

    /**
     * The backward's second phase on one shard: dx from the merged moments and the sums merged over
     * every shard, as {@link #batchNormBackward} forms it for the whole batch. dx may be dy.
     */
    public void batchNormBackwardWithSums(Tensor x, Tensor dy, Layout layout, Tensor weight, ChannelMoments moments,
            double eps, ChannelGradientSums sums, Tensor dx) {
        doubleStatistics("batch norm backward with sums")
                .batchNormBackwardWithSums(x, dy, layout, weight, moments, eps, sums, dx);
    }

    // ---- standard scaling --------------------------------------------------------------------

    /**
     * Per-feature count, mean and m2 of a [samples, features] matrix, NaN values skipped (each
     * feature counts its own); moments of chunks or shards {@link ChannelMoments#merge merge}.
     */
    public ChannelMoments featureMoments(Tensor x) {
        return doubleStatistics("feature moments").featureMoments(x);
    }

    /**
     * {@code y = (x - mean) / scale} per feature of a [samples, features] matrix, in double, rounded
     * once; y may be x. Each scale is positive and finite, or NaN (a feature that saw no value:
     * its outputs are NaN).
     */
    public void standardScale(Tensor x, double[] mean, double[] scale, Tensor y) {
        doubleStatistics("standard scaling").standardScale(x, mean, scale, y, false);
    }

    /** The inverse of {@link #standardScale}: {@code x = y * scale + mean}. */
    public void standardScaleInverse(Tensor y, double[] mean, double[] scale, Tensor x) {
        doubleStatistics("standard scaling").standardScale(y, mean, scale, x, true);
    }

    /**
     * REFERENCE or NATIVE, as chosen, for a call whose statistics are doubles: oneDNN's primitives
     * take and return f32 statistics only (AUTO never picks it for min-max scaling either).
     */
    private CheckedBackend doubleStatistics(String what) {
        if (backend == Backend.ONEDNN) {
            throw new UnsupportedOperationException("ONEDNN cannot run " + what
                    + ": oneDNN's primitives take and return f32 statistics only; use NATIVE, REFERENCE or AUTO");
        }
        return Backends.resolve(backend, Op.MIN_MAX);
    }

    // ---- backward ----------------------------------------------------------------------------
    //
    // Each takes the gradient dy of the forward output, the forward's input x and the statistics
    // its training call saved (not recomputed), and writes dx (same shape as x; may be dy itself)
    // and, when given, the parameter gradients dweight = sum(dy * xhat) and dbias = sum(dy).

    /** Layer norm backward, with the mean and rstd saved by {@link #layerNormTraining}. */
    public void layerNormBackward(Tensor x, Tensor dy, long[] normalizedShape, Tensor weight, Tensor mean,
            Tensor rstd, Tensor dx, Tensor dweight, Tensor dbias) {
        Backends.resolve(backend, Op.LAYER_NORM, Op.Direction.BACKWARD)
                .layerNormBackward(x, dy, normalizedShape, weight, mean, rstd, dx, dweight, dbias, Op.LAYER_NORM);
    }

    /** RMS norm backward, with the rstd saved by {@link #rmsNormTraining}. */
    public void rmsNormBackward(Tensor x, Tensor dy, long[] normalizedShape, Tensor weight, Tensor rstd, Tensor dx,
            Tensor dweight) {
        Backends.resolve(backend, Op.RMS_NORM, Op.Direction.BACKWARD)
                .layerNormBackward(x, dy, normalizedShape, weight, null, rstd, dx, dweight, null, Op.RMS_NORM);
    }

    /**
     * Batch norm backward through the batch statistics, with the mean and rstd saved by
     * {@link #batchNormTraining}.
     */
    public void batchNormBackward(Tensor x, Tensor dy, Layout layout, Tensor weight, Tensor mean, Tensor rstd,
            Tensor dx, Tensor dweight, Tensor dbias) {
        Backends.resolve(backend, Op.BATCH_NORM, Op.Direction.BACKWARD)
                .channelBackward(x, dy, layout, 1, weight, mean, rstd, true, dx, dweight, dbias, Op.BATCH_NORM);
    }

    /**
     * Batch norm backward with the running statistics used as constants (the gradient of
     * {@link #batchNorm}): {@code dx = dy * weight / sqrt(runningVar + eps)}.
     */
    public void batchNormBackwardWithRunningStats(Tensor x, Tensor dy, Layout layout, Tensor runningMean,
            Tensor runningVar, Tensor weight, double eps, Tensor dx, Tensor dweight, Tensor dbias) {
        Backends.resolve(backend, Op.BATCH_NORM, Op.Direction.BACKWARD).batchNormBackwardWithRunningStats(x, dy, layout, runningMean,
                runningVar, weight, eps, dx, dweight, dbias);
    }

    /** Group norm backward, with the mean and rstd ([N, numGroups]) saved by {@link #groupNormTraining}. */
    public void groupNormBackward(Tensor x, Tensor dy, Layout layout, long numGroups, Tensor weight, Tensor mean,
            Tensor rstd, Tensor dx, Tensor dweight, Tensor dbias) {
        if (numGroups <= 0) throw new IllegalArgumentException("groups must be positive, got " + numGroups);
        Backends.resolve(backend, Op.GROUP_NORM, Op.Direction.BACKWARD)
                .channelBackward(x, dy, layout, numGroups, weight, mean, rstd, true, dx, dweight, dbias, Op.GROUP_NORM);
    }

    /** Instance norm backward, with the mean and rstd ([N, C]) saved by {@link #instanceNormTraining}. */
    public void instanceNormBackward(Tensor x, Tensor dy, Layout layout, Tensor weight, Tensor mean, Tensor rstd,
            Tensor dx, Tensor dweight, Tensor dbias) {
        Checks.input("x", x);
        long c = ChannelShape.of("x", x, Objects.requireNonNull(layout, "layout"), Op.INSTANCE_NORM).c();
        Backends.resolve(backend, Op.INSTANCE_NORM, Op.Direction.BACKWARD)
                .channelBackward(x, dy, layout, Math.max(c, 1), weight, mean, rstd, true, dx, dweight, dbias, Op.INSTANCE_NORM);
    }
}
